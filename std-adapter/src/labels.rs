//! OpenTelemetry attributes as Prometheus labels, lent to the encoder
//! without building label lists: keys are translated on the fly into a
//! stack buffer, keys that collide after translation are merged (values
//! joined with `;` in original key order), and non-string values are
//! written as the specification asks (arrays as JSON).

use std::cell::RefCell;
use std::cmp::Ordering;
use std::fmt::Write as _;

use opentelemetry::{Array, KeyValue, Value};
use otel_prom_core::encode::NumberBuffer;
use otel_prom_core::translate::label_name;
use otel_prom_core::{Escaping, LabelName, LabelSet, LabelVisitor, Strategy};

/// Longest translated label name; longer keys are skipped (and reported).
pub(crate) const MAX_KEY: usize = 512;

/// How attribute keys become label names in one scrape: the translation
/// strategy, and whether the scrape escapes names the strategy kept as
/// UTF-8 in a way that can make two of them equal. Under `underscores`,
/// `a.b` and `a_b` are both written `a_b`; under `dots`, `a_b` and `a-b`
/// are both written `a__b`. Such names are compared (and merged, and ranked
/// against scope and resource labels) as the scrape writes them: a label
/// name twice in one sample makes Prometheus refuse the whole scrape.
/// (`values` escapes every character apart: nothing to do.)
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Naming {
    pub(crate) strategy: Strategy,
    pub(crate) underscores: bool,
    pub(crate) dots: bool,
}

impl Naming {
    /// For a scrape escaped with `escaping` (as the format applies it).
    pub(crate) fn new(strategy: Strategy, escaping: Escaping) -> Self {
        let utf8 = !strategy.sanitizes();
        Naming {
            strategy,
            underscores: utf8 && escaping == Escaping::Underscores,
            dots: utf8 && escaping == Escaping::Dots,
        }
    }

    /// The label name `key` becomes, in `buf`; `None` when it cannot be one.
    pub(crate) fn label<'b>(&self, key: &str, buf: &'b mut [u8; MAX_KEY]) -> Option<LabelName<'b>> {
        if !self.underscores && !self.dots {
            return label_name(key, self.strategy, buf).ok();
        }
        let mut translated = [0u8; MAX_KEY];
        let name = label_name(key, self.strategy, &mut translated).ok()?;
        if self.underscores {
            // A legacy name escapes to itself.
            return name.underscore_escaped(buf).ok();
        }
        // The canonical form is ASCII: one byte per character.
        let mut n = 0;
        for c in dots_canonical(name.as_str(), false) {
            *buf.get_mut(n)? = c as u8;
            n += 1;
        }
        LabelName::new(std::str::from_utf8(&buf[..n]).ok()?).ok()
    }

    /// Whether `key` is written as it is, as a label name.
    pub(crate) fn unchanged(&self, key: &str) -> bool {
        let b = key.as_bytes();
        if b.is_empty() || key.starts_with("__") {
            return false;
        }
        let legacy = (b[0].is_ascii_alphabetic() || b[0] == b'_')
            && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_');
        if !self.strategy.sanitizes() {
            if self.dots {
                return dots_canonical(key, false).eq(key.chars());
            }
            return legacy || !self.underscores;
        }
        legacy && !b.windows(2).any(|w| w == b"__")
    }
}

/// `name` with every character the `dots` scheme writes as `__` (all but
/// `.` and the legacy ones) replaced by `_`, which it also writes as `__`:
/// the scheme writes both alike, and names it would make equal are equal.
/// Every character it yields is ASCII.
pub(crate) fn dots_canonical(name: &str, metric: bool) -> impl Iterator<Item = char> + '_ {
    name.chars().enumerate().map(move |(i, c)| {
        let legal = c.is_ascii_alphabetic()
            || c == '_'
            || c == '.'
            || (metric && c == ':')
            || (i > 0 && c.is_ascii_digit());
        if legal { c } else { '_' }
    })
}

/// Writes `value` as label text into `out`.
pub(crate) fn write_value(value: &Value, out: &mut String) {
    let mut num = NumberBuffer::new();
    match value {
        Value::String(s) => out.push_str(s.as_str()),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::I64(i) => out.push_str(num.format_i64(*i)),
        Value::F64(f) => out.push_str(num.format_f64(*f)),
        Value::Array(a) => write_array(a, out),
        // `Value` is non-exhaustive: newer kinds fall back to their Display.
        other => {
            let _ = write!(out, "{other}");
        }
    }
}

