// One call of the package, optimized by V8 with the package's glue and the
// wasm call inlined into it, then deoptimized while the wasm call runs:
// the JS that the call runs (the text decoder of a scrape, the label
// writer's encoder, the copy `labelNames` makes) deoptimizes the caller. Run by `deopt.test.mjs` as
// `node --allow-natives-syntax deopt_probe.mjs <case>`; prints what it saw
// as JSON. In the V8 of node 20 and 22, deoptimizing an inlined wasm call
// that returns one reference aborts the process.
import { loadPackage } from "./built_package.mjs";

const which = process.argv[2];
let armed = false;
let fired = 0;

/** Wraps `proto[name]` so that, once armed, its next call deoptimizes `hot`
 * (the caller's optimized code, with the wasm call inside it, is then
 * abandoned when that call returns). Installed before the package loads. */
function deoptimizeOnNextCall(proto, name) {
  const original = proto[name];
  proto[name] = function (...args) {
    if (armed) {
      armed = false;
      fired += 1;
      %DeoptimizeFunction(hot);
    }
    return original.apply(this, args);
  };
}
deoptimizeOnNextCall(TextDecoder.prototype, "decode");
deoptimizeOnNextCall(TextEncoder.prototype, "encodeInto");
deoptimizeOnNextCall(Array.prototype, "slice");

const api = await loadPackage();

const registry = new api.Registry();
const requests = registry.counter("requests", { labelNames: ["route"] });
requests.add(1, { route: "/é" });

// Non-ASCII label values: the label writer hands them to `encodeInto`.
const cases = {
  scrape: () => registry.scrape(),
  scrapeFor: () => registry.scrapeFor("application/openmetrics-text").body,
  add: () => requests.add(1, { route: "/é" }),
  labels: () => requests.labels({ route: "/ü" }).free(),
  labelNames: () => requests.labelNames,
};
const call = cases[which];
if (!call) throw new Error(`no case ${which}`);

function hot() {
  return call();
}

%PrepareFunctionForOptimization(hot);
for (let i = 0; i < 200; i++) hot();
%OptimizeFunctionOnNextCall(hot);
hot();
// V8's status bit for "optimized code installed" (kOptimized).
const optimized = (%GetOptimizationStatus(hot) & 16) !== 0;
armed = true;
const result = hot();
console.log(JSON.stringify({ optimized, fired, result: result ?? null, page: registry.scrape() }));
