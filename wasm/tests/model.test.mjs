// The shipped package (the .wasm `wasm/build.sh` made, after `wasm-opt` and
// the panic stubs, which the `js_api` tests do not run) driven by seeded
// random sequences of calls and compared with a model of the registry in JS
// after every call:
// - a call the model accepts returns, and its recording is in the next
//   scrape, exactly (integer totals compared as text, floats bit for bit);
// - a call the model refuses throws an `Error` naming the metric (never a
//   `WebAssembly.RuntimeError`: a trap would leave the instance unusable),
//   and leaves no trace: no series, no value;
// - full capacity and oversized label values are refused exactly where the
//   registry's limits say, and what was recorded before stays;
// - `seriesCount` agrees, and the OpenMetrics page carries the same
//   samples as the text page, less `_sum` and `_count` of a histogram
//   whose sum is negative (OpenMetrics forbids a negative sum).
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadPackage } from "./built_package.mjs";
import { rng } from "./seeded.mjs";

const api = await loadPackage();

// The registry's capacity (`wasm/src/metrics.rs`).
const SERIES = 2048;
const CELLS = 16384;
const VALUE_BYTES = 128;
const DEFAULT_BOUNDS = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];
const OPENMETRICS = "application/openmetrics-text;version=1.0.0";

/** The instruments a run picks from, with the sample name each writes
 * (OpenTelemetry names and units translated). */
const DEFINITIONS = [
  { kind: "counter", name: "http.requests", options: { help: "Requests.", labelNames: ["route", "status"] }, sample: "http_requests_total" },
  { kind: "counter", name: "jobs", options: {}, sample: "jobs_total" },
  { kind: "upDownCounter", name: "queue.depth", options: { labelNames: ["queue"] }, sample: "queue_depth" },
  { kind: "gauge", name: "temperature", options: { unit: "Cel", labelNames: ["room", "floor", "side"] }, sample: "temperature_celsius" },
  { kind: "gauge", name: "load", options: {}, sample: "load" },
  { kind: "histogram", name: "http.duration", options: { unit: "s", labelNames: ["route"] }, sample: "http_duration_seconds" },
  { kind: "histogram", name: "size", options: { unit: "By", bounds: [1, 10, 100] }, sample: "size_bytes" },
  { kind: "histogram", name: "wide", options: { labelNames: ["shard"], bounds: Array.from({ length: 31 }, (_, i) => i * 0.5) }, sample: "wide" },
];
for (const d of DEFINITIONS) {
  d.labelNames = d.options.labelNames ?? [];
  d.bounds = d.kind === "histogram" ? (d.options.bounds ?? DEFAULT_BOUNDS) : [];
  d.cells = d.kind === "histogram" ? d.bounds.length + 2 : 1;
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** A label value as the registry stores it: numbers and booleans as JS
 * prints them, strings as UTF-8 (a lone surrogate becomes U+FFFD). */
function stored(v) {
  return typeof v === "string" ? fromUtf8.decode(utf8.encode(v)) : "" + v;
}

/** A label value as the text formats quote it. */
const quoted = (v) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

/** `le` as a number's text, so `1`, `1.0` and `1e0` read alike. */
const le = (t) => (t === "+Inf" ? "+Inf" : String(Number(t)));

/** A page's samples: the series part of each line (name and labels, `le`
 * normalised) to its value's text. Also checks that no series repeats. */
function samplesOf(page) {
  const samples = new Map();
  for (const line of page.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    // Values hold no space; label values may.
    const cut = line.lastIndexOf(" ");
    const series = line.slice(0, cut).replace(/le="([^"]*)"/, (_, t) => `le="${le(t)}"`);
    assert.ok(!samples.has(series), `${series} written twice`);
    samples.set(series, line.slice(cut + 1));
  }
  return samples;
}

/** One sample's expected value: integer totals as exact text, floats as
 * the number they must read back as. */
const exact = (text) => ({ text });
const float = (number) => ({ number });