/// JSON text of an attribute array: `["a","b"]`, `[1,2]`, `[true]`.
fn write_array(a: &Array, out: &mut String) {
    let mut num = NumberBuffer::new();
    out.push('[');
    match a {
        Array::Bool(v) => join(out, v, |out, b| {
            out.push_str(if *b { "true" } else { "false" })
        }),
        Array::I64(v) => join(out, v, |out, i| out.push_str(num.format_i64(*i))),
        Array::F64(v) => join(out, v, |out, f| {
            // JSON has no NaN or infinities: spell them as strings.
            if f.is_finite() {
                out.push_str(num.format_f64(*f));
            } else {
                out.push('"');
                out.push_str(num.format_f64(*f));
                out.push('"');
            }
        }),
        Array::String(v) => join(out, v, |out, s| json_string(s.as_str(), out)),
        other => {
            let _ = write!(out, "{other}");
        }
    }
    out.push(']');
}

fn join<T>(out: &mut String, items: &[T], mut each: impl FnMut(&mut String, &T)) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        each(out, item);
    }
}

fn json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Orders attribute lists (for deterministic series order) by key, then
/// by value text.
pub(crate) fn cmp_attributes<'a>(
    a: impl Iterator<Item = &'a KeyValue>,
    b: impl Iterator<Item = &'a KeyValue>,
    scratch: &mut (String, String),
) -> Ordering {
    let mut a = a;
    let mut b = b;
    loop {
        match (a.next(), b.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let o = cmp_str(x.key.as_str(), y.key.as_str())
                    .then_with(|| cmp_value(&x.value, &y.value, scratch));
                if o != Ordering::Equal {
                    return o;
                }
            }
        }
    }
}

/// Keys of the same instrument are usually the same allocation (a
/// `&'static str` or a shared `Arc`): equal without reading the bytes.
pub(crate) fn cmp_str(a: &str, b: &str) -> Ordering {
    if core::ptr::eq(a, b) {
        Ordering::Equal
    } else {
        a.cmp(b)
    }
}

/// Orders two attribute values: by kind first, then numbers by value and
/// everything else by its label text. This must be a total order: the
/// series sort panics on one that is not, and the same key may carry an
/// integer on one point and a float or a string on another (ordering those
/// by text alone made 9 < 10 < "2.5" < 9).
pub(crate) fn cmp_value(a: &Value, b: &Value, scratch: &mut (String, String)) -> Ordering {
    match (a, b) {
        (Value::String(x), Value::String(y)) => cmp_str(x.as_str(), y.as_str()),
        (Value::I64(x), Value::I64(y)) => x.cmp(y),
        (Value::F64(x), Value::F64(y)) => x.total_cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        _ => kind_rank(a).cmp(&kind_rank(b)).then_with(|| {
            scratch.0.clear();
            scratch.1.clear();
            write_value(a, &mut scratch.0);
            write_value(b, &mut scratch.1);
            scratch.0.cmp(&scratch.1)
        }),
    }
}

/// Where a value's kind sorts among the others.
fn kind_rank(v: &Value) -> u8 {
    match v {
        Value::Bool(_) => 0,
        Value::I64(_) => 1,
        Value::F64(_) => 2,
        Value::String(_) => 3,
        Value::Array(Array::Bool(_)) => 4,
        Value::Array(Array::I64(_)) => 5,
        Value::Array(Array::F64(_)) => 6,
        Value::Array(Array::String(_)) => 7,
        _ => 8,
    }
}

/// One source of labels: attribute lists are visited with translation and
/// collision merging. Cloning the iterator is how the list is re-read.
pub(crate) struct Attributes<'a, I> {
    pub(crate) attrs: I,
    pub(crate) naming: Naming,
    pub(crate) scratch: &'a RefCell<String>,
}

