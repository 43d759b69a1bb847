//! Scrapes taken while four threads record: every scrape keeps the
//! histogram invariants (`_count` equals the `+Inf` bucket, cumulative
//! buckets never decrease), counters never go backwards between scrapes,
//! and the real parsers accept every scrape.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};

use otel_prom_core::registry::Registry;
use otel_prom_core::{Escaping, Format};
use otel_prom_tests::judge::{PyParser, promtool, python_parse};

static REG: Registry<2, 16, 128, 1, 16, 8> = Registry::new();

/// `name{labels}` → value, for every sample line.
fn samples(text: &str) -> Vec<(String, f64)> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let (series, value) = l.rsplit_once(' ').unwrap();
            (series.to_string(), value.parse().unwrap())
        })
        .collect()
}

fn check_histograms(text: &str) {
    let mut last_bucket: HashMap<String, f64> = HashMap::new();
    let mut inf: HashMap<String, f64> = HashMap::new();
    for (series, v) in samples(text) {
        if let Some(rest) = series.strip_prefix("work_seconds_bucket{") {
            let worker = rest.split(',').next().unwrap().to_string();
            let prev = last_bucket.insert(worker.clone(), v).unwrap_or(0.0);
            assert!(
                v >= prev,
                "cumulative buckets decrease in {series}:\n{text}"
            );
            if series.contains("le=\"+Inf\"") {
                inf.insert(worker, v);
            }
        } else if let Some(rest) = series.strip_prefix("work_seconds_count{") {
            let worker = rest.trim_end_matches('}').to_string();
            assert_eq!(
                inf.get(&worker),
                Some(&v),
                "_count differs from +Inf for {worker}:\n{text}"
            );
        }
    }
}

#[test]
fn scrapes_during_recording_are_consistent_and_parse() {
    let hist = REG
        .register_histogram(
            "work",
            "Work time.",
            "s",
            &["worker"],
            &[0.001, 0.01, 0.1, 1.0],
        )
        .unwrap();
    let done = REG
        .register_counter("jobs", "Jobs done.", "", &["worker"])
        .unwrap();
    // Series exist before the first scrape, so every scrape shows them.
    for t in 0..4 {
        REG.histogram(hist, &[&format!("w{t}")]).unwrap();
        REG.counter(done, &[&format!("w{t}")]).unwrap();
    }
    let stop = AtomicBool::new(false);
    let mut om_docs = Vec::new();
    let mut text_docs = Vec::new();
    std::thread::scope(|s| {
        for t in 0..4 {
            let stop = &stop;
            s.spawn(move || {
                let name = format!("w{t}");
                let h = REG.histogram(hist, &[&name]).unwrap();
                let c = REG.counter(done, &[&name]).unwrap();
                let mut i = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    h.observe((i % 2000) as f64 / 1000.0).unwrap();
                    c.inc();
                    i += 1;
                }
            });
        }
        let mut previous: HashMap<String, f64> = HashMap::new();
        for round in 0..200 {
            let format = if round % 2 == 0 {
                Format::OpenMetrics100
            } else {
                Format::Text004
            };
            let out = REG
                .write(Vec::new(), format, Escaping::Underscores)
                .unwrap();
            let text = String::from_utf8(out).unwrap();
            check_histograms(&text);
            for (series, v) in samples(&text) {
                if series.starts_with("jobs_total") {
                    let prev = previous.insert(series.clone(), v).unwrap_or(0.0);
                    assert!(v >= prev, "counter went backwards: {series} {prev} -> {v}");
                }
            }
            if round % 20 < 2 {
                if format == Format::OpenMetrics100 {
                    om_docs.push(text)
                } else {
                    text_docs.push(text)
                }
            }
        }
        stop.store(true, Ordering::Relaxed);
    });
    assert!(!om_docs.is_empty() && !text_docs.is_empty());
    for doc in &text_docs {
        if let Some(v) = promtool(doc) {
            assert!(v.code == 0 || v.code == 3, "promtool: {}\n{doc}", v.output);
        }
    }
    if let Some(results) = python_parse(PyParser::OpenMetrics, &om_docs) {
        for (doc, r) in om_docs.iter().zip(results) {
            let parsed = r.unwrap_or_else(|e| panic!("strict parser: {e}\n{doc}"));
            assert!(parsed.iter().any(|s| s.name == "work_seconds_count"));
        }
    }
}
