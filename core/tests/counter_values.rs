//! OpenMetrics forbids NaN and negative counter totals; the encoder leaves
//! such a sample out there (with its `_created` and exemplar), and writes it
//! as it is in the Prometheus text formats, which allow it.

use otel_prom_core::{
    Encoder, Escaping, Exemplar, Format, LabelName, Metadata, MetricName, Number, Timestamp,
};

/// A counter family with one series per value, each with a start time and
/// an exemplar, as one format writes it (without the `# TYPE` line).
fn counter_lines(format: Format, values: &[Number]) -> Vec<String> {
    let series = LabelName::new("series").unwrap();
    let trace = LabelName::new("trace_id").unwrap();
    let names = ["0", "1", "2", "3", "4", "5", "6", "7"];
    let mut enc = Encoder::new(Vec::new(), format, Escaping::Underscores);
    let mut family = enc
        .counter(&Metadata::new(MetricName::new("c").unwrap(), ""))
        .unwrap();
    for (v, name) in values.iter().zip(names) {
        let exemplar = Exemplar {
            labels: [(trace, "ab")],
            value: Number::U64(1),
            timestamp: None,
        };
        family
            .sample_with(
                &[(series, name)],
                *v,
                Some(Timestamp::new(10, 0)),
                Some(&exemplar),
            )
            .unwrap();
    }
    String::from_utf8(enc.finish().unwrap())
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

const VALUES: [Number; 7] = [
    Number::F64(f64::NAN),
    Number::F64(-1.5),
    Number::I64(-2),
    Number::F64(f64::NEG_INFINITY),
    Number::F64(f64::INFINITY),
    Number::F64(-0.0),
    Number::I64(0),
];

#[test]
fn openmetrics_leaves_out_nan_and_negative_totals_with_their_created_and_exemplar() {
    let lines = counter_lines(Format::OpenMetrics100, &VALUES);
    assert_eq!(
        lines,
        [
            "c_total{series=\"4\"} +Inf # {trace_id=\"ab\"} 1",
            "c_created{series=\"4\"} 10",
            "c_total{series=\"5\"} -0 # {trace_id=\"ab\"} 1",
            "c_created{series=\"5\"} 10",
            "c_total{series=\"6\"} 0 # {trace_id=\"ab\"} 1",
            "c_created{series=\"6\"} 10",
        ]
    );
}

#[test]
fn prometheus_text_writes_every_total_as_it_is() {
    for format in [Format::Text004, Format::Text100] {
        let lines = counter_lines(format, &VALUES);
        assert_eq!(
            lines,
            [
                "c_total{series=\"0\"} NaN",
                "c_total{series=\"1\"} -1.5",
                "c_total{series=\"2\"} -2",
                "c_total{series=\"3\"} -Inf",
                "c_total{series=\"4\"} +Inf",
                "c_total{series=\"5\"} -0",
                "c_total{series=\"6\"} 0",
            ],
            "{format:?}"
        );
    }
}
