//! Property tests: arbitrary names (unicode, quotes, backslashes, newlines,
//! empty), label sets and values (NaN, ±Inf, -0.0, subnormals, u64::MAX),
//! translated under every strategy and encoded in every format, are
//! accepted by the real parsers and every value and label value parses back
//! exactly.

use otel_prom_core::translate::{InstrumentKind, label_name, metric_name};
use otel_prom_core::{
    Bounds, Encoder, Escaping, Format, Histogram, LabelName, Metadata, Number,
    Strategy as Translation,
};
use otel_prom_tests::judge::{ParsedSample, PyParser, promtool, python_parse};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Kind {
    Counter(Number),
    Gauge(Number),
    Histogram(Vec<f64>, Vec<u64>, f64),
}

#[derive(Debug, Clone)]
struct Metric {
    name: String,
    unit: String,
    strategy: Translation,
    labels: Vec<(String, String)>,
    kind: Kind,
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![".{0,12}", "[a-z_.:0-9 \"\\\\\n\r{}#=,é€😀-]{0,12}",]
}

fn any_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(-0.0),
        Just(5e-324),
        Just(f64::MAX),
        any::<f64>(),
        -1e9f64..1e9,
    ]
}

fn metric() -> impl Strategy<Value = Metric> {
    let strategy = prop_oneof![
        Just(Translation::UnderscoreEscapingWithSuffixes),
        Just(Translation::UnderscoreEscapingWithoutSuffixes),
        Just(Translation::NoUtf8EscapingWithSuffixes),
        Just(Translation::NoTranslation),
    ];
    let kind = prop_oneof![
        prop_oneof![Just(u64::MAX), any::<u64>()].prop_map(|v| Kind::Counter(Number::U64(v))),
        (0.0f64..1e300).prop_map(|v| Kind::Counter(Number::F64(v))),
        any_f64().prop_map(|v| Kind::Gauge(Number::F64(v))),
        any::<i64>().prop_map(|v| Kind::Gauge(Number::I64(v))),
        (
            proptest::collection::vec(-1e6f64..1e6, 0..6),
            proptest::collection::vec(0u64..1_000_000, 7),
            -1e6f64..1e6
        )
            .prop_map(|(mut b, c, s)| {
                b.sort_by(f64::total_cmp);
                b.dedup();
                let n = b.len() + 1;
                Kind::Histogram(b, c[..n].to_vec(), s)
            }),
    ];
    let unit = prop_oneof![
        Just(String::new()),
        Just("s".to_string()),
        Just("By/s".to_string()),
        text()
    ];
    (
        text(),
        unit,
        strategy,
        proptest::collection::vec((text(), text()), 0..3),
        kind,
    )
        .prop_map(|(name, unit, strategy, labels, kind)| Metric {
            name,
            unit,
            strategy,
            labels,
            kind,
        })
}

/// What a parser must read back, in order: (label values, value).
type Expected = Vec<(Vec<String>, Number)>;

