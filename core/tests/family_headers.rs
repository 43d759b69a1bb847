//! The edges of a family's metadata and of its timestamps: when `# UNIT`
//! is written, how a counter name that already ends in `_total` is kept,
//! and how a start time's fraction of a second is spelled.

use otel_prom_core::{
    Bounds, EncodeError, Encoder, Escaping, Exemplar, Format, Histogram, Metadata, MetricName,
    Number, Timestamp,
};

fn page(format: Format, write: impl FnOnce(&mut Encoder<Vec<u8>>)) -> String {
    let mut enc = Encoder::new(Vec::new(), format, Escaping::Underscores);
    write(&mut enc);
    String::from_utf8(enc.finish().unwrap()).unwrap()
}

fn gauge_with_unit(name: &str, unit: &str) -> String {
    let meta = Metadata::new(MetricName::new(name).unwrap(), "")
        .with_unit(unit)
        .unwrap();
    page(Format::OpenMetrics100, |enc| {
        enc.gauge(&meta).unwrap();
    })
}

#[test]
fn unit_line_only_where_the_name_ends_in_underscore_unit() {
    assert_eq!(
        gauge_with_unit("io_bytes", "bytes"),
        "# TYPE io_bytes gauge\n# UNIT io_bytes bytes\n# EOF\n"
    );
    // Not a suffix, a suffix without its `_`, the whole name, longer than
    // the name, and a `_` where the unit's `_` would be but another word.
    for (name, unit) in [
        ("io_seconds", "bytes"),
        ("iobytes", "bytes"),
        ("bytes", "bytes"),
        ("s", "seconds"),
        ("a_xyzab", "bytes"),
    ] {
        assert_eq!(
            gauge_with_unit(name, unit),
            format!("# TYPE {name} gauge\n# EOF\n"),
            "{name} {unit}"
        );
    }
}

fn counter(format: Format, meta: &Metadata<'_>) -> String {
    page(format, |enc| {
        enc.counter(meta).unwrap().sample(&(), 1u64.into()).unwrap();
    })
}

#[test]
fn a_counter_named_with_total_keeps_it_once() {
    let name = MetricName::new("jobs_total").unwrap();
    let plain = Metadata::new(name, "");
    assert_eq!(
        counter(Format::Text004, &plain),
        "# TYPE jobs_total counter\njobs_total 1\n"
    );
    // Without counter suffixes a name that has one still keeps it: the
    // option adds no `_total`, it removes none.
    assert_eq!(
        counter(Format::Text004, &plain.without_total_suffix()),
        "# TYPE jobs_total counter\njobs_total 1\n"
    );
    assert_eq!(
        counter(
            Format::Text004,
            &Metadata::new(MetricName::new("jobs").unwrap(), "").without_total_suffix()
        ),
        "# TYPE jobs counter\njobs 1\n"
    );
    assert_eq!(
        counter(Format::OpenMetrics100, &plain),
        "# TYPE jobs counter\njobs_total 1\n# EOF\n"
    );
}

#[test]
fn a_counter_named_only_total_is_not_stripped_to_nothing() {
    let meta = Metadata::new(MetricName::new("_total").unwrap(), "");
    assert_eq!(
        counter(Format::OpenMetrics100, &meta),
        "# TYPE _total counter\n_total_total 1\n# EOF\n"
    );
    assert_eq!(
        counter(Format::Text004, &meta),
        "# TYPE _total_total counter\n_total_total 1\n"
    );
}

#[test]
fn fractions_of_a_second_are_written_without_trailing_zeros() {
    let meta = Metadata::new(MetricName::new("c").unwrap(), "");
    for (t, want) in [
        (Timestamp::new(7, 0), "7"),
        (Timestamp::new(10, 500_000_000), "10.5"),
        (Timestamp::new(1, 1), "1.000000001"),
        (Timestamp::new(0, 123_456_789), "0.123456789"),
        (Timestamp::new(3, 120_000_000), "3.12"),
        (
            Timestamp::new(u64::MAX, 999_999_999),
            "18446744073709551615.999999999",
        ),
    ] {
        let exemplar = Exemplar {
            labels: (),
            value: Number::U64(1),
            timestamp: Some(t),
        };
        let text = page(Format::OpenMetrics100, |enc| {
            enc.counter(&meta)
                .unwrap()
                .sample_with(&(), 1u64.into(), Some(t), Some(&exemplar))
                .unwrap();
        });
        assert_eq!(
            text,
            format!("# TYPE c counter\nc_total 1 # {{}} 1 {want}\nc_created {want}\n# EOF\n")
        );
    }
}

fn histogram(format: Format, bounds: &[f64], sum: f64) -> String {
    let h = Histogram::new(Bounds::new(bounds).unwrap(), &[1, 1, 0], Number::F64(sum)).unwrap();
    page(format, |enc| {
        enc.histogram(&Metadata::new(MetricName::new("h").unwrap(), ""))
            .unwrap()
            .sample(&(), &h)
            .unwrap();
    })
}

#[test]
fn openmetrics_histograms_keep_sum_and_count_only_where_they_are_counter_like() {
    let has_sum = |text: &str| text.contains("\nh_sum ") && text.contains("\nh_count 2\n");
    assert!(has_sum(&histogram(
        Format::OpenMetrics100,
        &[0.0, 1.0],
        0.5
    )));
    // A negative sum, a NaN sum, or a negative bound: no `_sum`, no `_count`;
    // the `+Inf` bucket still carries the count.
    for (bounds, sum) in [
        (&[0.0, 1.0][..], -0.5),
        (&[0.0, 1.0][..], f64::NAN),
        (&[-1.0, 1.0][..], 0.5),
    ] {
        let text = histogram(Format::OpenMetrics100, bounds, sum);
        assert!(!has_sum(&text), "{bounds:?} {sum}: {text}");
        assert!(!text.contains("h_sum"), "{text}");
        assert!(text.contains("h_bucket{le=\"+Inf\"} 2\n"), "{text}");
        // Prometheus text writes them as they are.
        assert!(
            has_sum(&histogram(Format::Text004, bounds, sum)),
            "{bounds:?} {sum}"
        );
    }
}

#[test]
fn encode_errors_say_what_failed() {
    assert_eq!(
        EncodeError::Sink("disk full").to_string(),
        "the metrics sink failed: \"disk full\""
    );
    assert_eq!(
        EncodeError::<()>::WriteZero.to_string(),
        "the metrics sink accepted no bytes (full?)"
    );
    // The sink's own error stays reachable as the source.
    use std::error::Error as _;
    let sink = std::io::Error::other("disk full");
    let e = EncodeError::Sink(sink);
    assert_eq!(
        e.source().map(|s| s.to_string()).as_deref(),
        Some("disk full")
    );
    assert!(EncodeError::<std::io::Error>::WriteZero.source().is_none());
}
