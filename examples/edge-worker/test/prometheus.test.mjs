// End to end: a real Prometheus server (Debian's `prometheus`) scrapes the
// worker in workerd every second, with its own Accept header, HTTP client
// and parsers; the test reads back what it stored through its query API.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort, retryFor, serveWorker, tool } from "./support.mjs";

const prometheus = tool("prometheus", ["prometheus"]);
const cleanups = [];
after(() => cleanups.reverse().forEach((f) => f()));

/** Prometheus scraping `target` as job "worker"; its API's base URL. */
async function startPrometheus(target) {
  const dir = mkdtempSync(path.join(tmpdir(), "otel-prom-worker-e2e-"));
  const config = path.join(dir, "prometheus.yml");
  writeFileSync(
    config,
    "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n" +
      `scrape_configs:\n  - job_name: worker\n    static_configs:\n      - targets: ['${target}']\n`,
  );
  const port = await freePort();
  const server = spawn(
    prometheus,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${path.join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: "ignore" },
  );
  cleanups.push(() => {
    server.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  return `http://127.0.0.1:${port}`;
}

async function api(base, pathAndQuery) {
  const r = await fetch(`${base}${pathAndQuery}`);
  assert.equal(r.status, 200, `${pathAndQuery}: ${r.status}`);
  return (await r.json()).data;
}

/** The first value of an instant query, or undefined. */
async function value(base, promql) {
  const { result } = await api(base, `/api/v1/query?query=${encodeURIComponent(promql)}`);
  const [first] = result;
  return first === undefined ? undefined : Number(first.value[1]);
}

/** Asks until `want(value)` holds or 60 s have passed; the last value. */
async function waitFor(base, promql, want) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const v = await retryFor(10_000, () => value(base, promql));
    if ((v !== undefined && want(v)) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 500));
  }
}

test("a real Prometheus scrapes the worker, scrape after scrape", async (t) => {
  if (!prometheus) {
    t.skip("prometheus is not installed (apt-get install prometheus)");
    return;
  }
  const { workerd, base } = await serveWorker(); // one request to "/"
  cleanups.push(() => workerd.kill());
  for (let i = 0; i < 7; i++) await fetch(`${base}/api/items`);
  for (let i = 0; i < 3; i++) await fetch(`${base}/no/such/page`);
  const prom = await startPrometheus(new URL(base).host);

  const up = 'up{job="worker"}[10m]';
  const tried = await waitFor(prom, `count_over_time(${up})`, (n) => n >= 5);
  assert.ok(tried >= 5, `Prometheus tried ${tried} scrapes`);
  assert.equal(await value(prom, `count_over_time(${up}) - sum_over_time(${up})`), 0, "a scrape failed");

  const requests = (route, status) =>
    value(prom, `http_server_requests_total{route="${route}",status="${status}"}`);
  assert.equal(await requests("/", 200), 1);
  assert.equal(await requests("/api/items", 200), 7);
  assert.equal(await requests("other", 404), 3);
  // Each scrape is counted once answered, so the next one shows it: the
  // count of /metrics requests only grows.
  const scrapes = 'http_server_requests_total{route="/metrics",status="200"}[10m]';
  assert.equal(await value(prom, `resets(${scrapes})`), 0);
  assert.ok((await value(prom, `increase(${scrapes})`)) > 0);
  assert.equal(
    await value(prom, 'http_server_request_duration_seconds_count{route="/api/items"}'),
    7,
  );
  assert.equal(
    await value(
      prom,
      'http_server_request_duration_seconds_bucket{route="other",le="+Inf"}',
    ),
    3,
  );

  // Prometheus asks for OpenMetrics first, and the worker answered with it:
  // only OpenMetrics has units, and names a counter's family without _total.
  const metadata = await api(prom, "/api/v1/metadata");
  assert.equal(metadata.http_server_request_duration_seconds?.[0].unit, "seconds");
  assert.equal(metadata.http_server_requests?.[0].type, "counter");
});
