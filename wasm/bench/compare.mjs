// JS-side speed of the npm package beside prom-client, in one node process:
// ns per counter increment called from JS (the JS↔wasm crossing included)
// and µs per scrape of counter, gauge and histogram pages; then the floor
// of a JS↔wasm call (a bare export); then the bytes each loads: our
// package's files against the modules node loaded for prom-client (its
// require cache, dependencies included). Run after wasm/build.sh:
//   node wasm/bench/compare.mjs [package directory, default wasm/pkg]
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import path from "node:path";
import client from "prom-client";

const here = path.dirname(fileURLToPath(import.meta.url));
const pkg = path.resolve(process.argv[2] ?? path.join(here, "..", "pkg"));
const { initSync, Registry } = await import(path.join(pkg, "otel_prom_wasm.js"));
initSync({ module: readFileSync(path.join(pkg, "otel_prom_wasm_bg.wasm")) });

const ROUNDS = 15;

/** Median ns per call of `fn` over ROUNDS rounds of `n` calls. */
async function perCall(n, fn) {
  const samples = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await fn(i);
    samples.push(Number(process.hrtime.bigint() - start) / n);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(ROUNDS / 2)];
}

function syncPerCall(n, fn) {
  const samples = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn(i);
    samples.push(Number(process.hrtime.bigint() - start) / n);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(ROUNDS / 2)];
}

const ours = new Registry();
const peer = new client.Registry();

const oursPlain = ours.counter("plain", {});
const peerPlain = new client.Counter({ name: "plain_total", help: "plain", registers: [peer] });
const oursLabelled = ours.counter("requests", { labelNames: ["route", "status"] });
const peerLabelled = new client.Counter({
  name: "requests_total",
  help: "requests",
  labelNames: ["route", "status"],
  registers: [peer],
});
const labels = { route: "/api/items", status: "200" };
const labelArray = ["/api/items", "200"];

const rows = [];
const N = 200_000;
rows.push(["counter +1, no labels (ns/call)", syncPerCall(N, () => oursPlain.add(1)), syncPerCall(N, () => peerPlain.inc(1))]);
rows.push([
  "counter +1, 2 labels as object (ns/call)",
  syncPerCall(N, () => oursLabelled.add(1, labels)),
  syncPerCall(N, () => peerLabelled.inc(labels, 1)),
]);
const oursBound = oursLabelled.labels(labels);
const peerBound = peerLabelled.labels(labels);
rows.push([
  "counter +1, bound series via labels() (ns/call)",
  syncPerCall(N, () => oursBound.add(1)),
  syncPerCall(N, () => peerBound.inc(1)),
]);
// inc() takes no argument: the number check's share of add(1) is the difference.
rows.push(["counter +1, bound series, inc() (ns/call)", syncPerCall(N, () => oursBound.inc()), syncPerCall(N, () => peerBound.inc())]);
rows.push([
  "counter +1, 2 labels as array (ns/call)",
  syncPerCall(N, () => oursLabelled.add(1, labelArray)),
  syncPerCall(N, () => peerLabelled.labels(...labelArray).inc(1)),
]);

// 1,000 series: 10 counter families × 100 label values each.
const scrapeOurs = new Registry();
const scrapePeer = new client.Registry();
for (let f = 0; f < 10; f++) {
  const a = scrapeOurs.counter(`family.${f}`, { help: `Family ${f}.`, labelNames: ["id"] });
  const b = new client.Counter({ name: `family_${f}_total`, help: `Family ${f}.`, labelNames: ["id"], registers: [scrapePeer] });
  for (let i = 0; i < 100; i++) {
    a.add(i + 1, [`series-${i}`]);
    b.inc({ id: `series-${i}` }, i + 1);
  }
}
const oursText = scrapeOurs.scrape();
const peerText = await scrapePeer.metrics();
const countSamples = (t) => t.split("\n").filter((l) => l && !l.startsWith("#")).length;
if (countSamples(oursText) !== 1000 || countSamples(peerText) !== 1000) {
  throw new Error(`expected 1000 samples, got ${countSamples(oursText)} / ${countSamples(peerText)}`);
}
rows.push([
  "scrape 1,000 counter series (µs/scrape)",
  (await perCall(200, () => scrapeOurs.scrape())) / 1000,
  (await perCall(200, () => scrapePeer.metrics())) / 1000,
]);

// Float values: 1,000 gauge series (10 families × 100) set to fractions,
// so every sample goes through the float formatter.
const gaugeOurs = new Registry();
const gaugePeer = new client.Registry();
for (let f = 0; f < 10; f++) {
  const a = gaugeOurs.gauge(`level.${f}`, { help: `Level ${f}.`, labelNames: ["id"] });
  const b = new client.Gauge({ name: `level_${f}`, help: `Level ${f}.`, labelNames: ["id"], registers: [gaugePeer] });
  for (let i = 0; i < 100; i++) {
    const v = (i + 1) / 7 + f * 1000.25;
    a.set(v, [`series-${i}`]);
    b.set({ id: `series-${i}` }, v);
  }
}
if (countSamples(gaugeOurs.scrape()) !== 1000 || countSamples(await gaugePeer.metrics()) !== 1000) {
  throw new Error("expected 1000 gauge samples");
}
rows.push([
  "scrape 1,000 gauge series, fractional values (µs/scrape)",
  (await perCall(200, () => gaugeOurs.scrape())) / 1000,
  (await perCall(200, () => gaugePeer.metrics())) / 1000,
]);