/** The registry as the API promises it behaves. */
class Model {
  constructor() {
    this.families = new Map(); // name → { def, series: Map(key → state) }
    this.seriesUsed = 0;
    this.cellsUsed = 0;
  }

  /** Defines `def`'s family unless it exists; false if the name is taken
   * by another kind. */
  define(def) {
    const family = this.families.get(def.name);
    if (family) return family.def === def;
    this.families.set(def.name, { def, series: new Map() });
    return true;
  }

  /** The series for these stored values, made if new; or the message of
   * the refusal the registry's limits give. */
  series(def, values) {
    const family = this.families.get(def.name);
    const key = JSON.stringify(values);
    const found = family.series.get(key);
    if (found) return { state: found };
    const bytes = values.reduce((n, v) => n + utf8.encode(v).length, 0);
    if (bytes > VALUE_BYTES) return { refusal: "cannot record: label values exceed the series value capacity" };
    if (this.seriesUsed === SERIES) return { refusal: "cannot record: registry has no free series slot" };
    if (this.cellsUsed + def.cells > CELLS) return { refusal: "cannot record: registry has no free value cells" };
    this.seriesUsed += 1;
    this.cellsUsed += def.cells;
    const state =
      def.kind === "histogram"
        ? { values, buckets: def.bounds.map(() => 0).concat([0]), sum: 0, count: 0 }
        : { values, value: def.kind === "gauge" ? 0 : 0n };
    family.series.set(key, state);
    return { state };
  }

  /** The samples a scrape must hold, as `samplesOf` gives them.
   * OpenMetrics forbids a negative sum, so there a histogram that has
   * recorded a negative total goes without `_sum` and `_count`. */
  expected({ openMetrics }) {
    const samples = new Map();
    for (const { def, series } of this.families.values()) {
      for (const s of series.values()) {
        const pairs = def.labelNames.map((l, i) => `${l}="${quoted(s.values[i])}"`);
        const name = (suffix, extra = []) => {
          const all = pairs.concat(extra);
          return all.length === 0 ? def.sample + suffix : `${def.sample}${suffix}{${all.join(",")}}`;
        };
        if (def.kind === "histogram") {
          let cumulative = 0;
          def.bounds.concat([Infinity]).forEach((b, i) => {
            cumulative += s.buckets[i];
            const bound = b === Infinity ? "+Inf" : String(b);
            samples.set(name("_bucket", [`le="${bound}"`]), exact(String(cumulative)));
          });
          if (!openMetrics || s.sum >= 0) {
            samples.set(name("_sum"), float(s.sum));
            samples.set(name("_count"), exact(String(s.count)));
          }
        } else if (def.kind === "gauge") {
          samples.set(name(""), float(s.value));
        } else {
          samples.set(name(""), exact(String(s.value)));
        }
      }
    }
    return samples;
  }
}

/** Fails unless `page`'s samples are exactly `expected`. */
function assertSamples(page, expected, context) {
  const got = samplesOf(page);
  for (const [series, want] of expected) {
    assert.ok(got.has(series), `${context}: ${series} missing from\n${page}`);
    const text = got.get(series);
    if ("text" in want) {
      assert.equal(text, want.text, `${context}: ${series}`);
    } else {
      assert.ok(Object.is(Number(text), want.number), `${context}: ${series} is ${text}, the model has ${want.number}`);
    }
  }
  for (const series of got.keys()) {
    assert.ok(expected.has(series), `${context}: ${series} is not in the model`);
  }
}

