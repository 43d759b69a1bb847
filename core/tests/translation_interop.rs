//! Metric names as Prometheus's own OTLP translator (`otlptranslator`)
//! writes them for the same OpenTelemetry name, unit and type, so that a
//! service moving between that path and this exporter keeps its series
//! names. Where this crate departs from it on purpose, the case says why.

use otel_prom_core::translate::{InstrumentKind, Strategy, metric_name};

use InstrumentKind::{Counter, Gauge, Histogram, Unknown};

/// The name a scrape writes: the family name, plus `_total` for a counter.
fn written(name: &str, unit: &str, kind: InstrumentKind, strategy: Strategy) -> String {
    let mut buf = [0u8; 256];
    let t = metric_name(name, unit, kind, strategy, &mut buf).unwrap();
    let total = if t.metadata("").has_total_suffix() {
        "_total"
    } else {
        ""
    };
    format!("{}{total}", t.name().as_str())
}

#[test]
fn legacy_names_with_suffixes() {
    let s = Strategy::UnderscoreEscapingWithSuffixes;
    for (name, unit, kind, want) in [
        ("requests", "", Counter, "requests_total"),
        ("requests_total", "", Counter, "requests_total"),
        ("items", "1", Counter, "items_total"),
        ("http.requests", "1", Counter, "http_requests_total"),
        ("response_time", "ms", Gauge, "response_time_milliseconds"),
        ("response_time_seconds", "s", Gauge, "response_time_seconds"),
        (
            "http.request.duration",
            "ms",
            Histogram,
            "http_request_duration_milliseconds",
        ),
        ("request_size", "By", Histogram, "request_size_bytes"),
        ("throughput", "By/s", Gauge, "throughput_bytes_per_second"),
        ("requests", "1/s", Gauge, "requests_per_second"),
        (
            "app_requests",
            "1/s",
            Counter,
            "app_requests_per_second_total",
        ),
        ("app_123_requests", "", Counter, "app_123_requests_total"),
        ("invoices", "1/mo", Gauge, "invoices_per_month"),
        ("custom", "1/custom_unit", Gauge, "custom_per_custom_unit"),
        (
            "custom_metric",
            "custom_unit",
            Gauge,
            "custom_metric_custom_unit",
        ),
        ("custom_metric", "{custom}", Gauge, "custom_metric"),
        ("custom_metric", "By/{custom}", Gauge, "custom_metric_bytes"),
        (
            "custom_metric",
            "unit@with#special/chars",
            Gauge,
            "custom_metric_unit_with_special_per_chars",
        ),
        (
            "metric__with__underscores",
            "unit__with__underscores",
            Gauge,
            "metric_with_underscores_unit_with_underscores",
        ),
        ("metric", "By/", Gauge, "metric_bytes"),
        ("metric", " By / s ", Gauge, "metric_bytes_per_second"),
        ("metric", "/", Gauge, "metric"),
        ("cache", "KiBy", Gauge, "cache_kibibytes"),
        ("cpu_usage", "%", Gauge, "cpu_usage_percent"),
        ("temperature", "Cel", Gauge, "temperature_celsius"),
        ("active_connections", "", Gauge, "active_connections"),
        ("unknown_metric", "", Unknown, "unknown_metric"),
        // The current specification no longer turns unit `1` into
        // `_ratio`; the translator still does (`cpu_usage_ratio`).
        ("cpu_usage", "1", Gauge, "cpu_usage"),
        // UCUM's binary prefix is tebi-, as the translator's corrected
        // mapping also writes (its legacy one wrote `tibibytes`).
        ("capacity", "TiBy", Gauge, "capacity_tebibytes"),
        // UCUM writes kilo as `k`; `KBy` is not a unit the table knows.
        ("transfer", "kBy", Gauge, "transfer_kilobytes"),
        ("transfer", "KBy", Gauge, "transfer_KBy"),
    ] {
        assert_eq!(written(name, unit, kind, s), want, "{name:?} {unit:?}");
    }
}

#[test]
fn legacy_names_without_suffixes() {
    let s = Strategy::UnderscoreEscapingWithoutSuffixes;
    for (name, want) in [
        ("simple_metric", "simple_metric"),
        ("metric@with#special$chars", "metric_with_special_chars"),
        ("metric@@##$$name", "metric_name"),
        ("123metric", "_123metric"),
        ("test@namespace!!??_metric", "test_namespace_metric"),
    ] {
        assert_eq!(written(name, "", Gauge, s), want, "{name:?}");
    }
}

#[test]
fn utf8_names_keep_their_characters() {
    let with = Strategy::NoUtf8EscapingWithSuffixes;
    for (name, unit, kind, want) in [
        ("requêsts", "", Counter, "requêsts_total"),
        ("respønse_time", "ms", Gauge, "respønse_time_milliseconds"),
        (
            "ñamespace_requêsts",
            "1/s",
            Counter,
            "ñamespace_requêsts_per_second_total",
        ),
        ("cpu_seconds_total", "s", Counter, "cpu_seconds_total"),
        (
            "test@namespace_metric",
            "",
            Counter,
            "test@namespace_metric_total",
        ),
    ] {
        assert_eq!(written(name, unit, kind, with), want, "{name:?} {unit:?}");
    }
    let none = Strategy::NoTranslation;
    assert_eq!(
        written("métric_with_ñ_chars", "", Gauge, none),
        "métric_with_ñ_chars"
    );
    assert_eq!(
        written("http.request.duration", "ms", Histogram, none),
        "http.request.duration"
    );
}
