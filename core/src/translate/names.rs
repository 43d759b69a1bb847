//! Metric and label name translation.

use super::units::write_unit;
use super::{InstrumentKind, Strategy};
use crate::encode::Metadata;
use crate::error::NameError;
use crate::name::{LabelName, MetricName, NameKind};

/// `expr?` for `const fn`s, where `?` is not available.
macro_rules! attempt {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(e) => return Err(e),
        }
    };
}
pub(crate) use attempt;

/// A bounded, append-only byte buffer over caller memory. Every function
/// here is a `const fn`, so names can be translated when a program is
/// compiled as well as at run time, by the same code.
pub(crate) struct Buf<'b> {
    out: &'b mut [u8],
    len: usize,
}

impl<'b> Buf<'b> {
    pub(crate) const fn new(out: &'b mut [u8]) -> Self {
        Buf { out, len: 0 }
    }

    pub(crate) const fn len(&self) -> usize {
        self.len
    }

    pub(crate) const fn push(&mut self, s: &[u8]) -> Result<(), NameError> {
        if s.len() > self.out.len() - self.len {
            return Err(NameError::BufferTooSmall);
        }
        let mut i = 0;
        while i < s.len() {
            self.out[self.len + i] = s[i];
            i += 1;
        }
        self.len += s.len();
        Ok(())
    }

    pub(crate) const fn truncate(&mut self, len: usize) {
        if len < self.len {
            self.len = len;
        }
    }

    /// Moves the `n` bytes at `from` to `to` (`to <= from`) and ends the
    /// buffer after them.
    const fn shift_left(&mut self, from: usize, to: usize, n: usize) {
        let mut i = 0;
        while i < n {
            self.out[to + i] = self.out[from + i];
            i += 1;
        }
        self.len = to + n;
    }

    pub(crate) const fn bytes(&self) -> &[u8] {
        self.out.split_at(self.len).0
    }

    const fn ends_with_byte(&self, b: u8) -> bool {
        self.len > 0 && self.out[self.len - 1] == b
    }
}

/// `a == b`, in a `const fn`.
pub(crate) const fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// `s.ends_with(tail)`, in a `const fn`.
pub(crate) const fn ends_with(s: &[u8], tail: &[u8]) -> bool {
    s.len() >= tail.len() && bytes_eq(s.split_at(s.len() - tail.len()).1, tail)
}

/// An upper bound on the translated length of a metric name of `name_len`
/// bytes with a unit of `unit_len` bytes, for sizing the buffer.
///
/// ```
/// use otel_prom_core::translate::{metric_name, translated_len_bound, InstrumentKind, Strategy};
/// let (name, unit) = ("a.b", "By/s");
/// let mut buf = vec![0u8; translated_len_bound(name.len(), unit.len())];
/// assert!(metric_name(name, unit, InstrumentKind::Gauge, Strategy::default(), &mut buf).is_ok());
/// ```
pub const fn translated_len_bound(name_len: usize, unit_len: usize) -> usize {
    // '_' prefix + name + '_' + unit words (at most 12 bytes per unit byte:
    // "ms" -> "milliseconds" is the widest, "_per_" included). The unit is
    // not copied (`TranslatedName::unit` is the name's tail); the doubling
    // is slack, so a wider unit word added later cannot make buffers sized
    // by this bound too small.
    2 * (name_len + 2 + 12 * unit_len + 8)
}

/// A translated metric name: the family name (type suffixes are added by
/// the encoder), its Prometheus unit, and whether text-format counters carry
/// `_total`.
///
/// ```
/// use otel_prom_core::translate::{metric_name, InstrumentKind, Strategy};
/// let mut buf = [0u8; 64];
/// let t = metric_name("jobs", "{job}", InstrumentKind::Counter, Strategy::default(), &mut buf).unwrap();
/// let meta = t.metadata("Jobs done.");
/// assert_eq!(meta.name().as_str(), "jobs");
/// assert!(meta.has_total_suffix());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TranslatedName<'b> {
    name: MetricName<'b>,
    unit: Option<&'b str>,
    total: bool,
}

