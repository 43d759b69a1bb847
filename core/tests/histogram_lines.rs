//! Histogram lines render their labels once per series; label sets too long
//! for that go line by line. Both paths write the same text.

use otel_prom_core::{
    Bounds, Encoder, Escaping, Format, Histogram, LabelName, Metadata, MetricName, Number,
};

fn render(value: &str, format: Format, escaping: Escaping) -> String {
    let mut out = Vec::new();
    let mut enc = Encoder::new(&mut out, format, escaping);
    let k = LabelName::new("k.k").unwrap();
    let h = Histogram::new(Bounds::new(&[1.0]).unwrap(), &[1, 2], Number::F64(3.5)).unwrap();
    enc.histogram(&Metadata::new(MetricName::new("h").unwrap(), ""))
        .unwrap()
        .sample(&[(k, value)], &h)
        .unwrap();
    enc.finish().unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn short_and_long_label_sets_render_alike() {
    for (format, escaping) in [
        (Format::Text004, Escaping::Underscores),
        (Format::Text100, Escaping::AllowUtf8),
        (Format::OpenMetrics100, Escaping::Values),
    ] {
        for value in ["a\"b".to_string(), format!("{}\"\n", "x".repeat(400))] {
            let text = render(&value, format, escaping);
            let escaped = value.replace('"', "\\\"").replace('\n', "\\n");
            let name = match format.effective_escaping(escaping) {
                Escaping::AllowUtf8 => "\"k.k\"".to_string(),
                Escaping::Values => "U__k_2e_k".to_string(),
                _ => "k_k".to_string(),
            };
            let label = format!("{name}=\"{escaped}\"");
            let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
            assert_eq!(lines.len(), 4, "{text}");
            for line in &lines {
                assert!(line.contains(&label), "{line}");
            }
            assert!(
                lines[0].contains(",le=\"1") && lines[1].contains(",le=\"+Inf\"} 3"),
                "{text}"
            );
            assert!(lines[3].ends_with("} 3"), "{text}");
        }
    }
}

/// What the bucket lines must be, built independently of the encoder.
fn expected_buckets(name: &str, labels: &str, bounds: &[f64], counts: &[u64]) -> Vec<String> {
    let mut cumulative = 0;
    let les = bounds
        .iter()
        .map(|b| format!("{b}"))
        .chain(["+Inf".to_string()]);
    les.zip(counts)
        .map(|(le, c)| {
            cumulative += c;
            format!("{name}_bucket{{{labels},le=\"{le}\"}} {cumulative}")
        })
        .collect()
}

#[test]
fn bucket_lines_with_short_and_near_limit_prefixes() {
    // Each line is its rendered start plus its end, written as one; a start
    // near the line buffer's size leaves no room for an end, and the lines
    // are then written piece by piece.
    let bounds: Vec<f64> = (1..=30).map(|i| i as f64 * 0.5).collect();
    let counts: Vec<u64> = (0..=30).map(|i| i * 3 + 1).collect();
    for (name_len, value_len) in [(1, 0), (1, 200), (60, 230), (450, 200), (700, 10)] {
        let name = "n".repeat(name_len);
        let value = "v".repeat(value_len);
        let mut out = Vec::new();
        let mut enc = Encoder::new(&mut out, Format::Text004, Escaping::Underscores);
        let k = LabelName::new("k").unwrap();
        let h = Histogram::new(Bounds::new(&bounds).unwrap(), &counts, Number::U64(7)).unwrap();
        enc.histogram(&Metadata::new(MetricName::new(&name).unwrap(), ""))
            .unwrap()
            .sample(&[(k, value.as_str())], &h)
            .unwrap();
        enc.finish().unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
        let want = expected_buckets(&name, &format!("k=\"{value}\""), &bounds, &counts);
        assert_eq!(
            lines[..want.len()],
            want[..],
            "name {name_len}, value {value_len}"
        );
        let total: u64 = counts.iter().sum();
        assert_eq!(lines.len(), want.len() + 2, "{text}");
        assert_eq!(lines[want.len()], format!("{name}_sum{{k=\"{value}\"}} 7"));
        assert_eq!(
            lines[want.len() + 1],
            format!("{name}_count{{k=\"{value}\"}} {total}")
        );
    }
}

#[test]
#[cfg(feature = "utf8-names")]
fn quoted_names_assemble_like_plain_ones() {
    let h = Histogram::new(Bounds::new(&[1.0]).unwrap(), &[1, 2], Number::U64(4)).unwrap();
    let k = LabelName::new("k").unwrap();
    let render = |labels: &[(LabelName<'_>, &str)]| {
        let mut out = Vec::new();
        let mut enc = Encoder::new(&mut out, Format::Text100, Escaping::AllowUtf8);
        enc.histogram(&Metadata::new(MetricName::new("a.b").unwrap(), ""))
            .unwrap()
            .sample(labels, &h)
            .unwrap();
        enc.finish().unwrap();
        String::from_utf8(out).unwrap()
    };
    let with = render(&[(k, "v")]);
    let without = render(&[]);
    let samples = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| !l.starts_with('#'))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(
        samples(&with),
        [
            "{\"a.b_bucket\",k=\"v\",le=\"1\"} 1",
            "{\"a.b_bucket\",k=\"v\",le=\"+Inf\"} 3",
            "{\"a.b_sum\",k=\"v\"} 4",
            "{\"a.b_count\",k=\"v\"} 3",
        ]
    );
    assert_eq!(
        samples(&without),
        [
            "{\"a.b_bucket\",le=\"1\"} 1",
            "{\"a.b_bucket\",le=\"+Inf\"} 3",
            "{\"a.b_sum\"} 4",
            "{\"a.b_count\"} 3",
        ]
    );
}

/// One series' page in a family of its own: what its lines must be
/// whatever series came before it.
fn alone(bounds: &[f64], counts: &[u64], format: Format) -> Vec<String> {
    let mut out = Vec::new();
    let mut enc = Encoder::new(&mut out, format, Escaping::Underscores);
    let h = Histogram::new(Bounds::new(bounds).unwrap(), counts, Number::U64(1)).unwrap();
    enc.histogram(&Metadata::new(MetricName::new("h").unwrap(), ""))
        .unwrap()
        .sample(&(), &h)
        .unwrap();
    let text = String::from_utf8(out).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

#[test]
fn series_of_one_family_with_other_bounds_get_their_own_le_values() {
    // A family's `le` texts are formatted once and kept while its series
    // share bounds. Series with other bounds (another list, another length,
    // more than are kept, or texts too long to keep) must each get their own.
    let long: Vec<f64> = (1..=16)
        .map(|i| i as f64 * 1.234_567_890_123e-300)
        .collect();
    let many: Vec<f64> = (1..=17).map(|i| i as f64).collect();
    let lists: [&[f64]; 7] = [
        &[1.0, 2.0],
        &[1.0, 3.0],
        &[1.0],
        &[1.0, 2.0],
        &long,
        &many,
        &[0.5, 2.0],
    ];
    for format in [Format::Text004, Format::OpenMetrics100] {
        let mut out = Vec::new();
        let mut enc = Encoder::new(&mut out, format, Escaping::Underscores);
        let mut want = Vec::new();
        {
            let mut family = enc
                .histogram(&Metadata::new(MetricName::new("h").unwrap(), ""))
                .unwrap();
            for bounds in lists {
                let counts: Vec<u64> = (0..=bounds.len() as u64).collect();
                let h =
                    Histogram::new(Bounds::new(bounds).unwrap(), &counts, Number::U64(1)).unwrap();
                family.sample(&(), &h).unwrap();
                want.extend(alone(bounds, &counts, format));
            }
        }
        let text = String::from_utf8(out).unwrap();
        let got: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(got, want, "{format:?}");
        assert!(text.contains("le=\"1.234567890123e-300\""), "{text}");
    }
}
