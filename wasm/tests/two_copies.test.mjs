// The built package (`wasm/build.sh` first) loaded twice in one JS realm:
// under two URLs, the glue is two modules, each with its own module
// instance and memory, but both import `otel_prom_wasm_args.js` by the same
// relative path, so they share that one module. Recordings through either
// copy must stay in their own registry.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import path from "node:path";

const pkg = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "pkg");
const wasmFile = path.join(pkg, "otel_prom_wasm_bg.wasm");
if (!existsSync(wasmFile)) {
  throw new Error(`${wasmFile} is missing: run wasm/build.sh first`);
}
const glue = pathToFileURL(path.join(pkg, "otel_prom_wasm.js")).href;

/** The sample lines of a scrape. */
const samples = (text) => text.split("\n").filter((l) => l && !l.startsWith("#"));

test("two copies of the package keep their recordings apart", async () => {
  const module = new WebAssembly.Module(readFileSync(wasmFile));
  const first = await import(`${glue}?copy=first`);
  const second = await import(`${glue}?copy=second`);
  assert.notEqual(first.Registry, second.Registry, "two copies of the glue");
  first.initSync({ module });
  second.initSync({ module });

  // Each registry made before the other's first recording, and the
  // recordings interleaved: a label writer keeping the memory of the last
  // registry made would write the first copy's values into the second's.
  const one = new first.Registry();
  const two = new second.Registry();
  const a = one.counter("a", { labelNames: ["route"] });
  const b = two.counter("b", { labelNames: ["route"] });
  a.add(1, { route: "/first" });
  b.add(2, ["/second"]);
  a.add(3, ["/first"]);
  b.labels({ route: "/bound" }).inc();

  assert.deepEqual(samples(one.scrape()), ['a_total{route="/first"} 4']);
  assert.deepEqual(samples(two.scrape()), ['b_total{route="/second"} 2', 'b_total{route="/bound"} 1']);
});