impl<'a, 'k, I> LabelSet for Attributes<'a, I>
where
    I: Iterator<Item = &'k KeyValue> + Clone,
{
    fn visit<V: LabelVisitor>(&self, visitor: &mut V) -> Result<(), V::Error> {
        // The common case: every key is already a label name that
        // translation leaves alone, so distinct keys cannot collide. The
        // SDK does not always drop a repeated key; lists come sorted by
        // key, so a repeat is next to its first.
        let mut previous = None;
        if self.attrs.clone().all(|kv| {
            let key = kv.key.as_str();
            let fast = self.naming.unchanged(key) && previous != Some(key);
            previous = Some(key);
            fast
        }) {
            for kv in self.attrs.clone() {
                let Ok(name) = LabelName::new(kv.key.as_str()) else {
                    continue;
                };
                match &kv.value {
                    Value::String(s) => visitor.label(name, s.as_str())?,
                    other => {
                        let mut text = self.scratch.borrow_mut();
                        text.clear();
                        write_value(other, &mut text);
                        visitor.label(name, &text)?;
                    }
                }
            }
            return Ok(());
        }
        let mut name_buf = [0u8; MAX_KEY];
        let mut other_buf = [0u8; MAX_KEY];
        for (i, kv) in self.attrs.clone().enumerate() {
            let Some(name) = self.naming.label(kv.key.as_str(), &mut name_buf) else {
                tracing::warn!(
                    key = kv.key.as_str(),
                    "attribute key cannot be a label name; label dropped"
                );
                continue;
            };
            let same = |other: &KeyValue, buf: &mut [u8; MAX_KEY]| {
                self.naming
                    .label(other.key.as_str(), buf)
                    .is_some_and(|n| n == name)
            };
            // Merged into an earlier label of the same translated name.
            if self.attrs.clone().take(i).any(|o| same(o, &mut other_buf)) {
                continue;
            }
            let merged = self
                .attrs
                .clone()
                .skip(i + 1)
                .any(|o| same(o, &mut other_buf));
            match (&kv.value, merged) {
                (Value::String(s), false) => visitor.label(name, s.as_str())?,
                _ => {
                    let mut text = self.scratch.borrow_mut();
                    text.clear();
                    write_value(&kv.value, &mut text);
                    if merged {
                        for o in self.attrs.clone().skip(i + 1) {
                            if same(o, &mut other_buf) {
                                text.push(';');
                                write_value(&o.value, &mut text);
                            }
                        }
                    }
                    visitor.label(name, &text)?;
                }
            }
        }
        Ok(())
    }
}

/// Fixed labels computed once per scrape (scope labels, resource constant
/// labels): already-translated names and rendered values.
#[derive(Debug, Default, Clone)]
pub(crate) struct FixedLabels {
    pub(crate) names: Vec<String>,
    pub(crate) values: Vec<String>,
}

impl FixedLabels {
    pub(crate) fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Whether one of these labels is called `name`.
    pub(crate) fn contains(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name)
    }

    pub(crate) fn push(&mut self, name: &str, naming: Naming, value: &Value) {
        let mut buf = [0u8; MAX_KEY];
        let Some(label) = naming.label(name, &mut buf) else {
            return;
        };
        let label = label.as_str().to_string();
        let mut text = String::new();
        write_value(value, &mut text);
        // Collisions after translation merge like attributes do.
        if let Some(i) = self.names.iter().position(|n| *n == label) {
            self.values[i].push(';');
            self.values[i].push_str(&text);
        } else {
            self.names.push(label);
            self.values.push(text);
        }
    }
}

