//! The whole scrape path (SDK collect + encode to bytes) against
//! `opentelemetry-prometheus` 0.33 (`registry.gather()` +
//! `prometheus::TextEncoder`), same SDK data, same run, target_info and
//! scope labels disabled on both sides so the output is equivalent.
//! Data: 50 instruments (25 u64 counters, 25 f64 histograms with 11 bounds)
//! × N attribute sets × 2 attributes, N = 200 (10,000 series) and 20 (1,000).
//!
//! Run: `cargo bench -p otel-prom-std --bench scrape`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use opentelemetry::KeyValue;
use opentelemetry::metrics::MeterProvider as _;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::metrics::SdkMeterProvider;
use opentelemetry_sdk::metrics::data::ResourceMetrics;
use opentelemetry_sdk::metrics::reader::MetricReader;
use otel_prom_core::{Escaping, Format, Negotiated};
use otel_prom_std::PrometheusExporter;
use prometheus::{Encoder as _, TextEncoder};

#[path = "../../tests/support/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::allocations;

const BOUNDS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Records the data set into `provider`.
fn record(provider: &SdkMeterProvider, sets: usize) {
    let meter = provider.meter("bench");
    for i in 0..25 {
        let c = meter
            .u64_counter(format!("app.requests.{i}"))
            .with_description("Requests.")
            .build();
        let h = meter
            .f64_histogram(format!("app.latency.{i}"))
            .with_description("Latency.")
            .with_unit("s")
            .with_boundaries(BOUNDS.to_vec())
            .build();
        for s in 0..sets {
            let attrs = [
                KeyValue::new("route", format!("/api/v1/resource/{s}")),
                KeyValue::new("code", ["200", "404", "500", "503"][s % 4]),
            ];
            c.add((s * 31 + i) as u64, &attrs);
            h.record(((s * 7 + i) % 1000) as f64 / 97.0, &attrs);
        }
    }
}

fn resource() -> Resource {
    Resource::builder_empty().build()
}

fn bench_size(c: &mut Criterion, sets: usize) {
    let series = 50 * sets;
    let ours = PrometheusExporter::builder()
        .without_target_info()
        .without_scope_info()
        .build();
    let ours_provider = SdkMeterProvider::builder()
        .with_reader(ours.clone())
        .with_resource(resource())
        .build();
    record(&ours_provider, sets);

    let registry = prometheus::Registry::new();
    let theirs = opentelemetry_prometheus::exporter()
        .with_registry(registry.clone())
        .without_target_info()
        .scope_info_enabled(false)
        .build()
        .expect("peer exporter");
    let their_provider = SdkMeterProvider::builder()
        .with_reader(theirs)
        .with_resource(resource())
        .build();
    record(&their_provider, sets);

    let text = Negotiated {
        format: Format::Text004,
        escaping: Escaping::Underscores,
    };
    let mut ours_buf: Vec<u8> = Vec::with_capacity(8 << 20);
    let mut their_buf: Vec<u8> = Vec::with_capacity(8 << 20);
    let scrape_ours = |buf: &mut Vec<u8>| {
        buf.clear();
        ours.write_to(&mut *buf, text).unwrap();
    };
    let scrape_theirs = |buf: &mut Vec<u8>| {
        buf.clear();
        let families = registry.gather();
        TextEncoder::new().encode(&families, buf).unwrap();
    };
    scrape_ours(&mut ours_buf);
    scrape_theirs(&mut their_buf);
    let a_ours = allocations(|| scrape_ours(&mut ours_buf));
    let a_theirs = allocations(|| scrape_theirs(&mut their_buf));
    let mut rm = ResourceMetrics::default();
    ours.collect(&mut rm).unwrap();
    let a_collect = allocations(|| ours.collect(&mut rm).unwrap());
    println!(
        "{series} series: bytes ours {} / peer {}; allocations per scrape: ours {a_ours} ({:.2}/series), \
         peer {a_theirs} ({:.2}/series), SDK collect alone {a_collect} ({:.2}/series)",
        ours_buf.len(),
        their_buf.len(),
        a_ours as f64 / series as f64,
        a_theirs as f64 / series as f64,
        a_collect as f64 / series as f64,
    );

    // On a shared machine the load drifts between criterion's back-to-back
    // groups; alternating the two exporters round by round gives both the
    // same conditions, and the minimum and median of each are printed.
    // Each round also times the SDK's collect alone, right after the peer's
    // scrape, as the collect inside our next scrape runs: the part of our
    // scrape no encoder can remove, so peer / collect is the ratio even a
    // zero-cost encoder would reach.
    let rounds = 40;
    let (mut t_ours, mut t_theirs, mut t_collect) = (Vec::new(), Vec::new(), Vec::new());
    let timed = |v: &mut Vec<f64>, f: &mut dyn FnMut()| {
        let t = std::time::Instant::now();
        f();
        v.push(t.elapsed().as_secs_f64() * 1e3);
    };
    for _ in 0..rounds {
        timed(&mut t_ours, &mut || scrape_ours(black_box(&mut ours_buf)));
        timed(&mut t_theirs, &mut || {
            scrape_theirs(black_box(&mut their_buf))
        });
        timed(&mut t_collect, &mut || {
            ours.collect(black_box(&mut rm)).unwrap()
        });
    }
    let stats = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        (v[0], v[v.len() / 2])
    };
    let ((ours_min, ours_med), (theirs_min, theirs_med), (collect_min, collect_med)) = (
        stats(&mut t_ours),
        stats(&mut t_theirs),
        stats(&mut t_collect),
    );
    println!(
        "{series} series, {rounds} alternating rounds: ours min {ours_min:.3} ms / median {ours_med:.3} ms, \
         peer min {theirs_min:.3} ms / median {theirs_med:.3} ms; ratio of minimums {:.2}x, of medians {:.2}x",
        theirs_min / ours_min,
        theirs_med / ours_med,
    );
    println!(
        "{series} series, same rounds: SDK collect alone min {collect_min:.3} ms / median {collect_med:.3} ms \
         = {:.0}% / {:.0}% of our scrape; ceiling for any encoder (peer / collect) {:.2}x min, {:.2}x median",
        100.0 * collect_min / ours_min,
        100.0 * collect_med / ours_med,
        theirs_min / collect_min,
        theirs_med / collect_med,
    );

    let mut g = c.benchmark_group(format!("scrape_{series}_series"));
    g.sample_size(20);
    g.bench_function("otel_prom_std", |b| {
        b.iter(|| scrape_ours(black_box(&mut ours_buf)))
    });
    g.bench_function("opentelemetry_prometheus", |b| {
        b.iter(|| scrape_theirs(black_box(&mut their_buf)))
    });
    g.bench_function("sdk_collect_only", |b| {
        b.iter(|| ours.collect(black_box(&mut rm)).unwrap())
    });
    g.finish();
    drop(ours_provider);
    drop(their_provider);
}

fn benches(c: &mut Criterion) {
    bench_size(c, 200);
    bench_size(c, 20);
}

#[allow(missing_docs)]
mod group {
    use super::*;
    criterion_group!(scrape, benches);
}
criterion_main!(group::scrape);