impl<'b> TranslatedName<'b> {
    /// The family name.
    ///
    /// ```
    /// # use otel_prom_core::translate::*;
    /// let mut b = [0u8; 32];
    /// assert_eq!(metric_name("a", "", InstrumentKind::Gauge, Strategy::default(), &mut b).unwrap().name().as_str(), "a");
    /// ```
    pub const fn name(&self) -> MetricName<'b> {
        self.name
    }

    /// The Prometheus unit, when the unit translated to a word.
    ///
    /// ```
    /// # use otel_prom_core::translate::*;
    /// let mut b = [0u8; 32];
    /// assert_eq!(metric_name("a", "1", InstrumentKind::Gauge, Strategy::default(), &mut b).unwrap().unit(), None);
    /// ```
    pub const fn unit(&self) -> Option<&'b str> {
        self.unit
    }

    /// Metadata for the encoder, with this name, unit and suffix rule.
    ///
    /// ```
    /// # use otel_prom_core::translate::*;
    /// let mut b = [0u8; 64];
    /// let t = metric_name("x", "s", InstrumentKind::Counter, Strategy::UnderscoreEscapingWithoutSuffixes, &mut b).unwrap();
    /// assert!(!t.metadata("").has_total_suffix());
    /// ```
    pub fn metadata<'a>(&self, help: &'a str) -> Metadata<'a>
    where
        'b: 'a,
    {
        let mut meta = Metadata::new(self.name, help);
        if let Some(unit) = self.unit {
            // Units come out of translation as [a-zA-Z0-9_]+.
            meta = meta.with_unit(unit).unwrap_or(meta);
        }
        if !self.total {
            meta = meta.without_total_suffix();
        }
        meta
    }
}

/// Writes `name` as the strategy wants it: as it is, or sanitized to the
/// legacy character set (invalid characters become `_`, a leading digit
/// gets a `_` prefix, runs of `_` collapse). Byte by byte: every legal
/// character is ASCII, and the bytes of one non-ASCII character become one
/// `_` as runs collapse.
const fn push_name(
    buf: &mut Buf<'_>,
    name: &[u8],
    kind: NameKind,
    strategy: Strategy,
) -> Result<(), NameError> {
    if !strategy.sanitizes() {
        return buf.push(name);
    }
    let start = buf.len();
    let mut i = 0;
    while i < name.len() {
        let b = name[i];
        i += 1;
        if buf.len() == start && b.is_ascii_digit() {
            attempt!(buf.push(b"_"));
        }
        let legal = b.is_ascii() && kind.legal(b as char, false);
        let b = if legal { b } else { b'_' };
        if b == b'_' && buf.len() > start && buf.ends_with_byte(b'_') {
            continue;
        }
        attempt!(buf.push(&[b]));
    }
    Ok(())
}

/// A metric name and unit translated into a caller's buffer: the name is
/// `out[..len]`, its unit (when it has one) the last `unit_len` bytes of it.
pub(crate) struct Translated {
    pub(crate) len: usize,
    pub(crate) unit_len: usize,
    pub(crate) total: bool,
}

/// [`metric_name`]'s work, as a `const fn` over bytes.
pub(crate) const fn translate_metric(
    name: &str,
    unit: &str,
    kind: InstrumentKind,
    strategy: Strategy,
    out: &mut [u8],
) -> Result<Translated, NameError> {
    let mut buf = Buf::new(out);
    attempt!(push_name(
        &mut buf,
        name.as_bytes(),
        NameKind::Metric,
        strategy
    ));
    let mut total = !strategy.adds_suffixes() && ends_with(name.as_bytes(), b"_total");
    let mut unit_len = 0;
    if strategy.adds_suffixes() {
        if matches!(kind, InstrumentKind::Counter) {
            total = true;
            let n = buf.len();
            if ends_with(buf.bytes(), b"_total") && n > b"_total".len() {
                buf.truncate(n - b"_total".len());
            }
        }
        let name_end = buf.len();
        // Translate the unit after the name, then decide whether to keep it.
        attempt!(buf.push(b"_"));
        let unit_start = buf.len();
        attempt!(write_unit(unit.as_bytes(), &mut buf));
        unit_len = buf.len() - unit_start;
        let (named, rest) = buf.bytes().split_at(name_end);
        let word = rest.split_at(1).1;
        let already = unit_len > 0
            && (bytes_eq(named, word)
                || (named.len() > word.len()
                    && ends_with(named, word)
                    && named[named.len() - word.len() - 1] == b'_'));
        let collapse = ends_with(named, b"_");
        if unit_len == 0 || already {
            buf.truncate(name_end);
        } else if collapse {
            // "name_" + "_unit": one separator.
            buf.shift_left(unit_start, name_end, unit_len);
        }
    }
    if buf.len() == 0 {
        return Err(NameError::Empty);
    }
    Ok(Translated {
        len: buf.len(),
        unit_len,
        total,
    })
}