impl LabelSet for FixedLabels {
    fn visit<V: LabelVisitor>(&self, visitor: &mut V) -> Result<(), V::Error> {
        for (n, v) in self.names.iter().zip(&self.values) {
            if let Ok(name) = LabelName::new(n) {
                visitor.label(name, v)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_as_text() {
        let mut s = String::new();
        for (v, want) in [
            (Value::from(true), "true"),
            (Value::from(-3i64), "-3"),
            (Value::from(1e6), "1e+06"),
            (Value::from("x"), "x"),
            (
                Value::Array(Array::String(vec!["a\"b".into(), "c".into()])),
                "[\"a\\\"b\",\"c\"]",
            ),
            (
                // JSON escapes for the control characters, `\u00XX` for
                // those without a short one.
                Value::Array(Array::String(vec![
                    "\\\n\r\t".into(),
                    "a\u{1}b\u{1f}".into(),
                ])),
                "[\"\\\\\\n\\r\\t\",\"a\\u0001b\\u001f\"]",
            ),
            (Value::Array(Array::I64(vec![1, 2])), "[1,2]"),
            (
                Value::Array(Array::F64(vec![0.5, f64::NAN])),
                "[0.5,\"NaN\"]",
            ),
            (Value::Array(Array::Bool(vec![true, false])), "[true,false]"),
        ] {
            s.clear();
            write_value(&v, &mut s);
            assert_eq!(s, want);
        }
    }

    #[test]
    fn value_order_is_total_across_kinds() {
        let values = [
            Value::from(false),
            Value::from(true),
            Value::from(-7i64),
            Value::from(9i64),
            Value::from(10i64),
            Value::from(f64::NEG_INFINITY),
            Value::from(-0.0),
            Value::from(0.0),
            Value::from(2.5),
            Value::from(f64::NAN),
            Value::from(""),
            Value::from("10"),
            Value::from("2.5"),
            Value::from("9"),
            Value::from("true"),
            Value::Array(Array::Bool(vec![false])),
            Value::Array(Array::I64(vec![10])),
            Value::Array(Array::I64(vec![9])),
            Value::Array(Array::F64(vec![2.5])),
            Value::Array(Array::String(vec!["9".into()])),
        ];
        let mut scratch = (String::new(), String::new());
        let mut cmp = |a: &Value, b: &Value| cmp_value(a, b, &mut scratch);
        for a in &values {
            assert_eq!(cmp(a, a), Ordering::Equal, "{a:?}");
            for b in &values {
                let ab = cmp(a, b);
                assert_eq!(ab, cmp(b, a).reverse(), "{a:?} vs {b:?}");
                // Distinct values never tie: an unstable sort stays deterministic.
                if !std::ptr::eq(a, b) {
                    assert_ne!(ab, Ordering::Equal, "{a:?} vs {b:?}");
                }
                for c in &values {
                    if ab == Ordering::Less && cmp(b, c) == Ordering::Less {
                        assert_eq!(cmp(a, c), Ordering::Less, "{a:?} < {b:?} < {c:?}");
                    }
                }
            }
        }
        // Numbers by value within their kind; kinds in a fixed order.
        assert_eq!(cmp(&Value::from(9i64), &Value::from(10i64)), Ordering::Less);
        assert_eq!(cmp(&Value::from(10i64), &Value::from(2.5)), Ordering::Less);
        assert_eq!(cmp(&Value::from(9i64), &Value::from("10")), Ordering::Less);
    }

    /// What the core's `dots` scheme writes for `key` as a metric name
    /// (`metric`) or as a label name; `None` where the core refuses it.
    fn dots_written(key: &str, metric: bool) -> Option<String> {
        use otel_prom_core::{Encoder, Format, Metadata, MetricName, Number};
        let (name, label) = if metric { (key, "l") } else { ("m", key) };
        let meta = Metadata::new(MetricName::new(name).ok()?, "");
        let labels = [(LabelName::new(label).ok()?, "v")];
        let mut enc = Encoder::new(Vec::new(), Format::Text100, Escaping::Dots);
        enc.gauge(&meta)
            .ok()?
            .sample(&labels, Number::I64(1))
            .ok()?;
        let page = String::from_utf8(enc.into_inner()).ok()?;
        let line = page.lines().find(|l| !l.starts_with('#'))?;
        let (written, rest) = line.split_once('{')?;
        Some(
            if metric {
                written
            } else {
                rest.split_once('=')?.0
            }
            .to_owned(),
        )
    }

    /// Two names have one canonical form exactly where the `dots` scheme
    /// writes them alike: the canonical form is how a scrape under `dots`
    /// finds names that would meet.
    #[test]
    fn dots_canonical_meets_where_the_core_writes_alike() {
        let keys = [
            "a_b", "a-b", "a.b", "a:b", "a/b", "a b", "a\u{e9}b", "ab", "Ab", "a9", "a_9", "9a",
            "_a", "1a", "-a", ".a", ":a", "a__b", "a_dot_b", "a..b", "a:", "a_",
        ];
        for metric in [false, true] {
            let written: Vec<_> = keys
                .iter()
                .filter_map(|k| Some((*k, dots_written(k, metric)?)))
                .collect();
            assert!(written.len() >= keys.len() - 2, "{metric}: {written:?}");
            for (a, wa) in &written {
                let ca: String = dots_canonical(a, metric).collect();
                assert!(ca.is_ascii(), "{a:?} -> {ca:?}");
                for (b, wb) in &written {
                    let cb: String = dots_canonical(b, metric).collect();
                    assert_eq!(
                        ca == cb,
                        wa == wb,
                        "metric {metric}: {a:?} -> {wa:?} ({ca:?}), {b:?} -> {wb:?} ({cb:?})"
                    );
                }
            }
        }
        // The character classes, each on its own.
        let canonical = |s, metric| dots_canonical(s, metric).collect::<String>();
        assert_eq!(canonical("aZ_.:9", true), "aZ_.:9");
        assert_eq!(canonical("aZ_.:9", false), "aZ_._9");
        assert_eq!(canonical("9a", true), "_a");
        assert_eq!(canonical("a-\u{e9}", false), "a__");
    }
}
