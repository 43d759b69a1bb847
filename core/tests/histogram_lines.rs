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
            let name = match escaping {
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
