//! The Rust model behind the JS API, on the host: JS number rules, every
//! error, capacity, and that scrapes parse as the format they claim.

use otel_prom_wasm::core::error::{RecordError, RegisterError};
use otel_prom_wasm::{ErrorKind, InstrumentKind, Metrics, SERIES};

#[test]
fn counters_take_exact_non_negative_integers_only() {
    let m = Metrics::new();
    let c = m.counter("c", "", "", &[]).unwrap();
    let max_safe = 9_007_199_254_740_991.0;
    c.record(max_safe, &[]).unwrap();
    c.record(0.0, &[]).unwrap();
    let kind = |v: f64| c.record(v, &[]).unwrap_err().kind;
    assert_eq!(kind(-1.0), ErrorKind::NegativeIncrement(-1.0));
    assert_eq!(kind(1.5), ErrorKind::NotAnInteger(1.5));
    assert_eq!(
        kind(max_safe + 1.0),
        ErrorKind::NotSafeInteger(max_safe + 1.0)
    );
    assert_eq!(
        kind(max_safe + 2.0),
        ErrorKind::NotSafeInteger(max_safe + 2.0)
    );
    assert!(matches!(kind(f64::NAN), ErrorKind::NotFinite(v) if v.is_nan()));
    assert_eq!(kind(f64::INFINITY), ErrorKind::NotFinite(f64::INFINITY));
    assert!(m.scrape(None, |_, b| b.contains("c_total 9007199254740991\n")));
}

#[test]
fn up_down_counters_add_signed_integers() {
    let m = Metrics::new();
    let u = m.up_down_counter("inflight", "", "", &["route"]).unwrap();
    assert_eq!(u.kind(), InstrumentKind::UpDownCounter);
    u.record(3.0, &["/"]).unwrap();
    u.record(-5.0, &["/"]).unwrap();
    assert_eq!(
        u.record(-0.5, &["/"]).unwrap_err().kind,
        ErrorKind::NotAnInteger(-0.5)
    );
    assert!(m.scrape(None, |_, b| b.contains("inflight{route=\"/\"} -2\n")));
}

#[test]
fn integer_totals_refuse_to_leave_64_bits() {
    let m = Metrics::new();
    let c = m.counter("sent", "", "", &[]).unwrap();
    let u = m.up_down_counter("level", "", "", &[]).unwrap();
    let step = 9_007_199_254_740_991.0; // 2^53 - 1: the most one call adds
    // 2^11 steps stay below 2^64; the next would cross it.
    for _ in 0..2048 {
        c.record(step, &[]).unwrap();
    }
    let e = c.record(step, &[]).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Record(RecordError::Overflow));
    assert_eq!(
        e.to_string(),
        "sent: cannot record: the total would leave the series' 64-bit range"
    );
    // 2^10 steps down stay above -2^63; the next would cross it.
    for _ in 0..1024 {
        u.record(-step, &[]).unwrap();
    }
    let e = u.record(-step, &[]).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Record(RecordError::Overflow));
    let text = m.scrape(None, |_, b| b.to_owned());
    let counted = 2048 * 9_007_199_254_740_991u64;
    assert!(text.contains(&format!("sent_total {counted}\n")), "{text}");
    let level = -1024 * 9_007_199_254_740_991i64;
    assert!(text.contains(&format!("level {level}\n")), "{text}");
}

#[test]
fn gauges_set_and_histograms_observe() {
    let m = Metrics::new();
    let g = m.gauge("temp", "Temperature.", "Cel", &[]).unwrap();
    g.record(21.5, &[]).unwrap();
    g.record(-3.25, &[]).unwrap();
    let h = m.histogram("lat", "", "ms", &[], None).unwrap();
    h.record(7.0, &[]).unwrap();
    h.record(20000.0, &[]).unwrap();
    let text = m.scrape(None, |_, b| b.to_owned());
    assert!(text.contains("temp_celsius -3.25\n"), "{text}");
    assert!(
        text.contains("lat_milliseconds_bucket{le=\"10\"} 1\n"),
        "{text}"
    );
    assert!(
        text.contains("lat_milliseconds_bucket{le=\"10000\"} 1\n"),
        "{text}"
    );
    assert!(
        text.contains("lat_milliseconds_bucket{le=\"+Inf\"} 2\n"),
        "{text}"
    );
    assert!(text.contains("lat_milliseconds_sum 20007\n"), "{text}");
}

#[test]
fn errors_name_the_metric_and_leave_no_trace() {
    let m = Metrics::new();
    let c = m.counter("http.requests", "", "", &["route"]).unwrap();
    let e = c.record(1.0, &[]).unwrap_err();
    assert_eq!(e.metric, "http.requests");
    assert_eq!(
        e.kind,
        ErrorKind::Record(RecordError::LabelCount {
            expected: 1,
            got: 0
        })
    );
    assert_eq!(
        e.to_string(),
        "http.requests: cannot record: expected 1 label values, got 0"
    );
    let long = "v".repeat(otel_prom_wasm::VALUE_BYTES + 1);
    let e = c.record(1.0, &[&long]).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Record(RecordError::ValueTooLong));
    let e = m.gauge("http.requests", "", "", &["route"]).err().unwrap();
    assert_eq!(e.kind, ErrorKind::Register(RegisterError::Conflict));
    assert!(m.histogram("latency", "", "", &[], None).is_ok());
    let e = m.gauge("latency_count", "", "", &[]).err().unwrap();
    assert_eq!(e.kind, ErrorKind::Register(RegisterError::NameClash));
    assert_eq!(
        e.to_string(),
        "latency_count: cannot register: another family could write one of this family's names in some scrape"
    );
    let e = m.histogram("h", "", "", &["le"], None).err().unwrap();
    assert_eq!(e.kind, ErrorKind::Register(RegisterError::ReservedLabel));
    let too_many = [1.0f64; 40]
        .iter()
        .enumerate()
        .map(|(i, _)| i as f64)
        .collect::<Vec<_>>();
    let e = m
        .histogram("h", "", "", &[], Some(&too_many))
        .err()
        .unwrap();
    assert_eq!(e.kind, ErrorKind::Register(RegisterError::TooManyBuckets));
    assert_eq!(m.series_len(), 0);
}

