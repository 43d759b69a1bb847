//! One exposition that exercises every rule of the encoder: all family
//! types, exact integers, float specials, `_created`, exemplars, units,
//! hostile HELP and label values, and UTF-8 names.

use embedded_io::Write;
use otel_prom_core::{
    Bounds, EncodeError, Encoder, Escaping, Exemplar, Format, Histogram, LabelName, Metadata,
    MetricName, Number, Timestamp,
};

/// Label values that try to break out of their quotes or lines.
///
/// None of them can start a line of its own once written as a label value:
///
/// ```
/// use otel_prom_core::{Escaping, Format};
/// use otel_prom_tests::fixture::{render, HOSTILE_VALUES};
/// assert!(HOSTILE_VALUES.iter().any(|v| v.contains("\nevil_total")));
/// let page = render(Format::Text004, Escaping::Underscores);
/// assert!(!page.lines().any(|line| line.starts_with("evil_total") || line == "# EOF"));
/// ```
pub const HOSTILE_VALUES: &[&str] = &[
    "quote\"inside",
    "back\\slash",
    "new\nline",
    "cr\rreturn",
    "brace}and{",
    "\n# EOF",
    "\n# TYPE evil counter\nevil_total 1",
    "\\\"\n\\",
    "",
];

/// Writes the fixture. Names are fixed, so the output is a golden file.
///
/// ```
/// use otel_prom_core::{Encoder, Escaping, Format};
/// let mut page = Vec::new();
/// let mut enc = Encoder::new(&mut page, Format::OpenMetrics100, Escaping::Underscores);
/// otel_prom_tests::fixture::write_fixture(&mut enc).unwrap();
/// enc.finish().unwrap();
/// assert!(page.ends_with(b"# EOF\n"));
/// ```
pub fn write_fixture<W: Write>(enc: &mut Encoder<W>) -> Result<(), EncodeError<W::Error>> {
    let method = LabelName::new("method").unwrap();
    let code = LabelName::new("code").unwrap();
    let value = LabelName::new("value").unwrap();
    let idx = LabelName::new("idx").unwrap();
    let trace = LabelName::new("trace_id").unwrap();
    let span = LabelName::new("span_id").unwrap();
    let created = Some(Timestamp::new(1_700_000_000, 125_000_000));

    let requests = Metadata::new(
        MetricName::new("http_requests").unwrap(),
        "Requests served.",
    );
    let ex = Exemplar {
        labels: [
            (trace, "4bf92f3577b34da6a3ce929d0e0e4736"),
            (span, "00f067aa0ba902b7"),
        ],
        value: Number::U64(1),
        timestamp: Some(Timestamp::new(1_700_000_123, 500_000_000)),
    };
    enc.counter(&requests)?
        .sample_with(
            &[(method, "GET"), (code, "200")],
            Number::U64(u64::MAX),
            created,
            Some(&ex),
        )?
        .sample_with(
            &[(method, "POST"), (code, "500")],
            Number::U64(0),
            created,
            None::<&Exemplar<()>>,
        )?;

    let hostile = Metadata::new(
        MetricName::new("hostile_help").unwrap(),
        "Help with \\ backslash, \"quotes\" and a\nnewline.",
    );
    let mut fam = enc.gauge(&hostile)?;
    for (i, v) in HOSTILE_VALUES.iter().enumerate() {
        let n = i.to_string();
        fam.sample(&[(idx, n.as_str()), (value, *v)], Number::I64(i as i64 - 4))?;
    }

    let temps = Metadata::new(
        MetricName::new("temperature_celsius").unwrap(),
        "Temperatures.",
    )
    .with_unit("celsius")
    .unwrap();
    let sensor = LabelName::new("sensor").unwrap();
    enc.gauge(&temps)?
        .sample(&[(sensor, "nan")], Number::F64(f64::NAN))?
        .sample(&[(sensor, "inf")], Number::F64(f64::INFINITY))?
        .sample(&[(sensor, "neg_inf")], Number::F64(f64::NEG_INFINITY))?
        .sample(&[(sensor, "neg_zero")], Number::F64(-0.0))?
        .sample(&[(sensor, "tiny")], Number::F64(5e-324))?
        .sample(&[(sensor, "big")], Number::F64(1e21))?
        .sample(&[(sensor, "plain")], Number::F64(21.5))?
        .sample(&[(sensor, "i64_min")], Number::I64(i64::MIN))?;

    let latency = Metadata::new(
        MetricName::new("request_duration_seconds").unwrap(),
        "Latency.",
    )
    .with_unit("seconds")
    .unwrap();
    let bounds = Bounds::new(&[0.005, 0.01, 0.1, 1.0, 10.0]).unwrap();
    let counts = [1, 2, 0, 4, 0, 3];
    let h = Histogram::new(bounds, &counts, Number::F64(37.25)).unwrap();
    let exemplars = [
        Exemplar {
            labels: [(trace, "aa")],
            value: Number::F64(0.007),
            timestamp: None,
        },
        Exemplar {
            labels: [(trace, "bb")],
            value: Number::F64(42.0),
            timestamp: Some(Timestamp::new(1_700_000_200, 0)),
        },
    ];
    enc.histogram(&latency)?
        .sample_with(&[(method, "GET")], &h, created, &exemplars)?
        .sample(
            &[(method, "POST")],
            &Histogram::new(bounds, &[0; 6], Number::F64(0.0)).unwrap(),
        )?;

    let target = Metadata::new(MetricName::new("target").unwrap(), "Target metadata.");
    let service = LabelName::new("service_name").unwrap();
    enc.info(&target)?.sample(&[(service, "checkout")])?;

    let legacy_unknown = Metadata::new(MetricName::new("legacy_thing").unwrap(), "");
    enc.unknown(&legacy_unknown)?
        .sample(&(), Number::F64(3.0))?;

    let dotted = Metadata::new(
        MetricName::new("my.dotted_metric").unwrap(),
        "A UTF-8 name.",
    );
    let dotted_label = LabelName::new("http.method").unwrap();
    enc.counter(&dotted)?
        .sample(&[(dotted_label, "GET")], Number::U64(7))?;
    Ok(())
}

/// Renders the fixture in one format and escaping.
///
/// ```
/// use otel_prom_core::{Escaping, Format};
/// use otel_prom_tests::fixture::render;
/// let underscores = render(Format::Text100, Escaping::Underscores);
/// let quoted = render(Format::Text100, Escaping::AllowUtf8);
/// assert_ne!(underscores, quoted); // the fixture has a UTF-8 name
/// ```
pub fn render(format: Format, escaping: Escaping) -> String {
    let mut out = Vec::new();
    let mut enc = Encoder::new(&mut out, format, escaping);
    write_fixture(&mut enc).unwrap();
    enc.finish().unwrap();
    String::from_utf8(out).unwrap()
}
