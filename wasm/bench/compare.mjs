// JS-side speed of the npm package beside prom-client, in one node process:
// ns per counter increment called from JS (the JS↔wasm crossing included)
// and ms per scrape of 1,000 series. Run after wasm/build.sh:
//   node wasm/bench/compare.mjs
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import client from "prom-client";

const here = path.dirname(fileURLToPath(import.meta.url));
const pkg = path.join(here, "..", "pkg");
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
const scrapeNs = [
  "scrape 1,000 series (µs/scrape)",
  (await perCall(200, () => scrapeOurs.scrape())) / 1000,
  (await perCall(200, () => scrapePeer.metrics())) / 1000,
];
rows.push(scrapeNs);

console.log(`node ${process.version}, prom-client ${JSON.parse(readFileSync(path.join(here, "..", "node_modules", "prom-client", "package.json"))).version}`);
console.log("| operation | otel-prom-wasm | prom-client | ours / peer |");
console.log("|---|---:|---:|---:|");
for (const [name, a, b] of rows) {
  console.log(`| ${name} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${(a / b).toFixed(2)} |`);
}