// Histograms: 100 series (10 families × 10) over OpenTelemetry's 15
// default bounds: 1,800 sample lines (16 buckets, sum, count each).
const bounds = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];
const histOurs = new Registry();
const histPeer = new client.Registry();
for (let f = 0; f < 10; f++) {
  const a = histOurs.histogram(`latency.${f}`, { help: `Latency ${f}.`, unit: "ms", labelNames: ["id"], bounds });
  const b = new client.Histogram({ name: `latency_${f}_milliseconds`, help: `Latency ${f}.`, labelNames: ["id"], buckets: bounds, registers: [histPeer] });
  for (let i = 0; i < 10; i++) {
    for (let k = 0; k < 20; k++) {
      const v = (k * 37.5 + i) / 3;
      a.record(v, [`series-${i}`]);
      b.observe({ id: `series-${i}` }, v);
    }
  }
}
if (countSamples(histOurs.scrape()) !== 1800 || countSamples(await histPeer.metrics()) !== 1800) {
  throw new Error(`expected 1800 histogram samples, got ${countSamples(histOurs.scrape())} / ${countSamples(await histPeer.metrics())}`);
}
rows.push([
  "scrape 100 histogram series, 15 bounds: 1,800 lines (µs/scrape)",
  (await perCall(200, () => histOurs.scrape())) / 1000,
  (await perCall(200, () => histPeer.metrics())) / 1000,
]);

console.log(`node ${process.version}, prom-client ${JSON.parse(readFileSync(path.join(here, "..", "node_modules", "prom-client", "package.json"))).version}`);
console.log("| operation | otel-prom-wasm | prom-client | ours / peer |");
console.log("|---|---:|---:|---:|");
for (const [name, a, b] of rows) {
  console.log(`| ${name} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${(a / b).toFixed(2)} |`);
}

// The crossing's floor, without Rust or glue: an export that only bumps a
// global, called from JS the way the glue calls ours (a pointer and a
// value in). wasm-bindgen returns a `Result` as two values, which V8 hands
// to JS as an array; a single result does not allocate.
// The module is written out byte by byte: every length in it is below 128,
// so each fits one LEB128 byte.
const I32 = 0x7f;
const EXTERNREF = 0x6f;
const section = (id, bytes) => [id, bytes.length, ...bytes];
const vec = (items) => [items.length, ...items.flat()];
const name = (text) => [text.length, ...new TextEncoder().encode(text)];
const body = (...code) => [code.length + 1, 0, ...code]; // size, no locals, code
const bump = [0x23, 0, 0x41, 1, 0x6a, 0x24, 0]; // global 0 += 1
const floorModule = new Uint8Array([
  ...[0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0], // "\0asm", version 1
  ...section(1, vec([ // types: (i32, externref) -> i32 and -> (externref, i32)
    [0x60, 2, I32, EXTERNREF, 1, I32],
    [0x60, 2, I32, EXTERNREF, 2, EXTERNREF, I32],
  ])),
  ...section(3, vec([[0], [1]])), // functions: one of each type
  ...section(6, vec([[I32, 1, 0x41, 0, 0x0b]])), // a mutable i32 global, 0
  ...section(7, vec([[...name("one"), 0, 0], [...name("two"), 0, 1]])), // exports
  ...section(10, vec([ // code
    body(...bump, 0x41, 0, 0x0b), // i32.const 0
    body(...bump, 0xd0, EXTERNREF, 0x41, 0, 0x0b), // ref.null extern, i32.const 0
  ])),
]);
const floor = new WebAssembly.Instance(new WebAssembly.Module(floorModule)).exports;
const floorOne = syncPerCall(N, (i) => {
  const ret = floor.one(8, i);
  if (ret) throw new Error("unreachable");
});
const floorTwo = syncPerCall(N, (i) => {
  const ret = floor.two(8, i);
  if (ret[1]) throw ret[0];
});
console.log("");
console.log("| crossing floor: a bare export, no Rust, no glue (ns/call) | one result | two results (a `Result`) |");
console.log("|---|---:|---:|");
console.log(`| global += 1 | ${floorOne.toFixed(1)} | ${floorTwo.toFixed(1)} |`);

// What each side loads: gzip over the concatenated JS, as a bundle ships it.
const loaded = (files) => {
  const bytes = files.map((f) => readFileSync(f));
  return [bytes.reduce((n, b) => n + b.length, 0), gzipSync(Buffer.concat(bytes), { level: 9 }).length];
};
// (Packages built before the argument checks moved to JS have no args file.)
const oursJs = loaded(["otel_prom_wasm.js", "otel_prom_wasm_args.js"].map((f) => path.join(pkg, f)).filter(existsSync));
const oursWasm = loaded([path.join(pkg, "otel_prom_wasm_bg.wasm")]);
const peerFiles = Object.keys(createRequire(import.meta.url).cache).filter((f) => f.includes("node_modules"));
const peerJs = loaded(peerFiles);
console.log("");
console.log(`| bytes loaded | otel-prom-wasm | prom-client (${peerFiles.length} modules) | ours / peer |`);
console.log("|---|---:|---:|---:|");
const total = [oursJs[0] + oursWasm[0], oursJs[1] + oursWasm[1]];
for (const [name, i] of [["raw", 0], ["gzip -9", 1]]) {
  console.log(`| ${name}: JS ${oursJs[i]} + .wasm ${oursWasm[i]} | ${total[i]} | ${peerJs[i]} | ${(total[i] / peerJs[i]).toFixed(2)} |`);
}
