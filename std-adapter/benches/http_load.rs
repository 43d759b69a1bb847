//! HTTP load: the `/metrics` endpoint with 10,000 series under concurrent
//! scrapes, ours beside `opentelemetry-prometheus` served by the same hyper
//! code (`respond`-style handler, same runtime, same client). Each exporter
//! runs in a child process of its own, so peak RSS is its own.
//!
//! Run: `cargo bench -p otel-prom-std --features http --bench http_load`

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Request, Response};
use opentelemetry::KeyValue;
use opentelemetry::metrics::MeterProvider as _;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::metrics::SdkMeterProvider;
use prometheus::{Encoder as _, TextEncoder};

const SCRAPES: usize = 200;
const CLIENTS: usize = 4;
const BOUNDS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

fn record(provider: &SdkMeterProvider) {
    let meter = provider.meter("bench");
    for i in 0..25 {
        let c = meter.u64_counter(format!("app.requests.{i}")).build();
        let h = meter
            .f64_histogram(format!("app.latency.{i}"))
            .with_unit("s")
            .with_boundaries(BOUNDS.to_vec())
            .build();
        for s in 0..200usize {
            let attrs = [
                KeyValue::new("route", format!("/api/v1/resource/{s}")),
                KeyValue::new("code", ["200", "404", "500", "503"][s % 4]),
            ];
            c.add((s * 31 + i) as u64, &attrs);
            h.record(((s * 7 + i) % 1000) as f64 / 97.0, &attrs);
        }
    }
}

/// The shared hyper server: `render` produces (content type, body).
fn serve(render: impl Fn() -> (&'static str, Vec<u8>) + Send + Sync + 'static) -> u16 {
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    std_listener.set_nonblocking(true).unwrap();
    let port = std_listener.local_addr().unwrap().port();
    let render = std::sync::Arc::new(render);
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(std_listener).unwrap();
            while let Ok((stream, _)) = listener.accept().await {
                let render = render.clone();
                let service =
                    hyper::service::service_fn(move |_req: Request<hyper::body::Incoming>| {
                        let render = render.clone();
                        async move {
                            let (ct, body) =
                                tokio::task::spawn_blocking(move || render()).await.unwrap();
                            let mut r = Response::new(Full::new(Bytes::from(body)));
                            r.headers_mut().insert(
                                hyper::header::CONTENT_TYPE,
                                hyper::header::HeaderValue::from_static(ct),
                            );
                            Ok::<_, std::convert::Infallible>(r)
                        }
                    });
                tokio::spawn(
                    hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), service),
                );
            }
        });
    });
    port
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).map(|l| {
                l.split_whitespace()
                    .nth(1)
                    .unwrap_or("0")
                    .parse()
                    .unwrap_or(0)
            })
        })
        .unwrap_or(0)
}

fn child(which: &str) {
    let provider;
    let port = if which == "ours" {
        let exporter = otel_prom_std::PrometheusExporter::builder()
            .without_target_info()
            .without_scope_info()
            .build();
        provider = SdkMeterProvider::builder()
            .with_reader(exporter.clone())
            .with_resource(Resource::builder_empty().build())
            .build();
        serve(move || {
            let s = exporter.render(None).unwrap();
            (s.content_type, s.body)
        })
    } else {
        let registry = prometheus::Registry::new();
        let reader = opentelemetry_prometheus::exporter()
            .with_registry(registry.clone())
            .without_target_info()
            .scope_info_enabled(false)
            .build()
            .unwrap();
        provider = SdkMeterProvider::builder()
            .with_reader(reader)
            .with_resource(Resource::builder_empty().build())
            .build();
        serve(move || {
            let mut body = Vec::new();
            TextEncoder::new()
                .encode(&registry.gather(), &mut body)
                .unwrap();
            ("text/plain; version=0.0.4; charset=utf-8", body)
        })
    };
    record(&provider);
    std::thread::sleep(Duration::from_millis(200));
    let start = Instant::now();
    let latencies: Vec<Duration> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..CLIENTS)
            .map(|_| {
                s.spawn(move || {
                    (0..SCRAPES / CLIENTS)
                        .map(|_| {
                            let t = Instant::now();
                            let mut c = TcpStream::connect(("127.0.0.1", port)).unwrap();
                            c.write_all(
                                b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                            )
                            .unwrap();
                            let mut buf = Vec::new();
                            c.read_to_end(&mut buf).unwrap();
                            assert!(buf.starts_with(b"HTTP/1.1 200"));
                            t.elapsed()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let wall = start.elapsed();
    let mut l = latencies;
    l.sort();
    let pct = |p: f64| l[((l.len() as f64 * p) as usize).min(l.len() - 1)];
    println!(
        "{which}: {:.1} scrapes/s, p50 {:.2} ms, p99 {:.2} ms, peak RSS {} KiB ({SCRAPES} scrapes, {CLIENTS} clients, 10,000 series)",
        SCRAPES as f64 / wall.as_secs_f64(),
        pct(0.5).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
        peak_rss_kib()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(which) = args.iter().skip(1).find(|a| *a == "ours" || *a == "peer") {
        child(which);
        return;
    }
    // `cargo bench` passes `--bench`; run each side in its own process.
    for which in ["ours", "peer"] {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .arg(which)
            .output()
            .unwrap();
        print!("{}", String::from_utf8_lossy(&out.stdout));
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