/** One seeded run: `steps` calls, each checked against the model. */
function run(seed, { steps, definitions, values, scrapeEvery }) {
  const random = rng(seed);
  const pick = (items) => items[Math.floor(random() * items.length)];
  const chance = (p) => random() < p;
  const registry = new api.Registry();
  const model = new Model();
  const instruments = []; // { def, obj, freed }
  const bound = []; // { def, state, obj, freed }
  const seen = { ok: 0, refused: 0, refusals: new Set() };

  const valueFor = (def) => {
    switch (def.kind) {
      case "counter":
        return pick([0, 1, 1, 2, 7, 1000, 2 ** 40, Number.MAX_SAFE_INTEGER]);
      case "upDownCounter":
        return pick([1, -1, 3, -5, 0, 2 ** 45, -(2 ** 45), -Number.MAX_SAFE_INTEGER]);
      case "gauge":
        return pick([0, -0, 1.5, -2.25, 0.1, 1e300, -1e-300, 5e-324, 123456.789, random() * 100]);
      default:
        return pick([0, -0, 0.5, 1, 2.5, 4.75, 5, 15.5, 100, 250.1, 1e4, 1e6, -3, random() * 20]);
    }
  };

  const badValueFor = (def) => {
    const any = [NaN, Infinity, -Infinity, "1", null, undefined, {}];
    if (def.kind === "counter") return pick(any.concat([-1, 0.5, 2 ** 53, -0.25]));
    if (def.kind === "upDownCounter") return pick(any.concat([0.5, -(2 ** 53), 2 ** 60]));
    return pick(any);
  };

  /** Label values for `def` in the shape a caller may pass them, and the
   * values the registry stores. */
  const labelsFor = (def) => {
    const raw = def.labelNames.map(() => values(random, pick));
    const shape = random();
    let labels;
    if (def.labelNames.length === 0) {
      labels = pick([undefined, [], {}]);
    } else if (shape < 0.5) {
      labels = raw;
    } else {
      // An object, its keys in any order.
      const order = def.labelNames.map((_, i) => i).sort(() => random() - 0.5);
      labels = Object.fromEntries(order.map((i) => [def.labelNames[i], raw[i]]));
    }
    return { labels, values: raw.map(stored) };
  };

  /** Labels for `def` with one defect. */
  const badLabelsFor = (def) => {
    const n = def.labelNames.length;
    const raw = def.labelNames.map(() => values(random, pick));
    const asObject = () => Object.fromEntries(def.labelNames.map((l, i) => [l, raw[i]]));
    const defects = [
      () => raw.concat(["extra"]),
      () => Object.assign(asObject(), { extra: "1" }),
    ];
    if (n > 0) {
      defects.push(
        () => raw.slice(1),
        () => undefined,
        () => {
          const o = asObject();
          delete o[pick(def.labelNames)];
          return o;
        },
        () => {
          const a = raw.slice();
          a[Math.floor(random() * n)] = pick([NaN, Infinity, "nul\0", {}, undefined, null, 1n]);
          return a;
        },
      );
    }
    return pick(defects)();
  };

  /** Calls `call`; if `refusal` is a string, it must throw exactly that
   * (after the metric's name), if `true` any `Error` naming the metric. */
  const attempt = (def, call, refusal, context) => {
    let error;
    try {
      call();
    } catch (e) {
      error = e;
    }
    if (!refusal) {
      assert.equal(error, undefined, `${context}: threw ${error?.message}`);
      seen.ok += 1;
      return;
    }
    assert.ok(error instanceof Error, `${context}: expected an Error, got ${error}`);
    assert.ok(!(error instanceof WebAssembly.RuntimeError), `${context}: the instance trapped: ${error.message}`);
    if (typeof refusal === "string") {
      assert.equal(error.message, `${def.name}: ${refusal}`, context);
      seen.refusals.add(refusal);
    } else {
      assert.ok(error.message.startsWith(`${def.name}: `), `${context}: "${error.message}" does not name the metric`);
    }
    seen.refused += 1;
  };

  /** A recording of `value` into the series of `values` (made if new). */
  const recordInto = (def, values, value) => {
    const { state, refusal } = model.series(def, values);
    if (refusal) return refusal;
    if (def.kind === "histogram") {
      let i = 0;
      while (i < def.bounds.length && value > def.bounds[i]) i += 1;
      state.buckets[i] += 1;
      state.sum += value;
      state.count += 1;
    } else if (def.kind === "gauge") {
      state.value = value;
    } else {
      state.value += BigInt(value);
    }
    return undefined;
  };

  const method = (def) => ({ counter: "add", upDownCounter: "add", gauge: "set", histogram: "record" })[def.kind];

  for (let step = 0; step < steps; step++) {
    const context = `seed ${seed}, step ${step}`;
    const live = instruments.filter((i) => !i.freed);
    const action = random();
    if (live.length === 0 || action < 0.04) {
      // Create an instrument, or one more object for an existing family.
      const def = pick(definitions);
      let obj;
      attempt(def, () => (obj = registry[def.kind](def.name, def.options)), !model.define(def), context);
      if (obj) instruments.push({ def, obj, freed: false });
    } else if (action < 0.05) {
      // The same name and unit as another kind: refused, nothing changes.
      // (With another unit it would be another family: the unit is part
      // of the name written.)
      const def = pick(live).def;
      const kind = pick(["counter", "upDownCounter", "gauge", "histogram"].filter((k) => k !== def.kind));
      const { bounds, ...options } = def.options;
      if (kind === "histogram" && bounds) options.bounds = bounds;
      attempt(def, () => registry[kind](def.name, options), "cannot register: a family with this name exists with another type, labels or bounds", context);
    } else if (action < 0.06) {
      const inst = pick(live);
      inst.obj.free();
      inst.freed = true;
    } else if (action < 0.12) {
      // A bound series: made by `labels()`, scraped before its first use.
      const inst = pick(live);
      let obj;
      if (chance(0.15)) {
        const labels = badLabelsFor(inst.def);
        attempt(inst.def, () => (obj = inst.obj.labels(labels)), true, context);
        continue;
      }
      const { labels, values: stored } = labelsFor(inst.def);
      const refusal = model.series(inst.def, stored).refusal;
      attempt(inst.def, () => (obj = inst.obj.labels(labels)), refusal, context);
      if (obj) bound.push({ def: inst.def, values: stored, obj, freed: false });
    } else if (action < 0.3 && bound.length > 0) {
      const b = pick(bound);
      if (b.freed) {
        // A freed object throws the glue's Error, and nothing is recorded.
        assert.throws(() => b.obj[method(b.def)](1), { name: "Error", message: "null pointer passed to rust" });
      } else if (chance(0.05)) {
        b.obj.free();
        b.freed = true;
      } else if (chance(0.15)) {
        attempt(b.def, () => b.obj[method(b.def)](badValueFor(b.def)), true, context);
      } else if (b.def.kind === "counter" && chance(0.5)) {
        attempt(b.def, () => b.obj.inc(), recordInto(b.def, b.values, 1), context);
      } else {
        const value = valueFor(b.def);
        attempt(b.def, () => b.obj[method(b.def)](value), recordInto(b.def, b.values, value), context);
      }
    } else {
      const inst = pick(live);
      const def = inst.def;
      const defect = random();
      if (defect < 0.1) {
        const { labels } = labelsFor(def);
        attempt(def, () => inst.obj[method(def)](badValueFor(def), labels), true, context);
      } else if (defect < 0.2) {
        const labels = badLabelsFor(def);
        const call = def.kind === "counter" && chance(0.5) ? () => inst.obj.inc(labels) : () => inst.obj[method(def)](valueFor(def), labels);
        attempt(def, call, true, context);
      } else if (def.kind === "counter" && defect < 0.45) {
        const { labels, values: stored } = labelsFor(def);
        attempt(def, () => inst.obj.inc(labels), recordInto(def, stored, 1), context);
      } else {
        const { labels, values: stored } = labelsFor(def);
        const value = valueFor(def);
        attempt(def, () => inst.obj[method(def)](value, labels), recordInto(def, stored, value), context);
      }
    }
    assert.equal(registry.seriesCount, model.seriesUsed, `${context}: seriesCount`);
    if (step % scrapeEvery === scrapeEvery - 1 || step === steps - 1) {
      const text = registry.scrape();
      assertSamples(text, model.expected({ openMetrics: false }), `${context}, text 0.0.4`);
      const om = registry.scrapeFor(OPENMETRICS);
      assert.match(om.contentType, /^application\/openmetrics-text; version=1\.0\.0/, context);
      assert.ok(om.body.endsWith("# EOF\n"), `${context}: OpenMetrics page without # EOF`);
      assertSamples(om.body, model.expected({ openMetrics: true }), `${context}, OpenMetrics`);
    }
  }
  for (const b of bound) if (!b.freed) b.obj.free();
  for (const i of instruments) if (!i.freed) i.obj.free();
  registry.free();
  return seen;
}

