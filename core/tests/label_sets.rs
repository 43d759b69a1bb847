//! Label sets compose: an optional set, a pair of sets, a reference to a
//! set and a slice all write their labels in order.

use otel_prom_core::{Encoder, Escaping, Format, LabelName, Metadata, MetricName, Number};

fn line(labels: &impl otel_prom_core::LabelSet) -> String {
    let mut enc = Encoder::new(Vec::new(), Format::Text004, Escaping::Underscores);
    enc.gauge(&Metadata::new(MetricName::new("g").unwrap(), ""))
        .unwrap()
        .sample(labels, Number::U64(1))
        .unwrap();
    let text = String::from_utf8(enc.into_inner()).unwrap();
    text.lines().nth(1).unwrap().to_string()
}

#[test]
fn composed_label_sets_write_every_label_in_order() {
    let a = LabelName::new("a").unwrap();
    let b = LabelName::new("b").unwrap();
    let first = [(a, "1")];
    let second = [(b, String::from("2"))];
    assert_eq!(line(&Some(first)), "g{a=\"1\"} 1");
    assert_eq!(line(&None::<[(LabelName<'_>, &str); 1]>), "g 1");
    assert_eq!(line(&(first, second.clone())), "g{a=\"1\",b=\"2\"} 1");
    assert_eq!(line(&(Some(first), None::<()>)), "g{a=\"1\"} 1");
    assert_eq!(line(&(&first, &second[..])), "g{a=\"1\",b=\"2\"} 1");
}
