//! Real third-party parsers judge the fixture: `promtool check metrics` for
//! Prometheus text, the strict OpenMetrics parser of Python
//! `prometheus_client` for OpenMetrics, and its text parser for values.

use otel_prom_core::{Escaping, Format};
use otel_prom_tests::fixture::{HOSTILE_VALUES, render};
use otel_prom_tests::judge::{ParsedSample, PyParser, promtool, python_parse};

fn hostile_samples(samples: &[ParsedSample]) -> Vec<(String, String)> {
    samples
        .iter()
        .filter(|s| s.name == "hostile_help")
        .map(|s| {
            let get = |k: &str| {
                s.labels
                    .iter()
                    .find(|(n, _)| n == k)
                    .map(|(_, v)| v.clone())
                    .unwrap()
            };
            (get("idx"), get("value"))
        })
        .collect()
}

fn assert_hostile_values_round_trip(samples: &[ParsedSample]) {
    let got = hostile_samples(samples);
    let want: Vec<_> = HOSTILE_VALUES
        .iter()
        .enumerate()
        .map(|(i, v)| (i.to_string(), v.to_string()))
        .collect();
    assert_eq!(
        got, want,
        "hostile label values must come back exactly, one sample each"
    );
    assert!(
        !samples.iter().any(|s| s.name.starts_with("evil")),
        "injected sample"
    );
}

#[test]
fn promtool_accepts_text_004() {
    for escaping in [Escaping::Underscores, Escaping::Dots, Escaping::Values] {
        let text = render(Format::Text004, escaping);
        let Some(v) = promtool(&text) else { return };
        assert!(
            v.code == 0 || v.code == 3,
            "promtool rejected ({escaping:?}): {}\n{text}",
            v.output
        );
    }
}

#[test]
fn strict_openmetrics_parser_accepts_fixture() {
    let docs = vec![
        render(Format::OpenMetrics100, Escaping::Underscores),
        render(Format::OpenMetrics100, Escaping::AllowUtf8),
        render(Format::OpenMetrics100, Escaping::Values),
    ];
    let Some(results) = python_parse(PyParser::OpenMetrics, &docs) else {
        return;
    };
    for (doc, result) in docs.iter().zip(results) {
        let samples =
            result.unwrap_or_else(|e| panic!("strict OpenMetrics parser rejected: {e}\n{doc}"));
        assert_hostile_values_round_trip(&samples);
        let total = samples
            .iter()
            .find(|s| {
                s.name == "http_requests_total" && s.labels.contains(&("code".into(), "200".into()))
            })
            .expect("counter sample");
        assert_eq!(
            total.value,
            u64::MAX.to_string(),
            "u64 counter keeps every digit"
        );
        let (ex_labels, ex_value) = total.exemplar.clone().expect("exemplar");
        assert_eq!(ex_value, "1");
        assert!(
            ex_labels.contains(&("trace_id".into(), "4bf92f3577b34da6a3ce929d0e0e4736".into()))
        );
        let count = samples
            .iter()
            .find(|s| {
                s.name == "request_duration_seconds_count"
                    && s.labels == [("method".into(), "GET".into())]
            })
            .unwrap();
        let inf = samples
            .iter()
            .find(|s| {
                s.name == "request_duration_seconds_bucket"
                    && s.labels.contains(&("le".into(), "+Inf".into()))
                    && s.labels.contains(&("method".into(), "GET".into()))
            })
            .unwrap();
        assert_eq!(count.as_f64(), inf.as_f64());
        let info = samples.iter().find(|s| s.family == "target").unwrap();
        assert_eq!(info.kind, "info");
    }
}

#[test]
fn utf8_names_survive_openmetrics_allow_utf8() {
    let doc = render(Format::OpenMetrics100, Escaping::AllowUtf8);
    let Some(results) = python_parse(PyParser::OpenMetrics, &[doc]) else {
        return;
    };
    let samples = results.into_iter().next().unwrap().unwrap();
    let s = samples
        .iter()
        .find(|s| s.family == "my.dotted_metric")
        .expect("utf-8 family");
    assert_eq!(s.name, "my.dotted_metric_total");
    assert_eq!(s.labels, [("http.method".to_string(), "GET".to_string())]);
}

#[test]
fn text_parser_reads_values_back() {
    let docs = vec![render(Format::Text004, Escaping::Underscores)];
    let Some(results) = python_parse(PyParser::Text, &docs) else {
        return;
    };
    let samples = results.into_iter().next().unwrap().unwrap();
    assert_hostile_values_round_trip(&samples);
    let temp = |sensor: &str| {
        samples
            .iter()
            .find(|s| {
                s.name == "temperature_celsius" && s.labels == [("sensor".into(), sensor.into())]
            })
            .unwrap()
            .as_f64()
    };
    assert!(temp("nan").is_nan());
    assert_eq!(temp("inf"), f64::INFINITY);
    assert_eq!(temp("neg_inf"), f64::NEG_INFINITY);
    assert_eq!(temp("tiny"), 5e-324);
    assert_eq!(temp("big"), 1e21);
    assert_eq!(temp("i64_min"), i64::MIN as f64);
}

/// Under `dots` and `values` names are rewritten, but every sample must
/// still be its family's name plus the suffix its type allows: the strict
/// parser checks exactly that, and must find every sample under every
/// scheme.
#[test]
fn strict_openmetrics_parser_accepts_every_escaping_scheme() {
    let schemes = [
        Escaping::Underscores,
        Escaping::AllowUtf8,
        Escaping::Dots,
        Escaping::Values,
    ];
    let docs: Vec<String> = schemes
        .iter()
        .map(|&e| render(Format::OpenMetrics100, e))
        .collect();
    let Some(results) = python_parse(PyParser::OpenMetrics, &docs) else {
        return;
    };
    let counts: Vec<usize> = docs
        .iter()
        .zip(results)
        .zip(schemes)
        .map(|((doc, result), scheme)| {
            result
                .unwrap_or_else(|e| panic!("strict parser rejected {scheme:?}: {e}\n{doc}"))
                .len()
        })
        .collect();
    assert!(counts[0] > 0);
    assert!(
        counts.iter().all(|&c| c == counts[0]),
        "samples per scheme {schemes:?}: {counts:?}"
    );
}