/** Label values of every kind the API takes: quotes, backslashes and line
 * breaks (escaped on the page), multibyte and astral characters, a lone
 * surrogate, the empty text, numbers and booleans; and lengths that meet
 * the series' 128 value bytes exactly (60 + 60 + 8) or pass it by one
 * (60 + 60 + 9). */
const MIXED = [
  "/", "/api", "/a b", 'say "hi"', "back\\slash", "line\nbreak", "é", "日本", "🦀", "\uD800",
  "", "/api/user", "x".repeat(60), "ü".repeat(30), 200, 404, -1.5, 1e21, 0, true, false,
];

test("random calls agree with the model, valid and refused", () => {
  const totals = { ok: 0, refused: 0, refusals: new Set() };
  for (let seed = 1; seed <= 24; seed++) {
    const seen = run(seed, {
      steps: 300,
      definitions: DEFINITIONS,
      values: (_, pick) => pick(MIXED),
      scrapeEvery: 20,
    });
    totals.ok += seen.ok;
    totals.refused += seen.refused;
    for (const c of seen.refusals) totals.refusals.add(c);
  }
  // The runs reached both outcomes, and three values of 60 bytes went
  // past the series' value capacity.
  assert.ok(totals.ok > 3000 && totals.refused > 500, JSON.stringify(totals));
  assert.ok(totals.refusals.has("cannot record: label values exceed the series value capacity"));
});