/// [`label_name`]'s work, as a `const fn` over bytes: the label name is
/// `out[..len]`.
pub(crate) const fn translate_label(
    key: &str,
    strategy: Strategy,
    out: &mut [u8],
) -> Result<usize, NameError> {
    let mut buf = Buf::new(out);
    attempt!(push_name(
        &mut buf,
        key.as_bytes(),
        NameKind::Label,
        strategy
    ));
    let name = buf.bytes();
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    if name.len() >= 2 && name[0] == b'_' && name[1] == b'_' {
        return Err(NameError::Reserved);
    }
    Ok(buf.len())
}

/// `out[..len]` as the `str` it is (translation copies whole UTF-8 names
/// or writes ASCII, and a family's text is made of such names).
pub(crate) fn written(out: &[u8], len: usize) -> &str {
    out.get(..len)
        .and_then(|b| core::str::from_utf8(b).ok())
        .unwrap_or("")
}

/// Translates an OpenTelemetry metric name and unit into `out`.
///
/// With suffixes: the unit word is appended unless the name already ends in
/// it, and counters are marked for `_total` (a `_total` already on the name
/// is moved after the unit, so it is never doubled).
///
/// ```
/// use otel_prom_core::translate::{metric_name, InstrumentKind, Strategy};
/// let mut b = [0u8; 64];
/// let t = metric_name("foo_seconds", "s", InstrumentKind::Histogram, Strategy::default(), &mut b).unwrap();
/// assert_eq!(t.name().as_str(), "foo_seconds");
/// let t = metric_name("1st.metric", "", InstrumentKind::Gauge, Strategy::default(), &mut b).unwrap();
/// assert_eq!(t.name().as_str(), "_1st_metric");
/// let t = metric_name("my.metric", "ms", InstrumentKind::Counter, Strategy::NoUtf8EscapingWithSuffixes, &mut b).unwrap();
/// assert_eq!(t.name().as_str(), "my.metric_milliseconds");
/// ```
pub fn metric_name<'b>(
    name: &str,
    unit: &str,
    kind: InstrumentKind,
    strategy: Strategy,
    out: &'b mut [u8],
) -> Result<TranslatedName<'b>, NameError> {
    let t = translate_metric(name, unit, kind, strategy, out)?;
    let s = written(out, t.len);
    let unit = if t.unit_len > 0 {
        s.get(s.len() - t.unit_len..)
    } else {
        None
    };
    Ok(TranslatedName {
        name: MetricName::new(s)?,
        unit,
        total: t.total,
    })
}

