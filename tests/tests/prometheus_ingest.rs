//! Prometheus's own scrape parsers as a judge (not promtool's, not
//! Python's): a real Prometheus server scrapes the fixture exposition in each
//! format and escaping scheme it reads, and what it stored, read back through
//! its query API, must be what the fixture wrote: every value to the bit,
//! the hostile label values and the help text exactly, the exemplars and the
//! `_created` samples, and one series per sample, nothing injected.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use otel_prom_core::{Escaping, Format, Negotiated};
use otel_prom_tests::fixture::{HOSTILE_VALUES, render};
use otel_prom_tests::prometheus::{Prometheus, Sample};

/// The pages served, by path: every escaping scheme Prometheus 2.42 can
/// read (its names are legacy, so UTF-8 names come as each scheme writes
/// them), in both formats it reads.
const PAGES: [(&str, Format, Escaping); 5] = [
    ("text", Format::Text004, Escaping::Underscores),
    ("text_dots", Format::Text004, Escaping::Dots),
    ("text_values", Format::Text004, Escaping::Values),
    ("openmetrics", Format::OpenMetrics100, Escaping::Underscores),
    (
        "openmetrics_values",
        Format::OpenMetrics100,
        Escaping::Values,
    ),
];

/// Serves each page of `PAGES` at `/<name>` on a free port, one request per
/// connection, from a thread that lives as long as the test process.
fn serve_pages() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            // One connection at a time: a stalled one must not hold the rest.
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let mut request_line = String::new();
            let mut head = BufReader::new((&stream).take(8192));
            if head.read_line(&mut request_line).is_err() {
                continue;
            }
            let mut line = String::new();
            while head.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let path = request_line.split(' ').nth(1).unwrap_or("");
            let page = PAGES
                .iter()
                .find(|(name, ..)| path.strip_prefix('/') == Some(name));
            let response = match page {
                Some(&(_, format, escaping)) => {
                    let body = render(format, escaping);
                    let content_type = Negotiated { format, escaping }.content_type();
                    format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    )
                }
                None => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .to_string(),
            };
            let _ = stream.write_all(response.as_bytes());
        }
    });
    address
}

/// A sample without the labels Prometheus adds (`job`, `instance`), its
/// `le` as a number: OpenMetrics writes a bound `1.0` where text 0.0.4
/// writes `1` (as Go's client does), and Prometheus 2.42 keeps each as
/// written.
fn own(sample: &Sample) -> (BTreeMap<String, String>, u64) {
    let mut labels = sample.labels.clone();
    labels.remove("job");
    labels.remove("instance");
    if let Some(le) = labels.get_mut("le") {
        let bound: f64 = le.parse().expect("a bound is a number");
        *le = bound.to_string();
    }
    (labels, sample.value.to_bits())
}

/// What Prometheus stored from page `job`'s last scrape: every series but
/// its own (`up`, `scrape_*`), without `_created` ones (OpenMetrics alone has
/// them), sorted.
fn stored(prometheus: &Prometheus, job: &str) -> Vec<(BTreeMap<String, String>, u64)> {
    let selector = format!("{{job=\"{job}\",__name__!~\"up|scrape_.+|.+_created\"}}");
    let mut samples: Vec<_> = prometheus.query(&selector).iter().map(own).collect();
    samples.sort();
    samples
}