test("label values are refused exactly past the series' 128 bytes", () => {
  // Three labels drawn from lengths that sum to 128 (accepted) or 129
  // and more (refused), in text and as numbers.
  const lengths = ["x".repeat(60), "ü".repeat(30), "/api/user", 'say "hi"', 12345678, 123456789, "é"];
  const temperature = DEFINITIONS.filter((d) => d.name === "temperature");
  const seen = run(201, { steps: 600, definitions: temperature, values: (_, pick) => pick(lengths), scrapeEvery: 100 });
  assert.ok(seen.refusals.has("cannot record: label values exceed the series value capacity"), JSON.stringify([...seen.refusals]));
});

test("series and cell capacity are refused where the model says, and earlier data stays", () => {
  // Many distinct label values: one run fills the series slots with
  // one-cell series, the other the value cells with 33-cell histograms
  // and one-cell series, which go on to take the last cells one by one,
  // so the limit is met exactly.
  const numbers = (random) => Math.floor(random() * 100_000);
  const oneCell = DEFINITIONS.filter((d) => d.kind !== "histogram" && d.labelNames.length > 0);
  const series = run(101, { steps: 4000, definitions: oneCell, values: numbers, scrapeEvery: 500 });
  assert.ok(series.refusals.has("cannot record: registry has no free series slot"), JSON.stringify([...series.refusals]));
  const widest = DEFINITIONS.find((d) => d.name === "wide");
  const wide = [widest, widest, widest, widest].concat(oneCell);
  const cells = run(102, { steps: 3000, definitions: wide, values: numbers, scrapeEvery: 250 });
  assert.ok(cells.refusals.has("cannot record: registry has no free value cells"), JSON.stringify([...cells.refusals]));
});
