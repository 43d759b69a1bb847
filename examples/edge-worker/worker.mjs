// An edge worker (Workers-style ES module) that counts its requests by route
// and status, records their latency, and serves /metrics with the content
// type negotiated from the scraper's Accept header.
//
// With the npm package and a bundler (e.g. wrangler) the imports are
//   import { initSync, Registry } from "otel-prom-wasm";
//   import module from "otel-prom-wasm/otel_prom_wasm_bg.wasm";
// config.capnp names the same files for workerd directly.
import { initSync, Registry } from "./otel_prom_wasm.js";
import module from "./otel_prom_wasm_bg.wasm";

// Synchronous instantiation from the module the runtime already compiled:
// Workers may not compile wasm from bytes at run time.
initSync({ module });

// One registry per isolate: it lives as long as the worker instance, like a
// `static` in Rust, and every request records into it.
const metrics = new Registry();

const requests = metrics.counter("http.server.requests", {
  help: "HTTP requests answered, by route and status.",
  unit: "{request}",
  labelNames: ["route", "status"],
});

const duration = metrics.histogram("http.server.request.duration", {
  help: "Time to answer an HTTP request.",
  unit: "s",
  labelNames: ["route"],
  bounds: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1],
});

const inflight = metrics.upDownCounter("http.server.active_requests", {
  help: "Requests being answered now.",
  unit: "{request}",
});

// Routes are a fixed set so label cardinality stays bounded whatever paths
// clients invent (the registry has fixed capacity).
const ROUTES = new Set(["/", "/api/items", "/metrics"]);

function answer(request, path) {
  if (path === "/metrics") {
    const { contentType, body } = metrics.scrapeFor(request.headers.get("accept"));
    // The format follows Accept: a cache in front must key on it.
    return new Response(body, { headers: { "content-type": contentType, vary: "Accept" } });
  }
  if (path === "/") {
    return new Response("hello from the edge\n");
  }
  if (path === "/api/items") {
    return Response.json([{ id: 1 }, { id: 2 }]);
  }
  return new Response("not found\n", { status: 404 });
}

// Metrics must never break the page: a refused recording (capacity full, a
// bug in a label) is logged, and the request is answered anyway.
function record(fn) {
  try {
    fn();
  } catch (e) {
    console.error(`metrics: ${e.message}`);
  }
}

export default {
  async fetch(request) {
    const start = performance.now();
    const path = new URL(request.url).pathname;
    const route = ROUTES.has(path) ? path : "other";
    record(() => inflight.add(1));
    let response;
    try {
      response = answer(request, path);
    } catch (e) {
      response = new Response("internal error\n", { status: 500 });
    }
    record(() => inflight.add(-1));
    record(() => requests.inc({ route, status: response.status }));
    // Workers' clocks advance only across I/O, so a purely computed answer
    // measures 0 s: honest for the isolate, and still counted per bucket.
    record(() => duration.record((performance.now() - start) / 1000, { route }));
    return response;
  },
};
