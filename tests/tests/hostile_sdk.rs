//! Hostile text from the SDK side (attribute values and keys, descriptions,
//! units, scope names, resource attributes) can never create an extra
//! sample or family, in any format or escaping scheme. The strict parsers
//! are the judges: promtool for Prometheus text 0.0.4, the Python parsers
//! for text and (strict) OpenMetrics, and the fuzz harness's checker.

#[path = "../../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod harness;

use opentelemetry::metrics::MeterProvider as _;
use opentelemetry::{Array, KeyValue, StringValue, Value};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::metrics::SdkMeterProvider;
use otel_prom_core::{Escaping, Format};
use otel_prom_std::PrometheusExporter;
use otel_prom_tests::judge::{PyParser, promtool, python_parse};

const HOSTILE: [&str; 10] = [
    "quote\"inside",
    "back\\slash\\",
    "new\nline",
    "carriage\rreturn",
    "brace}and{",
    "\n# EOF\n",
    "\n# TYPE evil counter\nevil_total 1\n",
    "x\"} 1\nevil_total{a=\"b",
    "\u{0}nul and \u{7f}del",
    "ünïcödé ✓ \u{FFFD}",
];

/// The exporter after every hostile string went in through the SDK: one
/// counter series per hostile value, hostile help and unit, a hostile
/// attribute key, a hostile resource.
fn hostile_exporter() -> (SdkMeterProvider, PrometheusExporter) {
    let exporter = PrometheusExporter::builder().build();
    let resource = Resource::builder_empty()
        .with_attributes([
            KeyValue::new("service.name", "svc\n# EOF"),
            KeyValue::new("evil\"key", "v\"}\n"),
        ])
        .build();
    let provider = SdkMeterProvider::builder()
        .with_reader(exporter.clone())
        .with_resource(resource)
        .build();
    let meter = provider.meter("scope\"\n# EOF");
    let counter = meter
        .u64_counter("requests")
        .with_description("Help \\ with \"quotes\"\n# TYPE evil counter\nevil_total 1")
        .with_unit("{req}\n# EOF")
        .build();
    for (i, v) in HOSTILE.iter().enumerate() {
        counter.add(
            1 + i as u64,
            &[
                KeyValue::new("value", *v),
                KeyValue::new("idx", i as i64),
                KeyValue::new("key\"}\n", "k"),
                KeyValue::new(
                    "list",
                    Value::Array(Array::String(vec![StringValue::from(*v)])),
                ),
            ],
        );
    }
    meter
        // The SDK refuses instrument names outside [A-Za-z0-9_.\-/]; the
        // strangest it lets through:
        .f64_gauge("weird.name/with-dash")
        .with_description("\\n is not a newline; \n is")
        .build()
        .record(1.5, &[KeyValue::new("v", "\r\n\\")]);
    (provider, exporter)
}

#[test]
fn hostile_sdk_text_never_creates_samples_or_families() {
    let (_provider, exporter) = hostile_exporter();
    let cases = [
        (Format::Text004, Escaping::Underscores),
        (Format::Text004, Escaping::Dots),
        (Format::Text004, Escaping::Values),
        (Format::Text100, Escaping::AllowUtf8),
        (Format::OpenMetrics100, Escaping::Underscores),
        (Format::OpenMetrics100, Escaping::AllowUtf8),
        (Format::OpenMetrics100, Escaping::Dots),
        (Format::OpenMetrics100, Escaping::Values),
    ];
    for (format, escaping) in cases {
        let body = exporter.render_format(format, escaping).unwrap();
        let text = String::from_utf8(body).unwrap();
        let parsed = harness::check_exposition(&text, format)
            .unwrap_or_else(|e| panic!("{format:?}/{escaping:?}: {e}\n{text}"));
        // target_info + the counter + the gauge; 10 counter series, 1
        // gauge sample, 1 target_info sample.
        assert_eq!(parsed.families, 3, "{format:?}/{escaping:?}\n{text}");
        let values_written = parsed
            .samples
            .iter()
            .filter(|s| !s.name.ends_with("_created"))
            .count();
        assert_eq!(values_written, 12, "{format:?}/{escaping:?}\n{text}");
        assert!(
            !parsed.samples.iter().any(|s| s.name.contains("evil")),
            "{format:?}/{escaping:?}: injected sample\n{text}"
        );
        // Every hostile value comes back exactly, on its own series.
        let mut values: Vec<&str> = parsed
            .samples
            .iter()
            .filter(|s| !s.name.ends_with("_created"))
            .filter_map(|s| {
                s.labels
                    .iter()
                    .find(|(k, _)| k == "value")
                    .map(|(_, v)| v.as_str())
            })
            .collect();
        values.sort_unstable();
        let mut want = HOSTILE.to_vec();
        want.sort_unstable();
        assert_eq!(values, want, "{format:?}/{escaping:?}");

        let judged = match format {
            Format::Text004 => promtool(&text).map(|v| (v.code == 0 || v.code == 3, v.output)),
            Format::OpenMetrics100 => {
                python_parse(PyParser::OpenMetrics, std::slice::from_ref(&text)).map(
                    |mut r| match r.remove(0) {
                        Ok(samples) => {
                            let n = samples
                                .iter()
                                .filter(|s| !s.name.ends_with("_created"))
                                .count();
                            (n == 12, format!("{n} samples"))
                        }
                        Err(e) => (false, e),
                    },
                )
            }
            _ => None,
        };
        if let Some((ok, why)) = judged {
            assert!(ok, "{format:?}/{escaping:?} rejected: {why}\n{text}");
        }
    }
    // The lax text parser reads the same twelve samples from 0.0.4.
    let text = String::from_utf8(
        exporter
            .render_format(Format::Text004, Escaping::Underscores)
            .unwrap(),
    )
    .unwrap();
    if let Some(mut r) = python_parse(PyParser::Text, std::slice::from_ref(&text)) {
        let samples = r.remove(0).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(samples.len(), 12, "{text}");
    }
}
