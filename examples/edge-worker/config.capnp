# workerd configuration for the edge worker example.
#   workerd serve config.capnp   serves it on 127.0.0.1:8787
#   workerd test config.capnp    runs test/in-workerd.mjs against it
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "edge-worker", worker = .edgeWorker),
    (name = "edge-worker-tests", worker = .testWorker),
  ],
  sockets = [
    (name = "http", address = "127.0.0.1:8787", http = (), service = "edge-worker"),
  ],
);

const edgeWorker :Workerd.Worker = (
  modules = [
    (name = "worker.mjs", esModule = embed "worker.mjs"),
    (name = "otel_prom_wasm.js", esModule = embed "../../wasm/pkg/otel_prom_wasm.js"),
    (name = "otel_prom_wasm_args.js", esModule = embed "../../wasm/pkg/otel_prom_wasm_args.js"),
    (name = "otel_prom_wasm_bg.wasm", wasm = embed "../../wasm/pkg/otel_prom_wasm_bg.wasm"),
  ],
  compatibilityDate = "2026-11-01",
);

const testWorker :Workerd.Worker = (
  modules = [
    (name = "in-workerd.mjs", esModule = embed "test/in-workerd.mjs"),
  ],
  compatibilityDate = "2026-11-01",
  bindings = [
    (name = "WORKER", service = "edge-worker"),
  ],
);
