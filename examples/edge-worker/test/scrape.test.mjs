// Node-side end-to-end test: the edge worker served by the real workerd
// runtime, scraped over HTTP, and the answers parsed by real parsers
// (promtool for Prometheus text 0.0.4, the Python prometheus_client strict
// OpenMetrics parser). Also checks the npm package the worker is built from.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { root, serveWorker, tool } from "./support.mjs";

const pkg = path.join(root, "wasm", "pkg");
const promtool = tool("promtool", ["promtool"]);
const python = tool("python with prometheus_client", [
  process.env.OTEL_PROM_PYTHON,
  path.join(root, "target", "py", "bin", "python"),
]);

/** A xorshift generator: `random(n)` is an integer in [0, n), the same
 * sequence for the same seed on every run. */
function seededRandom(seed) {
  return (n) => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
}

let workerd;
let base;

before(async () => {
  ({ workerd, base } = await serveWorker());
});

after(() => workerd?.kill());

async function scrape(accept) {
  const r = await fetch(`${base}/metrics`, accept ? { headers: { accept } } : {});
  assert.equal(r.status, 200);
  return { contentType: r.headers.get("content-type"), body: await r.text() };
}

function pythonParse(parser, body) {
  const script = path.join(root, "tests", "py", "parse.py");
  const run = spawnSync(python, [script, parser], { input: body, encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  const verdict = JSON.parse(run.stdout.trim().split("\n")[0]);
  assert.ok(verdict.ok, `the ${parser} parser rejected the scrape: ${verdict.error}\n${body}`);
  return verdict.samples;
}

test("a served scrape passes promtool and the Python parsers", async (t) => {
  // The readiness probe was one request to "/"; add known traffic.
  for (let i = 0; i < 4; i++) await fetch(`${base}/api/items`);
  await fetch(`${base}/missing`);

  const text = await scrape();
  assert.equal(text.contentType, "text/plain; version=0.0.4; charset=utf-8");
  const om = await scrape("application/openmetrics-text;version=1.0.0");
  assert.equal(om.contentType, "application/openmetrics-text; version=1.0.0; charset=utf-8");

  if (!promtool || !python) {
    t.skip("promtool or python with prometheus_client not installed");
    return;
  }
  const check = spawnSync(promtool, ["check", "metrics"], { input: text.body, encoding: "utf8" });
  assert.equal(check.status, 0, `promtool: ${check.stdout}${check.stderr}`);

  const value = (samples, name, labels) =>
    samples.find(
      (s) => s.name === name && JSON.stringify(s.labels) === JSON.stringify(Object.entries(labels).sort()),
    )?.value;
  const textSamples = pythonParse("text", text.body);
  assert.equal(value(textSamples, "http_server_requests_total", { route: "/api/items", status: "200" }), "4");
  assert.equal(value(textSamples, "http_server_requests_total", { route: "other", status: "404" }), "1");

  const omSamples = pythonParse("openmetrics", om.body);
  assert.equal(value(omSamples, "http_server_requests_total", { route: "/metrics", status: "200" }), "1");
  assert.equal(value(omSamples, "http_server_request_duration_seconds_count", { route: "/api/items" }), "4");
});

test("the npm package packs with its .wasm, glue, argument checks and types", () => {
  const run = spawnSync("npm", ["pack", "--dry-run", "--json"], { cwd: pkg, encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  const [packed] = JSON.parse(run.stdout);
  const files = packed.files.map((f) => f.path).sort();
  assert.deepEqual(files, [
    "LICENSE",
    "README.md",
    "otel_prom_wasm.d.ts",
    "otel_prom_wasm.js",
    "otel_prom_wasm_args.js",
    "otel_prom_wasm_bg.wasm",
    "otel_prom_wasm_bg.wasm.d.ts",
    "package.json",
  ]);
  const types = readFileSync(path.join(pkg, "otel_prom_wasm.d.ts"), "utf8");
  for (const declared of [
    "export class Registry",
    "scrapeFor(accept?: string | null): ScrapeResult",
    "export interface HistogramOptions",
    "add(value: number, labels?: Labels): void",
  ]) {
    assert.ok(types.includes(declared), `.d.ts lacks ${declared}`);
  }
});

test("the package works in plain node too", async () => {
  const { initSync, Registry } = await import(path.join(pkg, "otel_prom_wasm.js"));
  initSync({ module: readFileSync(path.join(pkg, "otel_prom_wasm_bg.wasm")) });
  const metrics = new Registry();
  const jobs = metrics.counter("jobs.done", { labelNames: ["queue"] });
  jobs.add(3, { queue: "mail" });
  assert.equal(metrics.scrape(), '# TYPE jobs_done_total counter\njobs_done_total{queue="mail"} 3\n');
  assert.throws(() => jobs.add(-1, ["mail"]), { name: "Error", message: "jobs.done: counter increment -1 is negative" });
  assert.ok(existsSync(path.join(pkg, "package.json")));

  // Using an instrument or registry after free() throws; the instance
  // stays healthy, and an instrument keeps a freed registry's data alive.
  const freed = metrics.counter("freed");
  freed.free();
  assert.throws(() => freed.add(1), { name: "Error" });
  const other = new Registry();
  const kept = other.counter("kept");
  other.free();
  kept.add(2);
  assert.throws(() => other.scrape(), { name: "Error" });
  jobs.add(1, ["mail"]);
  assert.match(metrics.scrape(), /jobs_done_total\{queue="mail"\} 4\n/);
});

test("label values of any text cross into the module intact, or are refused by their UTF-8 size", async () => {
  // The package's label writer copies ASCII itself and hands the rest of a
  // value, from its first non-ASCII unit, to TextEncoder: random texts mix
  // both, with lone surrogates (written as U+FFFD) and lengths around the
  // 128-byte limit of a series' label values.
  const { initSync, Registry } = await import(path.join(pkg, "otel_prom_wasm.js"));
  initSync({ module: readFileSync(path.join(pkg, "otel_prom_wasm_bg.wasm")) });
  const metrics = new Registry();
  const c = metrics.counter("t", { labelNames: ["k", "j"] });
  const random = seededRandom(0x2545f491);
  const pieces = [
    () => String.fromCharCode(0x20 + random(0x5f)), // printable ASCII, `"` and `\` included
    () => "\n",
    () => String.fromCharCode(0xa0 + random(0x160)), // Latin-1 and beyond: 2 bytes
    () => String.fromCharCode(0x4e00 + random(0x5000)), // CJK: 3 bytes
    () => String.fromCodePoint(0x1f300 + random(0x300)), // a surrogate pair: 4 bytes
    () => String.fromCharCode(0xd800 + random(0x800)), // a lone surrogate: U+FFFD, 3 bytes
  ];
  const escape = (s) => s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
  const expected = new Map();
  let refused = 0;
  for (let i = 0; i < 600; i++) {
    let text = "";
    const units = random(140);
    const kinds = 1 + random(pieces.length);
    while (text.length < units) text += pieces[random(kinds)]();
    const bytes = Buffer.byteLength(text, "utf8") + 1; // and "x"
    const labels = i % 2 ? [text, "x"] : { k: text, j: "x" };
    if (bytes > 128) {
      assert.throws(() => c.inc(labels), {
        message: "t: cannot record: label values exceed the series value capacity",
      });
      refused++;
    } else {
      c.inc(labels);
      const line = `t_total{k="${escape(text.toWellFormed())}",j="x"}`;
      expected.set(line, (expected.get(line) ?? 0) + 1);
    }
  }
  assert.ok(refused > 50 && expected.size > 300, `refused ${refused}, kept ${expected.size}`);
  const page = metrics.scrape();
  for (const [line, n] of expected) {
    assert.ok(page.includes(`${line} ${n}\n`), `${line} ${n} missing`);
  }
  assert.equal(metrics.seriesCount, expected.size);
});

test("label values are written whole when reading them grows the module's memory", async () => {
  // A getter or Proxy trap runs the caller's code between two label values;
  // a new registry (about 560 KB) grows the memory, which detaches every
  // view of it made before.
  const { initSync, Registry } = await import(path.join(pkg, "otel_prom_wasm.js"));
  const wasm = initSync({ module: readFileSync(path.join(pkg, "otel_prom_wasm_bg.wasm")) });
  const metrics = new Registry();
  const c = metrics.counter("hits", { labelNames: ["a", "b"] });
  c.inc(["warm", "up"]);
  const grows = (value) => () => {
    const before = wasm.memory.buffer.byteLength;
    new Registry();
    assert.ok(wasm.memory.buffer.byteLength > before, "the memory grew");
    return value;
  };
  const object = { a: "first" };
  Object.defineProperty(object, "b", { get: grows("second"), enumerable: true });
  c.inc(object);
  const array = ["ünï", "x"];
  Object.defineProperty(array, 1, { get: grows("çödé") });
  c.add(2, array);
  const proxy = new Proxy(["p", "q"], { get: (t, k) => (k === "0" ? grows("pröxy")() : Reflect.get(t, k)) });
  c.labels(proxy).add(3);
  const page = metrics.scrape();
  for (const line of [
    'hits_total{a="first",b="second"} 1',
    'hits_total{a="ünï",b="çödé"} 2',
    'hits_total{a="pröxy",b="q"} 3',
  ]) {
    assert.ok(page.includes(`${line}\n`), `${line} missing in:\n${page}`);
  }
  assert.equal(metrics.seriesCount, 4);
});

test("options and values are read once, and what the caller's code throws leaves every object freeable", async () => {
  // An exception from the caller's code that unwound through the module
  // would leave the glue's borrow of the called object taken for good.
  const { initSync, Registry } = await import(path.join(pkg, "otel_prom_wasm.js"));
  initSync({ module: readFileSync(path.join(pkg, "otel_prom_wasm_bg.wasm")) });
  const metrics = new Registry();
  let reads = 0;
  const options = {
    labelNames: ["a"],
    get bounds() {
      if (reads++ > 0) throw new Error("read twice");
      return [1, 2];
    },
  };
  const h = metrics.histogram("h", options);
  assert.equal(reads, 1);
  h.record(1.5, ["x"]);
  assert.match(metrics.scrape(), /h_bucket\{a="x",le="2"\} 1\n/);

  const c = metrics.counter("c", { labelNames: ["a"] });
  const { proxy: revoked, revoke } = Proxy.revocable({}, {});
  revoke();
  assert.throws(() => c.add(revoked, ["x"]), { name: "Error", message: "c: the value must be a number, got revoked Proxy" });
  assert.throws(() => c.inc(revoked), TypeError);
  assert.throws(() => c.labels(revoked), TypeError);
  assert.throws(() => metrics.counter("d", revoked), TypeError);
  assert.throws(() => metrics.scrapeFor(revoked), {
    message: "scrapeFor: the Accept header must be a string, got revoked Proxy",
  });
  assert.throws(() => c.inc({ get a() { throw new RangeError("from a getter"); } }), RangeError);
  c.inc(["x"]);
  assert.match(metrics.scrape(), /c_total\{a="x"\} 1\n/);
  c.free();
  h.free();
  metrics.free();
});

/** How many seeds the hostile sweep runs: 1 (20,000 calls) unless
 * `OTEL_PROM_SWEEP_SEEDS` asks for a longer run. */
function sweepSeeds() {
  const asked = process.env.OTEL_PROM_SWEEP_SEEDS;
  if (asked === undefined) return 1;
  const n = Number(asked);
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new Error(`OTEL_PROM_SWEEP_SEEDS must be a whole number from 1 up, got "${asked}"`);
  }
  return n;
}

test("random calls with hostile arguments only ever throw Errors, and leave every object freeable", async () => {
  // A seeded sweep over the whole API: wrong types, NaN, unsafe integers,
  // Proxies (revoked too), throwing and memory-growing getters, free() in
  // between. A wasm trap (RuntimeError) would end the instance; an
  // exception that unwound through wasm would leave an object unfreeable.
  const { initSync, Registry } = await import(path.join(pkg, "otel_prom_wasm.js"));
  initSync({ module: readFileSync(path.join(pkg, "otel_prom_wasm_bg.wasm")) });
  const seeds = sweepSeeds();
  for (let k = 0; k < seeds; k++) {
    // The first seed is the one every run checks; the others are spread
    // by a Weyl step (a xorshift seed must not be 0).
    const seed = (0x9e3779b9 + k * 0x6d2b79f5) >>> 0 || 1;
    hostileSweep(Registry, seed);
  }
});

function hostileSweep(Registry, seed) {
  const random = seededRandom(seed);
  const pick = (items) => items[random(items.length)];
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const texts = ["", "a", "b", "http.server.duration", "ü", "\0", "x".repeat(300), "__x", "le", "1a", "a b", "\ud800"];
  const numbers = [0, 1, -1, 0.5, NaN, Infinity, -Infinity, 2 ** 53, 2 ** 53 - 1, -(2 ** 53) + 1, 1e308, -0, 5e-324];
  const hostile = [
    () => pick(texts),
    () => pick(numbers),
    () => undefined,
    () => null,
    () => true,
    () => 10n,
    () => Symbol("s"),
    () => ({}),
    () => [],
    () => [pick(texts), pick(numbers)],
    () => ({ a: pick(texts), b: pick(numbers) }),
    () => new Proxy({ a: "p", b: "q" }, {}),
    () => revoked.proxy,
    () => ({ get a() { throw new RangeError("getter"); }, b: "x" }),
    () => ({ get a() { new Registry().free(); return "grown"; }, b: "y" }),
  ];
  const any = () => pick(hostile)();
  const options = () =>
    pick([
      undefined,
      {},
      { help: any(), unit: pick(["s", "ms", "By", "{req}", "1", any()]) },
      { labelNames: pick([["a"], ["a", "b"], ["le"], ["a", "a"], any()]) },
      { labelNames: ["a", "b"], bounds: pick([[1, 2], [2, 1], [NaN], [], any()]) },
      { bogus: 1 },
      any(),
    ]);
  const registries = [new Registry(), new Registry()];
  const instruments = [];
  const bound = [];
  const record = (target, value, labels) => (target.add ?? target.set ?? target.record).call(target, value, labels);
  let thrown = 0;
  let recorded = 0;
  for (let i = 0; i < 20_000; i++) {
    try {
      switch (random(8)) {
        case 0:
        case 1:
          instruments.push(pick(registries)[pick(["counter", "upDownCounter", "gauge", "histogram"])](pick([pick(texts), any()]), options()));
          break;
        case 2:
        case 3:
        case 4:
          if (instruments.length) {
            record(pick(instruments), pick([pick(numbers), any()]), any());
            recorded++;
          }
          break;
        case 5:
          if (instruments.length) bound.push(pick(instruments).labels(any()));
          break;
        case 6:
          if (bound.length) record(pick(bound), pick([pick(numbers), any()]));
          break;
        default:
          pick(registries).scrapeFor(pick([undefined, "application/openmetrics-text", ";".repeat(5000), any()]));
      }
    } catch (e) {
      assert.ok(e instanceof Error && !(e instanceof WebAssembly.RuntimeError), `seed ${seed}: ${e}`);
      thrown++;
    }
  }
  // The sweep reached the real paths too, not only the refusals.
  const reached = `seed ${seed}: instruments ${instruments.length}, bound series ${bound.length}, recordings ${recorded}`;
  assert.ok(instruments.length > 100 && bound.length > 300 && recorded > 300 && thrown > 5_000, reached);
  for (const r of registries) {
    assert.match(r.scrapeFor("application/openmetrics-text").body, /# EOF\n$/);
  }
  for (const o of [...bound, ...instruments, ...registries]) o.free();
}
