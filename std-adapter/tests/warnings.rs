//! What the exporter leaves out of a scrape it says: every dropped metric or
//! point is a `tracing` warning naming why, once per family and scrape, so
//! a loss is never silent.

use std::sync::{Arc, Mutex};

use opentelemetry::metrics::MeterProvider as _;
use opentelemetry::{InstrumentationScope, KeyValue};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::metrics::SdkMeterProvider;
use otel_prom_core::{Escaping, Format};
use otel_prom_std::PrometheusExporter;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

/// One warning: its message and its `metric` field, if any.
#[derive(Debug, Clone, PartialEq)]
struct Warning {
    message: String,
    metric: Option<String>,
}

impl Visit for Warning {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        match field.name() {
            "message" => self.message = format!("{value:?}"),
            "metric" => self.metric = Some(format!("{value:?}")),
            _ => {}
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "message" => self.message = value.to_string(),
            "metric" => self.metric = Some(value.to_string()),
            _ => {}
        }
    }
}

/// Keeps the warnings logged on this thread while it is the default.
#[derive(Clone, Default)]
struct Warnings(Arc<Mutex<Vec<Warning>>>);

impl Subscriber for Warnings {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        *metadata.level() == Level::WARN
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut warning = Warning {
            message: String::new(),
            metric: None,
        };
        event.record(&mut warning);
        self.0.lock().unwrap().push(warning);
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

/// Renders one Prometheus text scrape; returns it with the warnings it logged.
fn scrape_logged(exporter: &PrometheusExporter) -> (String, Vec<Warning>) {
    let warnings = Warnings::default();
    let text = tracing::subscriber::with_default(warnings.clone(), || {
        exporter
            .render_format(Format::Text004, Escaping::Underscores)
            .unwrap()
    });
    let logged = warnings.0.lock().unwrap().clone();
    (String::from_utf8(text).unwrap(), logged)
}

fn setup(resource: Resource) -> (SdkMeterProvider, PrometheusExporter) {
    let exporter = PrometheusExporter::builder().without_scope_info().build();
    let provider = SdkMeterProvider::builder()
        .with_reader(exporter.clone())
        .with_resource(resource)
        .build();
    (provider, exporter)
}

fn lines_starting<'t>(text: &'t str, prefix: &str) -> Vec<&'t str> {
    text.lines().filter(|l| l.starts_with(prefix)).collect()
}

const REPEAT: &str = "a series with these labels is already in its family";

#[test]
fn a_scrape_that_drops_nothing_warns_of_nothing() {
    let (p, e) = setup(Resource::builder_empty().build());
    let m = p.meter("m");
    m.u64_counter("jobs")
        .build()
        .add(1, &[KeyValue::new("k", 1)]);
    m.u64_counter("jobs")
        .build()
        .add(1, &[KeyValue::new("k", 2)]);
    m.f64_gauge("heat").build().record(2.5, &[]);
    // One name of one type from two scopes forms one family.
    for scope in ["a", "b"] {
        p.meter_with_scope(InstrumentationScope::builder(scope).build())
            .u64_counter("load")
            .build()
            .add(1, &[KeyValue::new("scope", scope)]);
    }
    let (text, warnings) = scrape_logged(&e);
    assert_eq!(lines_starting(&text, "jobs_total{").len(), 2, "{text}");
    assert_eq!(lines_starting(&text, "load_total{").len(), 2, "{text}");
    assert_eq!(warnings, []);
}

