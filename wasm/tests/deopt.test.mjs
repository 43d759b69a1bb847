// The package's calls survive V8 deoptimizing their caller while the wasm
// call runs. Each case runs `deopt_probe.mjs` in a node of its own (it
// needs `--allow-natives-syntax` to optimize and deoptimize on cue). In the
// V8 of node 20 and 22, a call that returns one wasm reference, inlined
// into an optimized caller, aborts the process when deoptimized there:
// `scrape()` did, one run in about thirteen of `model.test.mjs` under
// node 20, and every time here, as did the `labelNames` getter. Under a V8 without the fault the cases
// still check that the calls return what they should.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";

const probe = path.join(path.dirname(fileURLToPath(import.meta.url)), "deopt_probe.mjs");

function probeRun(which) {
  const run = spawnSync(process.execPath, ["--allow-natives-syntax", probe, which], { encoding: "utf8" });
  assert.equal(run.signal, null, `${which}: node died (${run.signal}):\n${run.stdout}${run.stderr}`);
  assert.equal(run.status, 0, `${which}:\n${run.stderr}`);
  const seen = JSON.parse(run.stdout);
  // Otherwise the case proved nothing: the caller was not optimized, or
  // nothing deoptimized it during the call.
  assert.ok(seen.optimized, `${which}: the caller was not optimized`);
  assert.equal(seen.fired, 1, `${which}: the deoptimization was not provoked`);
  return seen;
}

test("scrape() deoptimized during its call returns the page", () => {
  const { result, page } = probeRun("scrape");
  assert.equal(result, '# TYPE requests_total counter\nrequests_total{route="/é"} 1\n');
  assert.equal(result, page);
});

test("scrapeFor() deoptimized during its call returns the page", () => {
  const { result } = probeRun("scrapeFor");
  assert.equal(result, '# TYPE requests counter\nrequests_total{route="/é"} 1\n# EOF\n');
});

test("a labelled add() deoptimized during its call counts once", () => {
  // 1 before, 200 to warm up, 1 optimized, 1 deoptimized.
  const { page } = probeRun("add");
  assert.equal(page, '# TYPE requests_total counter\nrequests_total{route="/é"} 203\n');
});

test("labels() deoptimized during its call makes the series", () => {
  const { page } = probeRun("labels");
  assert.match(page, /\nrequests_total\{route="\/ü"\} 0\n/);
});

test("labelNames deoptimized during its call returns the names", () => {
  const { result } = probeRun("labelNames");
  assert.deepEqual(result, ["route"]);
});
