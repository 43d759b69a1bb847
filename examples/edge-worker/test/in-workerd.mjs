// Runs inside workerd (`workerd test config.capnp`): drives requests through
// the edge worker over a service binding and checks what /metrics says.

function check(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}

function sample(body, line) {
  check(body.split("\n").includes(line), `missing line ${JSON.stringify(line)} in:\n${body}`);
}

export default {
  async test(ctrl, env) {
    const hit = (path, accept) =>
      env.WORKER.fetch(`http://edge.example${path}`, accept ? { headers: { accept } } : {});

    for (let i = 0; i < 3; i++) {
      check((await hit("/")).status === 200, "/ answers 200");
    }
    check((await hit("/api/items")).status === 200, "/api/items answers 200");
    check((await hit("/no/such/page")).status === 404, "unknown paths answer 404");
    check((await hit("/other/unknown")).status === 404, "unknown paths answer 404");

    // Prometheus text 0.0.4: no Accept header.
    const text = await hit("/metrics");
    check(text.status === 200, "/metrics answers 200");
    check(
      text.headers.get("content-type") === "text/plain; version=0.0.4; charset=utf-8",
      `0.0.4 content type, got ${text.headers.get("content-type")}`,
    );
    check(text.headers.get("vary") === "Accept", `Vary: Accept, got ${text.headers.get("vary")}`);
    const body = await text.text();
    sample(body, "# TYPE http_server_requests_total counter");
    sample(body, 'http_server_requests_total{route="/",status="200"} 3');
    sample(body, 'http_server_requests_total{route="/api/items",status="200"} 1');
    sample(body, 'http_server_requests_total{route="other",status="404"} 2');
    sample(body, 'http_server_request_duration_seconds_count{route="/"} 3');
    sample(body, 'http_server_request_duration_seconds_bucket{route="other",le="+Inf"} 2');
    sample(body, "http_server_active_requests 1");
    check(!body.includes("# EOF"), "no # EOF in 0.0.4");

    // The first scrape was counted after it was answered.
    const om = await hit("/metrics", "application/openmetrics-text;version=1.0.0,text/plain;q=0.5");
    check(
      om.headers.get("content-type") === "application/openmetrics-text; version=1.0.0; charset=utf-8",
      `OpenMetrics content type, got ${om.headers.get("content-type")}`,
    );
    // Decoded as the UTF-8 its charset names: workerd warns when `.text()`
    // reads a type outside text/*, though the result would be the same.
    const omBody = new TextDecoder().decode(await om.arrayBuffer());
    sample(omBody, "# TYPE http_server_requests counter");
    sample(omBody, "# UNIT http_server_request_duration_seconds seconds");
    sample(omBody, 'http_server_requests_total{route="/metrics",status="200"} 1');
    sample(omBody, 'http_server_request_duration_seconds_bucket{route="/",le="1.0"} 3');
    check(omBody.endsWith("# EOF\n"), "OpenMetrics ends with # EOF");

    // Prometheus 3 asks for text 1.0.0 with UTF-8 names allowed.
    const utf8 = await hit("/metrics", "text/plain;version=1.0.0;escaping=allow-utf-8");
    check(
      utf8.headers.get("content-type") === "text/plain; version=1.0.0; charset=utf-8; escaping=allow-utf-8",
      `text 1.0.0 content type, got ${utf8.headers.get("content-type")}`,
    );

    // Garbage and unsupported formats fall back to 0.0.4, never an error.
    for (const accept of [";;;garbage,,", "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily"]) {
      const r = await hit("/metrics", accept);
      check(r.status === 200, `${accept} answers 200`);
      check(r.headers.get("content-type") === "text/plain; version=0.0.4; charset=utf-8", `${accept} falls back to 0.0.4`);
    }
  },
};