#[test]
fn points_that_read_alike_keep_the_first_and_warn_once_per_family_and_scrape() {
    let (p, e) = setup(Resource::builder_empty().build());
    let m = p.meter("m");
    // Every point has the same keys, and `1` reads like `"1"`.
    let same_keys = m.u64_counter("same_keys").build();
    same_keys.add(1, &[KeyValue::new("k", 1)]);
    same_keys.add(2, &[KeyValue::new("k", "1")]);
    same_keys.add(3, &[KeyValue::new("k", "2")]);
    // Keys differ from point to point; still `true` reads like `"true"`.
    let mixed_keys = m.u64_counter("mixed_keys").build();
    mixed_keys.add(1, &[KeyValue::new("k", true)]);
    mixed_keys.add(2, &[KeyValue::new("k", "true")]);
    mixed_keys.add(3, &[KeyValue::new("j", "x")]);
    mixed_keys.add(4, &[KeyValue::new("k", "true"), KeyValue::new("j", "x")]);
    for _ in 0..2 {
        let (text, warnings) = scrape_logged(&e);
        assert_eq!(
            lines_starting(&text, "same_keys_total{k=\"1\"}").len(),
            1,
            "{text}"
        );
        assert_eq!(lines_starting(&text, "same_keys_total{").len(), 2, "{text}");
        assert_eq!(
            lines_starting(&text, "mixed_keys_total{k=\"true\"}").len(),
            1,
            "{text}"
        );
        assert_eq!(
            lines_starting(&text, "mixed_keys_total{").len(),
            3,
            "{text}"
        );
        let repeats = warnings
            .iter()
            .filter(|w| w.message.starts_with(REPEAT))
            .count();
        assert_eq!(repeats, 2, "one per family with a repeat: {warnings:?}");
        assert_eq!(warnings.len(), 2, "{warnings:?}");
    }
}

#[test]
fn three_points_alike_in_one_family_warn_once() {
    let (p, e) = setup(Resource::builder_empty().build());
    let c = p.meter("m").u64_counter("alike").build();
    c.add(1, &[KeyValue::new("k", 1)]);
    c.add(2, &[KeyValue::new("k", "1")]);
    c.add(
        3,
        &[KeyValue::new(
            "k",
            opentelemetry::Value::Array(vec![1i64].into()),
        )],
    );
    let (text, warnings) = scrape_logged(&e);
    let written = lines_starting(&text, "alike_total{");
    assert_eq!(written.len(), 2, "{text}");
    assert_eq!(
        warnings
            .iter()
            .filter(|w| w.message.starts_with(REPEAT))
            .count(),
        1,
        "{warnings:?}"
    );
}

#[test]
fn a_metric_whose_names_another_family_writes_is_dropped_with_a_warning() {
    let (p, e) = setup(Resource::builder_empty().build());
    let m = p.meter("m");
    m.u64_counter("jobs").build().add(1, &[]);
    m.i64_gauge("jobs_created").build().record(9, &[]);
    m.i64_gauge("jobs_total").build().record(8, &[]);
    let (text, warnings) = scrape_logged(&e);
    assert!(text.contains("jobs_total 1\n"), "{text}");
    assert!(!text.contains(" 9\n") && !text.contains(" 8\n"), "{text}");
    let mut dropped: Vec<_> = warnings
        .iter()
        .filter(|w| w.message.contains("written by an earlier family"))
        .map(|w| w.metric.clone().unwrap())
        .collect();
    dropped.sort();
    assert_eq!(dropped, ["jobs_created", "jobs_total"], "{warnings:?}");
    assert_eq!(warnings.len(), 2, "{warnings:?}");
}

#[test]
fn a_metric_named_target_info_gives_way_with_a_warning() {
    let resource = Resource::builder_empty()
        .with_attributes([KeyValue::new("service.name", "s")])
        .build();
    let (p, e) = setup(resource);
    p.meter("m").u64_counter("target_info").build().add(1, &[]);
    let (text, warnings) = scrape_logged(&e);
    assert!(
        text.contains("target_info{service_name=\"s\"} 1\n"),
        "{text}"
    );
    assert!(!text.contains("target_info_total"), "{text}");
    assert_eq!(
        warnings,
        [Warning {
            message: "metric name is target_info's; metric dropped".into(),
            metric: Some("target_info".into()),
        }]
    );
}