fn encode(metrics: &[Metric], format: Format, escaping: Escaping) -> (String, Expected) {
    let mut out = Vec::new();
    let mut expected = Vec::new();
    let mut enc = Encoder::new(&mut out, format, escaping);
    for (i, m) in metrics.iter().enumerate() {
        // A unique, prefix-free head keeps families distinct after escaping.
        let raw = format!("m{i}_{}", m.name);
        let kind = match m.kind {
            Kind::Counter(_) => InstrumentKind::Counter,
            Kind::Gauge(_) => InstrumentKind::Gauge,
            Kind::Histogram(..) => InstrumentKind::Histogram,
        };
        let mut name_buf = [0u8; 512];
        let translated = metric_name(&raw, &m.unit, kind, m.strategy, &mut name_buf)
            .expect("prefixed names translate");
        let meta: Metadata<'_> = translated.metadata(&m.name);
        let mut label_bufs = [[0u8; 128]; 3];
        let mut labels: Vec<(LabelName<'_>, &str)> = Vec::new();
        for ((j, (k, v)), buf) in m.labels.iter().enumerate().zip(label_bufs.iter_mut()) {
            let key = format!("l{j}_{k}");
            labels.push((
                label_name(&key, m.strategy, buf).expect("prefixed label translates"),
                v.as_str(),
            ));
        }
        let values: Vec<String> = labels.iter().map(|(_, v)| v.to_string()).collect();
        match &m.kind {
            Kind::Counter(v) => {
                enc.counter(&meta).unwrap().sample(&labels[..], *v).unwrap();
                expected.push((values, *v));
            }
            Kind::Gauge(v) => {
                enc.gauge(&meta).unwrap().sample(&labels[..], *v).unwrap();
                expected.push((values, *v));
            }
            Kind::Histogram(b, c, s) => {
                let h = Histogram::new(Bounds::new(b).unwrap(), c, Number::F64(*s)).unwrap();
                enc.histogram(&meta)
                    .unwrap()
                    .sample(&labels[..], &h)
                    .unwrap();
                let mut cum = 0;
                for n in c {
                    cum += n;
                    expected.push((values.clone(), Number::U64(cum)));
                }
                // OpenMetrics forbids a negative or NaN `_sum`, and `_sum`
                // beside negative buckets; the encoder then leaves out
                // `_sum` and `_count`.
                if !format.is_openmetrics() || (*s >= 0.0 && b.first().is_none_or(|x| *x >= 0.0)) {
                    expected.push((values.clone(), Number::F64(*s)));
                    expected.push((values, Number::U64(cum)));
                }
            }
        }
    }
    enc.finish().unwrap();
    (String::from_utf8(out).unwrap(), expected)
}

fn check(doc: &str, parsed: &[ParsedSample], expected: &Expected) {
    assert_eq!(parsed.len(), expected.len(), "sample count\n{doc}");
    for (p, (values, v)) in parsed.iter().zip(expected) {
        let mut got: Vec<&str> = p
            .labels
            .iter()
            .filter(|(k, _)| k != "le")
            .map(|(_, v)| v.as_str())
            .collect();
        let mut want: Vec<&str> = values.iter().map(String::as_str).collect();
        got.sort();
        want.sort();
        assert_eq!(got, want, "label values of {}\n{doc}", p.name);
        match v {
            Number::U64(u) if p.value.parse::<u128>().is_ok() => assert_eq!(p.value, u.to_string()),
            Number::I64(i) if p.value.parse::<i128>().is_ok() => assert_eq!(p.value, i.to_string()),
            _ => {
                let (g, w) = (p.as_f64(), v.as_f64());
                assert!(
                    g == w || (g.is_nan() && w.is_nan()),
                    "{}: {} != {w:e}\n{doc}",
                    p.name,
                    p.value
                );
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_input_is_accepted_and_read_back(metrics in proptest::collection::vec(metric(), 1..30)) {
        let cases = [
            (Format::OpenMetrics100, Escaping::Underscores, PyParser::OpenMetrics),
            (Format::OpenMetrics100, Escaping::AllowUtf8, PyParser::OpenMetrics),
            (Format::OpenMetrics100, Escaping::Dots, PyParser::OpenMetrics),
            (Format::OpenMetrics100, Escaping::Values, PyParser::OpenMetrics),
            (Format::Text004, Escaping::Underscores, PyParser::Text),
        ];
        for (format, escaping, parser) in cases {
            let (doc, expected) = encode(&metrics, format, escaping);
            if format == Format::Text004
                && let Some(v) = promtool(&doc)
            {
                prop_assert!(v.code == 0 || v.code == 3, "promtool: {}\n{}", v.output, doc);
            }
            let Some(results) = python_parse(parser, std::slice::from_ref(&doc)) else { continue };
            let parsed = results.into_iter().next().unwrap();
            let parsed = parsed.map_err(|e| TestCaseError::fail(format!("{format:?}/{escaping:?}: {e}\n{doc}")))?;
            check(&doc, &parsed, &expected);
        }
    }
}