/// Translates an attribute key into a label name in `out`.
///
/// ```
/// use otel_prom_core::translate::label_name;
/// use otel_prom_core::{NameError, Strategy};
/// let mut b = [0u8; 32];
/// assert_eq!(label_name("http.method", Strategy::default(), &mut b).unwrap().as_str(), "http_method");
/// assert_eq!(label_name("1abc", Strategy::default(), &mut b).unwrap().as_str(), "_1abc");
/// assert_eq!(label_name("a:b", Strategy::default(), &mut b).unwrap().as_str(), "a_b");
/// assert_eq!(label_name("http.method", Strategy::NoTranslation, &mut b).unwrap().as_str(), "http.method");
/// assert_eq!(label_name("", Strategy::default(), &mut b), Err(NameError::Empty));
/// ```
pub fn label_name<'b>(
    key: &str,
    strategy: Strategy,
    out: &'b mut [u8],
) -> Result<LabelName<'b>, NameError> {
    let len = translate_label(key, strategy, out)?;
    LabelName::new(written(out, len))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(
        name: &str,
        unit: &str,
        kind: InstrumentKind,
        s: Strategy,
    ) -> (String, Option<String>, bool) {
        let mut b = [0u8; 256];
        let r = metric_name(name, unit, kind, s, &mut b).unwrap();
        (r.name().as_str().into(), r.unit().map(Into::into), r.total)
    }

    use InstrumentKind::*;
    use Strategy::*;

    #[test]
    fn never_doubles_suffixes() {
        let d = UnderscoreEscapingWithSuffixes;
        assert_eq!(t("foo_total", "", Counter, d).0, "foo");
        assert_eq!(t("foo_total", "s", Counter, d).0, "foo_seconds");
        assert_eq!(t("foo_seconds", "s", Histogram, d).0, "foo_seconds");
        assert_eq!(t("seconds", "s", Gauge, d).0, "seconds");
        assert_eq!(t("foo_seconds_total", "s", Counter, d).0, "foo_seconds");
        // A name that is only the suffix keeps it rather than become empty.
        assert_eq!(t("_total", "", Counter, d).0, "_total");
        assert_eq!(
            t("foo", "s", Counter, d),
            ("foo_seconds".into(), Some("seconds".into()), true)
        );
    }

    #[test]
    fn sanitizing() {
        let d = UnderscoreEscapingWithSuffixes;
        assert_eq!(t("a..b__c", "", Gauge, d).0, "a_b_c");
        assert_eq!(t("0abc", "", Gauge, d).0, "_0abc");
        assert_eq!(t("a:b", "", Gauge, d).0, "a:b");
        assert_eq!(t("résumé", "", Gauge, d).0, "r_sum_");
        assert_eq!(t("foo_", "By", Gauge, d).0, "foo_bytes");
        assert_eq!(t("kb", "kBy", Gauge, d).0, "kb_kilobytes");
        assert_eq!(
            t("net", "{packets}", Counter, d),
            ("net".into(), None, true)
        );
        assert_eq!(t("net", "By/s", Gauge, d).0, "net_bytes_per_second");
        assert_eq!(t("ratio", "1", Gauge, d).0, "ratio");
        assert_eq!(t("q", "custom", Gauge, d).0, "q_custom");
    }

    #[test]
    fn strategies() {
        assert_eq!(
            t("a.b", "s", Counter, UnderscoreEscapingWithoutSuffixes),
            ("a_b".into(), None, false)
        );
        assert_eq!(
            t("a.b", "s", Counter, NoUtf8EscapingWithSuffixes).0,
            "a.b_seconds"
        );
        assert_eq!(
            t("a.b_total", "s", Counter, NoTranslation),
            ("a.b_total".into(), None, true)
        );
        assert_eq!(
            t("a.b", "s", Counter, NoTranslation),
            ("a.b".into(), None, false)
        );
    }

    #[test]
    fn the_length_bound_holds_for_the_widest_units() {
        // "ms" becomes "milliseconds", "/mo" "_per_month": the widest
        // words per unit byte, repeated, beside names that grow.
        let units = [
            "ms", "us/mo", "ms/mo", "ns/d", "KiBy/mo", "%", "m/m", "h/y", "{x}ms", "ms/ms",
        ];
        let names = [
            "a",
            "1",
            "a.b.c",
            "1é1",
            "x_total",
            "é",
            "ms",
            "a_milliseconds",
        ];
        for unit in units {
            for name in names {
                for strategy in [
                    UnderscoreEscapingWithSuffixes,
                    UnderscoreEscapingWithoutSuffixes,
                    NoUtf8EscapingWithSuffixes,
                    NoTranslation,
                ] {
                    for kind in [Counter, Gauge, Histogram, Info, Unknown] {
                        let mut buf = vec![0u8; translated_len_bound(name.len(), unit.len())];
                        let got = metric_name(name, unit, kind, strategy, &mut buf);
                        assert!(got.is_ok(), "{name} {unit} {strategy:?} {kind:?}: {got:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn a_label_name_fits_a_buffer_of_exactly_its_length() {
        for key in ["a", "a.b", "1x", "é.é", "abcdefghijklmnop"] {
            let mut big = [0u8; 64];
            let want = label_name(key, Strategy::default(), &mut big)
                .unwrap()
                .as_str()
                .to_string();
            let mut exact = vec![0u8; want.len()];
            assert_eq!(
                label_name(key, Strategy::default(), &mut exact)
                    .unwrap()
                    .as_str(),
                want
            );
            let mut short = vec![0u8; want.len() - 1];
            assert_eq!(
                label_name(key, Strategy::default(), &mut short),
                Err(NameError::BufferTooSmall),
                "{key}"
            );
        }
    }

    #[test]
    fn errors() {
        let mut small = [0u8; 4];
        assert_eq!(
            metric_name("abcdef", "", Gauge, Strategy::default(), &mut small),
            Err(NameError::BufferTooSmall)
        );
        let mut b = [0u8; 16];
        assert_eq!(
            metric_name("", "", Gauge, Strategy::default(), &mut b),
            Err(NameError::Empty)
        );
        assert_eq!(
            label_name("__x", NoTranslation, &mut b),
            Err(NameError::Reserved)
        );
        assert_eq!(
            label_name("__x", Strategy::default(), &mut b)
                .unwrap()
                .as_str(),
            "_x"
        );
    }
}
