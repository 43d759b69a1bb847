// The package `wasm/build.sh` built, loaded the way a host without a
// bundler loads it: the glue imported, the .wasm compiled and handed to
// `initSync`.
import { readFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

/** The built package's directory. */
export const pkg = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "pkg");

/** The built package's .wasm (after `wasm-opt` and the panic stubs). */
export const wasmFile = path.join(pkg, "otel_prom_wasm_bg.wasm");

/** The built package's exports, instantiated.
 *
 * ```js
 * const { Registry } = await loadPackage();
 * const registry = new Registry();
 * ```
 */
export async function loadPackage() {
  if (!existsSync(wasmFile)) {
    throw new Error(`${wasmFile} is missing: run wasm/build.sh first`);
  }
  const api = await import(path.join(pkg, "otel_prom_wasm.js"));
  api.initSync({ module: new WebAssembly.Module(readFileSync(wasmFile)) });
  return api;
}
