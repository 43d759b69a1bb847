//! Encoder benchmarks: a fixed 10,000-series data set (half counters, half
//! 11-bound histograms, two labels each) encoded in Prometheus text and
//! OpenMetrics; number formatting against `core::fmt`; and the heap
//! allocations made during an encode, counted by a global allocator.
//!
//! Run: `cargo bench -p otel-prom-core --bench encode`

use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use otel_prom_core::encode::NumberBuffer;
use otel_prom_core::{
    Bounds, EncodeError, Encoder, Escaping, Format, Histogram, LabelName, Metadata, MetricName,
    Number,
};

#[path = "../../tests/support/counting_alloc.rs"]
mod counting_alloc;
use counting_alloc::allocations;

const FAMILIES: usize = 50;
const SERIES: usize = 200;
const BOUNDS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

struct DataSet {
    names: Vec<String>,
    routes: Vec<String>,
    codes: Vec<&'static str>,
    counters: Vec<u64>,
    buckets: Vec<[u64; 12]>,
    sums: Vec<f64>,
}

impl DataSet {
    fn new() -> Self {
        let names = (0..FAMILIES)
            .map(|f| {
                if f % 2 == 0 {
                    format!("app_requests_{f}")
                } else {
                    format!("app_latency_{f}_seconds")
                }
            })
            .collect();
        let routes = (0..SERIES)
            .map(|s| format!("/api/v1/resource/{s}"))
            .collect();
        let codes = vec!["200", "404", "500", "503"];
        let n = FAMILIES * SERIES;
        let counters = (0..n as u64).map(|i| i * 7919 % 1_000_003).collect();
        let buckets = (0..n as u64)
            .map(|i| core::array::from_fn(|b| (i + b as u64 * 31) % 97))
            .collect();
        let sums = (0..n).map(|i| i as f64 * 0.37).collect();
        DataSet {
            names,
            routes,
            codes,
            counters,
            buckets,
            sums,
        }
    }

    fn samples(&self) -> usize {
        // counters: 1 line; histograms: 12 buckets + sum + count.
        (FAMILIES / 2) * SERIES + (FAMILIES / 2) * SERIES * 14
    }

    fn encode<W: embedded_io::Write>(
        &self,
        enc: &mut Encoder<W>,
    ) -> Result<(), EncodeError<W::Error>> {
        let route = LabelName::new("route").unwrap();
        let code = LabelName::new("code").unwrap();
        let bounds = Bounds::new(&BOUNDS).unwrap();
        for (f, name) in self.names.iter().enumerate() {
            let meta = Metadata::new(MetricName::new(name).unwrap(), "Benchmark family.");
            if f % 2 == 0 {
                let mut fam = enc.counter(&meta)?;
                for s in 0..SERIES {
                    let i = f * SERIES + s;
                    let labels = [(route, self.routes[s].as_str()), (code, self.codes[s % 4])];
                    fam.sample(&labels, Number::U64(self.counters[i]))?;
                }
            } else {
                let mut fam = enc.histogram(&meta)?;
                for s in 0..SERIES {
                    let i = f * SERIES + s;
                    let labels = [(route, self.routes[s].as_str()), (code, self.codes[s % 4])];
                    let h = Histogram::new(bounds, &self.buckets[i], Number::F64(self.sums[i]))
                        .unwrap();
                    fam.sample(&labels, &h)?;
                }
            }
        }
        Ok(())
    }

    fn render(&self, format: Format, out: &mut Vec<u8>) {
        out.clear();
        let mut enc = Encoder::new(out, format, Escaping::Underscores);
        self.encode(&mut enc).unwrap();
        enc.finish().unwrap();
    }
}

fn encode_benches(c: &mut Criterion) {
    let data = DataSet::new();
    let mut out = Vec::with_capacity(4 << 20);
    for (label, format) in [
        ("text_0.0.4", Format::Text004),
        ("openmetrics", Format::OpenMetrics100),
    ] {
        data.render(format, &mut out);
        let len = out.len();
        // Allocations during one encode into a buffer that already has room.
        let allocs = allocations(|| data.render(format, &mut out));
        println!(
            "encode/{label}: {} series, {} samples, {len} bytes, heap allocations during encode: {allocs}",
            FAMILIES * SERIES,
            data.samples()
        );
        assert_eq!(allocs, 0, "the encoder must not allocate");

        let mut g = c.benchmark_group("encode_10k_series");
        g.throughput(Throughput::Bytes(len as u64));
        g.bench_function(label, |b| {
            b.iter(|| data.render(format, black_box(&mut out)))
        });
        g.finish();
    }
}

fn number_benches(c: &mut Criterion) {
    let floats: Vec<f64> = (0..1024)
        .map(|i| (i as f64 * 1.618_033_988_749).powf(1.7) / 97.0)
        .collect();
    let ints: Vec<u64> = (0..1024u64)
        .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (i % 40))
        .collect();
    let mut g = c.benchmark_group("format_1024_values");
    g.throughput(Throughput::Elements(1024));
    g.bench_function("f64/otel_prom", |b| {
        let mut nb = NumberBuffer::new();
        b.iter(|| {
            let mut n = 0;
            for v in &floats {
                n += nb.format_f64(black_box(*v)).len();
            }
            n
        })
    });
    g.bench_function("f64/core_fmt", |b| {
        let mut s = String::with_capacity(64);
        b.iter(|| {
            let mut n = 0;
            for v in &floats {
                s.clear();
                write!(s, "{}", black_box(*v)).unwrap();
                n += s.len();
            }
            n
        })
    });
    g.bench_function("u64/otel_prom", |b| {
        let mut nb = NumberBuffer::new();
        b.iter(|| {
            let mut n = 0;
            for v in &ints {
                n += nb.format_u64(black_box(*v)).len();
            }
            n
        })
    });
    g.bench_function("u64/core_fmt", |b| {
        let mut s = String::with_capacity(64);
        b.iter(|| {
            let mut n = 0;
            for v in &ints {
                s.clear();
                write!(s, "{}", black_box(*v)).unwrap();
                n += s.len();
            }
            n
        })
    });
    g.finish();
}

#[allow(missing_docs)]
mod group {
    use super::*;
    criterion_group!(benches, encode_benches, number_benches);
}
use group::benches;
criterion_main!(benches);