#[test]
fn prometheus_stores_exactly_what_the_fixture_wrote() {
    let address = serve_pages();
    let targets: Vec<(&str, String)> = PAGES
        .iter()
        .map(|(name, ..)| (*name, format!("{address}/{name}")))
        .collect();
    let targets: Vec<(&str, &str)> = targets.iter().map(|(j, t)| (*j, t.as_str())).collect();
    let Some(prometheus) = Prometheus::scraping(&targets) else {
        return;
    };

    for (job, ..) in PAGES {
        assert_eq!(
            prometheus.failed_scrapes(job, 3),
            Some(0.0),
            "Prometheus refused a scrape of {job}"
        );
    }

    // The two pages with underscores agree series for series, to the bit.
    let text = stored(&prometheus, "text");
    assert_eq!(text.len(), 38, "{text:#?}");
    assert_eq!(stored(&prometheus, "openmetrics"), text);
    // Under the other schemes only some names change: the same values,
    // each in a series of its own.
    for job in ["text_dots", "text_values", "openmetrics_values"] {
        let values = |samples: &[(BTreeMap<String, String>, u64)]| {
            let mut bits: Vec<u64> = samples.iter().map(|(_, v)| *v).collect();
            bits.sort();
            bits
        };
        assert_eq!(values(&stored(&prometheus, job)), values(&text), "{job}");
    }

    let value = |selector: &str| {
        let found = prometheus.query(&format!("{{job=\"text\",{selector}}}"));
        assert_eq!(found.len(), 1, "{selector}: {found:?}");
        found[0].value
    };
    assert_eq!(
        value("__name__=\"http_requests_total\",method=\"GET\""),
        u64::MAX as f64
    );
    let temperature = |sensor: &str| value(&format!("sensor=\"{sensor}\""));
    assert!(temperature("nan").is_nan());
    assert_eq!(temperature("inf"), f64::INFINITY);
    assert_eq!(temperature("neg_inf"), f64::NEG_INFINITY);
    assert_eq!(temperature("neg_zero").to_bits(), (-0.0f64).to_bits());
    assert_eq!(temperature("tiny"), 5e-324);
    assert_eq!(temperature("big"), 1e21);
    assert_eq!(temperature("plain"), 21.5);
    assert_eq!(temperature("i64_min"), i64::MIN as f64);

    // Hostile label values come back exactly, under every scheme (their
    // label names are legacy), and none of them made a series of its own.
    for (job, ..) in PAGES {
        let mut hostile: Vec<(usize, String, f64)> = prometheus
            .query(&format!("{{job=\"{job}\",idx=~\".+\"}}"))
            .into_iter()
            .map(|s| {
                let idx = s.labels["idx"].parse().unwrap();
                let value = s.labels.get("value").cloned().unwrap_or_default();
                (idx, value, s.value)
            })
            .collect();
        hostile.sort_by_key(|h| h.0);
        let want: Vec<(usize, String, f64)> = HOSTILE_VALUES
            .iter()
            .enumerate()
            .map(|(i, v)| (i, v.to_string(), i as f64 - 4.0))
            .collect();
        assert_eq!(hostile, want, "{job}");
        assert_eq!(
            prometheus.value(&format!("count({{job=\"{job}\",__name__=~\".*evil.*\"}})")),
            None,
            "{job}: an injected series"
        );
    }

    // The help text, escaped differently by the two formats, reads back as
    // one text; the unit and the info type come through OpenMetrics.
    let helps: BTreeSet<String> = prometheus
        .metadata("hostile_help")
        .into_iter()
        .map(|m| m.help)
        .collect();
    assert_eq!(
        helps,
        BTreeSet::from(["Help with \\ backslash, \"quotes\" and a\nnewline.".to_string()])
    );
    let units: BTreeSet<String> = prometheus
        .metadata("request_duration_seconds")
        .into_iter()
        .map(|m| m.unit)
        .collect();
    assert!(units.contains("seconds"), "{units:?}");
    let kinds: BTreeSet<String> = prometheus
        .metadata("target")
        .into_iter()
        .map(|m| m.kind)
        .collect();
    assert!(kinds.contains("info"), "{kinds:?}");

    // OpenMetrics' `_created` and exemplars.
    assert_eq!(
        prometheus.value("http_requests_created{job=\"openmetrics\",method=\"GET\"}"),
        Some(1_700_000_000.125)
    );
    // Each scrape offers the same exemplars again; whether Prometheus keeps
    // the repeats is its business, so they are compared as a set.
    let mut exemplars: Vec<_> = prometheus
        .exemplars("http_requests_total{job=\"openmetrics\"}")
        .into_iter()
        .map(|e| (e.series["method"].clone(), e.labels, e.value, e.timestamp))
        .collect();
    exemplars.dedup();
    let ids = [
        ("span_id".to_string(), "00f067aa0ba902b7".to_string()),
        (
            "trace_id".to_string(),
            "4bf92f3577b34da6a3ce929d0e0e4736".to_string(),
        ),
    ];
    assert_eq!(
        exemplars,
        [("GET".to_string(), BTreeMap::from(ids), 1.0, 1_700_000_123.5)]
    );
    let mut bucket_exemplars: Vec<(String, String, f64)> = prometheus
        .exemplars("request_duration_seconds_bucket{job=\"openmetrics\"}")
        .into_iter()
        .map(|e| {
            (
                e.series["le"].clone(),
                e.labels["trace_id"].clone(),
                e.value,
            )
        })
        .collect();
    bucket_exemplars.sort_by(|a, b| a.0.cmp(&b.0));
    bucket_exemplars.dedup();
    assert_eq!(
        bucket_exemplars,
        [
            ("+Inf".to_string(), "bb".to_string(), 42.0),
            ("0.01".to_string(), "aa".to_string(), 0.007)
        ]
    );
}
