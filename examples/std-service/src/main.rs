//! A small "checkout" service instrumented with the OpenTelemetry SDK:
//! counters, an up-down counter, a histogram and an observable gauge from
//! two meters (scopes), a resource with `service.name`, synthetic traffic,
//! and `/metrics` served by `otel-prom-std`.
//!
//! `std-service --once` records some traffic, prints one scrape and exits;
//! `std-service [--addr HOST:PORT] [--requests N] [--text-only]` serves (default
//! `localhost:9464`, or `OTEL_EXPORTER_PROMETHEUS_HOST` / `_PORT`);
//! `--text-only` answers Prometheus text 0.0.4 whatever the scraper asks.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use opentelemetry::KeyValue;
use opentelemetry::metrics::MeterProvider as _;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::metrics::SdkMeterProvider;
use otel_prom_std::PrometheusExporter;
use otel_prom_std::http::{ServerOptions, serve};

/// The instruments of the service.
struct Instruments {
    requests: opentelemetry::metrics::Counter<u64>,
    bytes: opentelemetry::metrics::Counter<u64>,
    in_flight: opentelemetry::metrics::UpDownCounter<i64>,
    latency: opentelemetry::metrics::Histogram<f64>,
    db_queries: opentelemetry::metrics::Counter<u64>,
}

fn instruments(provider: &SdkMeterProvider, queue: Arc<AtomicU64>) -> Instruments {
    let http = provider.meter_with_scope(
        opentelemetry::InstrumentationScope::builder("checkout.http")
            .with_version("1.4.0")
            .build(),
    );
    let db = provider.meter("checkout.db");
    http.u64_observable_gauge("checkout.queue.depth")
        .with_description("Orders waiting to be processed.")
        .with_unit("{order}")
        .with_callback(move |o| o.observe(queue.load(Ordering::Relaxed), &[]))
        .build();
    Instruments {
        requests: http
            .u64_counter("http.server.requests")
            .with_description("HTTP requests served.")
            .build(),
        bytes: http
            .u64_counter("http.server.response.size")
            .with_description("Bytes sent.")
            .with_unit("By")
            .build(),
        in_flight: http
            .i64_up_down_counter("http.server.active_requests")
            .with_description("Requests in flight.")
            .build(),
        latency: http
            .f64_histogram("http.server.request.duration")
            .with_description("HTTP request latency.")
            .with_unit("s")
            .with_boundaries(vec![0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0])
            .build(),
        db_queries: db
            .u64_counter("db.client.queries")
            .with_description("Database queries.")
            .build(),
    }
}

/// One synthetic request, deterministic in `n`.
fn traffic(i: &Instruments, n: u64) {
    let route = ["/", "/cart", "/checkout", "/health"][(n % 4) as usize];
    let status = if n.is_multiple_of(17) { "500" } else { "200" };
    let attrs = [
        KeyValue::new("http.route", route),
        KeyValue::new("http.response.status_code", status),
    ];
    i.in_flight.add(1, &[]);
    i.requests.add(1, &attrs);
    i.bytes.add(200 + (n % 7) * 100, &attrs);
    i.latency.record(
        0.002 + (n % 50) as f64 * 0.004,
        &[KeyValue::new("http.route", route)],
    );
    if route == "/checkout" {
        i.db_queries
            .add(2, &[KeyValue::new("db.operation", "insert")]);
    }
    i.in_flight.add(-1, &[]);
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };

    let exporter = PrometheusExporter::builder().build();
    let provider = SdkMeterProvider::builder()
        .with_reader(exporter.clone())
        .with_resource(
            Resource::builder_empty()
                .with_attributes([
                    KeyValue::new("service.name", "checkout"),
                    KeyValue::new("service.version", "1.4.0"),
                ])
                .build(),
        )
        .build();
    let queue = Arc::new(AtomicU64::new(0));
    let inst = instruments(&provider, queue.clone());

    if args.iter().any(|a| a == "--once") {
        for n in 0..100 {
            traffic(&inst, n);
        }
        queue.store(7, Ordering::Relaxed);
        match exporter.render(value("--accept").as_deref()) {
            Ok(scrape) => {
                use std::io::Write as _;
                let _ = std::io::stdout().write_all(&scrape.body);
            }
            Err(e) => {
                eprintln!("scrape failed: {e}");
                std::process::exit(1);
            }
        }
        return;
    }

    let mut options = ServerOptions::default();
    if let Some(addr) = value("--addr") {
        options = options.with_address(addr);
    }
    if args.iter().any(|a| a == "--text-only") {
        options = options.with_fixed_format(otel_prom_std::core::Negotiated::DEFAULT);
    }
    let server = match serve(exporter, options) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cannot serve /metrics: {e}");
            std::process::exit(1);
        }
    };
    eprintln!("serving http://{}/metrics", server.local_addr());
    // `--requests N`: record N requests at once, then keep serving with no
    // further traffic (end-to-end tests compare exact values).
    if let Some(total) = value("--requests").and_then(|n| n.parse::<u64>().ok()) {
        for n in 0..total {
            traffic(&inst, n);
        }
        queue.store(7, Ordering::Relaxed);
        loop {
            std::thread::sleep(Duration::from_secs(3600));
        }
    }
    let mut n = 0u64;
    loop {
        traffic(&inst, n);
        queue.store(n % 13, Ordering::Relaxed);
        n += 1;
        std::thread::sleep(Duration::from_millis(20));
    }
}