#[test]
fn one_name_with_two_types_keeps_one_and_warns() {
    let (p, e) = setup(Resource::builder_empty().build());
    let first = p.meter_with_scope(InstrumentationScope::builder("a").build());
    let second = p.meter_with_scope(InstrumentationScope::builder("b").build());
    first.u64_counter("load").build().add(1, &[]);
    second.f64_gauge("load").build().record(0.5, &[]);
    let (text, warnings) = scrape_logged(&e);
    assert_eq!(text.matches("# TYPE load").count(), 1, "{text}");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0]
            .message
            .starts_with("same name with another type"),
        "{warnings:?}"
    );
    assert_eq!(warnings[0].metric.as_deref(), Some("load"));
}

/// Writes the points of counter `name`, each with its attributes, and
/// returns its sample lines and the repeat warnings of one scrape.
fn repeats(
    builder: otel_prom_std::ExporterBuilder,
    name: &str,
    points: &[&[KeyValue]],
) -> (Vec<String>, usize) {
    let exporter = builder.build();
    let p = SdkMeterProvider::builder()
        .with_reader(exporter.clone())
        .with_resource(Resource::builder_empty().build())
        .build();
    let c = p.meter("m").u64_counter(name.to_string()).build();
    for (i, attrs) in points.iter().enumerate() {
        c.add(i as u64 + 1, attrs);
    }
    let (text, warnings) = scrape_logged(&exporter);
    let lines = lines_starting(&text, &format!("{name}_total"))
        .into_iter()
        .map(str::to_string)
        .collect();
    let count = warnings
        .iter()
        .filter(|w| w.message.starts_with(REPEAT))
        .count();
    (lines, count)
}

#[test]
fn attributes_that_read_alike_are_found_whether_or_not_points_share_keys() {
    let plain = || PrometheusExporter::builder().without_scope_info();
    let nan = f64::NAN;
    let other_nan = f64::from_bits(nan.to_bits() ^ 1);
    let array = |v: opentelemetry::Array| KeyValue::new("k", opentelemetry::Value::Array(v));
    // The point without attributes makes the keys differ from point to
    // point; without it every point has the same keys.
    for empty in [false, true] {
        for (case, points) in [
            (
                "kinds",
                vec![KeyValue::new("k", true), KeyValue::new("k", "true")],
            ),
            (
                "nans",
                vec![KeyValue::new("k", nan), KeyValue::new("k", other_nan)],
            ),
            (
                "nans after a number",
                vec![
                    KeyValue::new("k", 1.5),
                    KeyValue::new("k", nan),
                    KeyValue::new("k", other_nan),
                ],
            ),
            (
                "arrays",
                vec![array(vec![1i64].into()), array(vec![1.0f64].into())],
            ),
            (
                "keys",
                vec![KeyValue::new("a.b", "1"), KeyValue::new("a_b", "1")],
            ),
        ] {
            let mut sets: Vec<&[KeyValue]> = points.chunks(1).collect();
            if empty {
                sets.push(&[]);
            }
            let (lines, warned) = repeats(plain(), "x", &sets);
            assert_eq!(
                lines.len(),
                sets.len() - 1,
                "{case}, empty {empty}: {lines:?}"
            );
            assert_eq!(warned, 1, "{case}, empty {empty}");
        }
    }
}

#[test]
fn attributes_named_like_a_family_label_can_meet_a_point_without_them() {
    // An attribute wins over the scope label of its name, so a point whose
    // attribute spells the scope's own name reads like a point without it.
    // Points go in attribute order, so the bare one (2) comes first and stays.
    let (scoped, bare) = ([KeyValue::new("otel_scope_name", "m")], []);
    let (lines, warned) = repeats(PrometheusExporter::builder(), "y", &[&scoped, &bare]);
    assert_eq!(lines, ["y_total{otel_scope_name=\"m\"} 2"]);
    assert_eq!(warned, 1);
    // `le` is a histogram's own label: the attribute is left out.
    let (p, e) = setup(Resource::builder_empty().build());
    let h = p
        .meter("m")
        .f64_histogram("h")
        .with_boundaries(vec![1.0])
        .build();
    h.record(0.5, &[KeyValue::new("le", "a")]);
    h.record(0.5, &[KeyValue::new("le", "b")]);
    let (text, warnings) = scrape_logged(&e);
    assert_eq!(lines_starting(&text, "h_count").len(), 1, "{text}");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
}