#[test]
fn full_series_capacity_is_an_error_and_earlier_series_keep_counting() {
    let m = Metrics::new();
    let c = m.counter("c", "", "", &["i"]).unwrap();
    for i in 0..SERIES {
        c.record(1.0, &[&i.to_string()]).unwrap();
    }
    let e = c.record(1.0, &["new"]).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Record(RecordError::SeriesFull));
    c.record(4.0, &["7"]).unwrap();
    assert!(m.scrape(None, |_, b| b.contains("c_total{i=\"7\"} 5\n")));
    assert_eq!(m.series_len(), SERIES);
}

#[test]
fn a_resolved_series_shares_its_cells_and_outlives_its_instrument() {
    let m = Metrics::new();
    let c = m.counter("c", "", "", &["route"]).unwrap();
    let home = c.series(&["/"]).unwrap();
    assert!(m.scrape(None, |_, b| b.contains("c_total{route=\"/\"} 0\n")));
    home.record(2.0).unwrap();
    c.record(3.0, &["/"]).unwrap();
    drop(c);
    home.record(4.0).unwrap();
    assert_eq!(
        home.record(0.5).unwrap_err().kind,
        ErrorKind::NotAnInteger(0.5)
    );
    assert!(m.scrape(None, |_, b| b.contains("c_total{route=\"/\"} 9\n")));
    assert_eq!(
        home.instrument().series(&[]).err().map(|e| e.kind),
        Some(ErrorKind::Record(RecordError::LabelCount {
            expected: 1,
            got: 0
        }))
    );

    let h = m.histogram("lat", "", "s", &[], Some(&[1.0])).unwrap();
    let all = h.series(&[]).unwrap();
    all.record(0.5).unwrap();
    all.record(2.0).unwrap();
    assert!(
        matches!(all.record(f64::NAN).unwrap_err().kind, ErrorKind::NotFinite(v) if v.is_nan())
    );
    let g = m.gauge("g", "", "", &[]).unwrap().series(&[]).unwrap();
    g.record(-1.25).unwrap();
    let u = m
        .up_down_counter("u", "", "", &[])
        .unwrap()
        .series(&[])
        .unwrap();
    u.record(-3.0).unwrap();
    let text = m.scrape(None, |_, b| b.to_owned());
    for line in [
        "lat_seconds_bucket{le=\"1\"} 1\n",
        "lat_seconds_count 2\n",
        "g -1.25\n",
        "u -3\n",
    ] {
        assert!(text.contains(line), "{line} in {text}");
    }

    // The last owner of the registry: recording still reaches its cells.
    drop(m);
    for _ in 0..3 {
        home.record(1.0).unwrap();
    }
    assert_eq!(home.instrument().name(), "c");
}

#[test]
fn scrapes_reuse_one_buffer_and_follow_the_accept_header() {
    let m = Metrics::new();
    m.counter("jobs", "Jobs.", "", &[])
        .unwrap()
        .record(2.0, &[])
        .unwrap();
    let om = m.scrape(Some("application/openmetrics-text"), |ct, b| {
        (ct, b.to_owned())
    });
    assert_eq!(
        om,
        (
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
            "# HELP jobs Jobs.\n# TYPE jobs counter\njobs_total 2\n# EOF\n".to_owned()
        )
    );
    let text = m.scrape(Some("text/plain"), |ct, b| (ct, b.to_owned()));
    assert_eq!(text.0, "text/plain; version=0.0.4; charset=utf-8");
    assert_eq!(
        text.1,
        "# HELP jobs_total Jobs.\n# TYPE jobs_total counter\njobs_total 2\n"
    );
    // A shorter scrape after a longer one leaves nothing of the old text.
    assert_eq!(m.scrape(Some("text/plain"), |_, b| b.len()), text.1.len());
}

#[test]
fn a_page_that_outgrows_the_buffer_comes_out_whole() {
    let m = Metrics::new();
    let hits = m.counter("hits", "", "", &["page"]).unwrap();
    hits.record(1.0, &["/"]).unwrap();
    let small = m.scrape(None, |_, b| b.to_owned());
    let mut expected = small.clone();
    for i in 0..300 {
        let page = format!("/page/{i}");
        hits.record(i as f64, &[&page]).unwrap();
        expected.push_str(&format!("hits_total{{page=\"{page}\"}} {i}\n"));
    }
    // Ten times the last page: rendered again into a grown buffer, whole.
    let big = m.scrape(None, |_, b| b.to_owned());
    assert_eq!(big, expected);
    assert!(big.len() > 10 * small.len());
    assert_eq!(m.scrape(None, |_, b| b.to_owned()), big);
}

#[test]
fn hostile_label_values_stay_inside_their_quotes() {
    let m = Metrics::new();
    let c = m.counter("c", "", "", &["v"]).unwrap();
    c.record(1.0, &["a\"}\n# EOF\nc_total 99\n\\"]).unwrap();
    let text = m.scrape(None, |_, b| b.to_owned());
    assert_eq!(
        text.lines().filter(|l| !l.starts_with('#')).count(),
        1,
        "{text}"
    );
    assert!(
        text.contains(r#"c_total{v="a\"}\n# EOF\nc_total 99\n\\"} 1"#),
        "{text}"
    );
}
