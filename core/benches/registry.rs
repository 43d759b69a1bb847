//! The registry against `prometheus-client` 0.26, same data, same run:
//! 10,000 series = 50 families (25 counters, 25 histograms with 11 bounds
//! 0.005…10) × 200 series × 2 labels, every series recorded.
//!
//! Registration: the same 50 families into an empty registry.
//!
//! Run: `cargo bench -p otel-prom-core --bench registry`

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use otel_prom_core::registry::{CounterId, HistogramId, Registry};
use otel_prom_core::{Escaping, Format};
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter as PcCounter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram as PcHistogram;
use prometheus_client::registry::Registry as PcRegistry;

#[path = "../../tests/support/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::allocations;

const FAMILIES: usize = 50;
const SERIES: usize = 200;
const BOUNDS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
/// 25 × 200 counter cells + 25 × 200 × (12 buckets + sum).
const CELLS: usize = 25 * SERIES + 25 * SERIES * 13;

static OURS: Registry<FAMILIES, { FAMILIES * SERIES }, CELLS, 2, 32, 12, 96> = Registry::new();

type Labels = Vec<(String, String)>;
type PcHistogramFamily = Family<Labels, PcHistogram, fn() -> PcHistogram>;

struct Data {
    routes: Vec<String>,
    codes: [&'static str; 4],
    counters: Vec<CounterId>,
    histograms: Vec<HistogramId>,
    theirs: PcRegistry,
    their_counters: Vec<Family<Labels, PcCounter>>,
    their_histograms: Vec<PcHistogramFamily>,
    their_labels: Vec<Labels>,
}

/// Family `f` of the data set: counters at even places, histograms at odd.
fn family_name(f: usize) -> String {
    if f.is_multiple_of(2) {
        format!("app_requests_{f}")
    } else {
        format!("app_latency_{f}_seconds")
    }
}

fn new_histogram() -> PcHistogram {
    PcHistogram::new(BOUNDS)
}

impl Data {
    fn build() -> Self {
        let routes: Vec<String> = (0..SERIES)
            .map(|s| format!("/api/v1/resource/{s}"))
            .collect();
        let codes = ["200", "404", "500", "503"];
        let mut theirs = PcRegistry::default();
        let (mut counters, mut histograms, mut their_counters, mut their_histograms) =
            (vec![], vec![], vec![], vec![]);
        let their_labels: Vec<Labels> = (0..SERIES)
            .map(|s| {
                vec![
                    ("route".to_string(), routes[s].clone()),
                    ("code".to_string(), codes[s % 4].to_string()),
                ]
            })
            .collect();
        for f in 0..FAMILIES {
            let name = family_name(f);
            if f % 2 == 0 {
                counters.push(
                    OURS.register_counter(&name, "Benchmark family.", "", &["route", "code"])
                        .unwrap(),
                );
                let fam = Family::<Labels, PcCounter>::default();
                theirs.register(name, "Benchmark family.", fam.clone());
                their_counters.push(fam);
            } else {
                histograms.push(
                    OURS.register_histogram(
                        &name,
                        "Benchmark family.",
                        "",
                        &["route", "code"],
                        &BOUNDS,
                    )
                    .unwrap(),
                );
                let fam: PcHistogramFamily = Family::new_with_constructor(new_histogram);
                theirs.register(name, "Benchmark family.", fam.clone());
                their_histograms.push(fam);
            }
        }
        let data = Data {
            routes,
            codes,
            counters,
            histograms,
            theirs,
            their_counters,
            their_histograms,
            their_labels,
        };
        // Every series recorded, identically on both sides.
        for s in 0..SERIES {
            let ours = [data.routes[s].as_str(), data.codes[s % 4]];
            for (i, id) in data.counters.iter().enumerate() {
                let n = (s * 31 + i) as u64;
                OURS.add(*id, &ours, n).unwrap();
                data.their_counters[i]
                    .get_or_create(&data.their_labels[s])
                    .inc_by(n);
            }
            for (i, id) in data.histograms.iter().enumerate() {
                let v = ((s * 7 + i) % 1000) as f64 / 97.0;
                OURS.observe(*id, &ours, v).unwrap();
                data.their_histograms[i]
                    .get_or_create(&data.their_labels[s])
                    .observe(v);
            }
        }
        data
    }
}

fn scrape(c: &mut Criterion, data: &Data) {
    let mut ours = Vec::with_capacity(8 << 20);
    let mut theirs = String::with_capacity(8 << 20);
    let ours_allocs = allocations(|| {
        ours.clear();
        OURS.write(&mut ours, Format::OpenMetrics100, Escaping::Underscores)
            .unwrap();
    });
    let their_allocs = allocations(|| {
        theirs.clear();
        encode(&mut theirs, &data.theirs).unwrap();
    });
    println!(
        "scrape: ours {} bytes, {ours_allocs} allocations; prometheus-client {} bytes, {their_allocs} allocations",
        ours.len(),
        theirs.len()
    );
    let mut g = c.benchmark_group("scrape_10k_series");
    g.throughput(Throughput::Elements((FAMILIES * SERIES) as u64));
    g.bench_function("otel_prom", |b| {
        b.iter(|| {
            ours.clear();
            OURS.write(
                black_box(&mut ours),
                Format::OpenMetrics100,
                Escaping::Underscores,
            )
            .unwrap();
        })
    });
    g.bench_function("prometheus_client", |b| {
        b.iter(|| {
            theirs.clear();
            encode(black_box(&mut theirs), &data.theirs).unwrap();
        })
    });
    g.finish();
}

fn record(c: &mut Criterion, data: &Data) {
    let mut g = c.benchmark_group("record");
    let ours_counter = OURS
        .counter(data.counters[0], &[&data.routes[0], data.codes[0]])
        .unwrap();
    let their_counter = data.their_counters[0].get_or_create_owned(&data.their_labels[0]);
    g.bench_function("counter_inc_handle/otel_prom", |b| {
        b.iter(|| black_box(&ours_counter).inc())
    });
    g.bench_function("counter_inc_handle/prometheus_client", |b| {
        b.iter(|| black_box(&their_counter).inc())
    });

    let ours_labels: Vec<[&str; 2]> = (0..SERIES)
        .map(|s| [data.routes[s].as_str(), data.codes[s % 4]])
        .collect();
    g.bench_function("counter_inc_by_labels/otel_prom", |b| {
        let mut s = 0;
        b.iter(|| {
            s = (s + 1) % SERIES;
            OURS.add(data.counters[1], black_box(&ours_labels[s]), 1)
                .unwrap();
        })
    });
    g.bench_function("counter_inc_by_labels/prometheus_client", |b| {
        let mut s = 0;
        b.iter(|| {
            s = (s + 1) % SERIES;
            data.their_counters[1]
                .get_or_create(black_box(&data.their_labels[s]))
                .inc();
        })
    });

    let ours_hist = OURS.histogram(data.histograms[0], &ours_labels[0]).unwrap();
    let their_hist = data.their_histograms[0].get_or_create_owned(&data.their_labels[0]);
    g.bench_function("histogram_observe_handle/otel_prom", |b| {
        let mut v = 0.0;
        b.iter(|| {
            v = if v > 12.0 { 0.0 } else { v + 0.37 };
            black_box(&ours_hist).observe(v).unwrap();
        })
    });
    g.bench_function("histogram_observe_handle/prometheus_client", |b| {
        let mut v = 0.0;
        b.iter(|| {
            v = if v > 12.0 { 0.0 } else { v + 0.37 };
            black_box(&their_hist).observe(v);
        })
    });
    g.finish();
}

/// The 50 families of the data set registered into an empty registry, on
/// both sides: our registration translates each name and checks it against
/// every family before it for names a scrape would write twice.
fn register(c: &mut Criterion) {
    type Empty = Registry<FAMILIES, 1, 1, 2, 32, 12, 96>;
    let names: Vec<String> = (0..FAMILIES).map(family_name).collect();
    let mut g = c.benchmark_group("register_50_families");
    g.throughput(Throughput::Elements(FAMILIES as u64));
    g.bench_function("otel_prom", |b| {
        b.iter_batched_ref(
            || Box::new(Empty::new()),
            |reg| {
                for (f, name) in names.iter().enumerate() {
                    if f % 2 == 0 {
                        reg.register_counter(name, "Benchmark family.", "", &["route", "code"])
                            .map(|_| ())
                    } else {
                        reg.register_histogram(
                            name,
                            "Benchmark family.",
                            "",
                            &["route", "code"],
                            &BOUNDS,
                        )
                        .map(|_| ())
                    }
                    .unwrap();
                }
            },
            criterion::BatchSize::SmallInput,
        )
    });
    g.bench_function("prometheus_client", |b| {
        b.iter_batched_ref(
            PcRegistry::default,
            |reg| {
                for (f, name) in names.iter().enumerate() {
                    if f % 2 == 0 {
                        let fam = Family::<Labels, PcCounter>::default();
                        reg.register(name, "Benchmark family.", fam);
                    } else {
                        let fam: PcHistogramFamily = Family::new_with_constructor(new_histogram);
                        reg.register(name, "Benchmark family.", fam);
                    }
                }
            },
            criterion::BatchSize::SmallInput,
        )
    });
    g.finish();
}

fn benches(c: &mut Criterion) {
    let data = Data::build();
    scrape(c, &data);
    record(c, &data);
    register(c);
}

#[allow(missing_docs)]
mod group {
    use super::*;
    criterion_group!(registry, benches);
}
criterion_main!(group::registry);
