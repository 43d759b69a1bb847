//! Metric and label name translation.

use super::units::write_unit;
use super::{InstrumentKind, Strategy};
use crate::encode::Metadata;
use crate::error::NameError;
use crate::name::{LabelName, MetricName, is_legacy_label_char, is_legacy_metric_char};

/// A bounded, append-only UTF-8 buffer over caller memory.
pub(crate) struct Buf<'b> {
    out: &'b mut [u8],
    len: usize,
}

impl<'b> Buf<'b> {
    pub(crate) fn new(out: &'b mut [u8]) -> Self {
        Buf { out, len: 0 }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn push_str(&mut self, s: &str) -> Result<(), NameError> {
        let end = self
            .len
            .checked_add(s.len())
            .ok_or(NameError::BufferTooSmall)?;
        let dst = self
            .out
            .get_mut(self.len..end)
            .ok_or(NameError::BufferTooSmall)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }

    pub(crate) fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len);
    }

    fn as_str(&self) -> &str {
        // Only whole `&str`s are ever pushed, and truncation happens at
        // lengths that were boundaries between pushes.
        core::str::from_utf8(&self.out[..self.len]).unwrap_or("")
    }

    fn ends_with(&self, b: u8) -> bool {
        self.len > 0 && self.out[self.len - 1] == b
    }

    pub(crate) fn into_str(self) -> &'b str {
        let Buf { out, len } = self;
        core::str::from_utf8(&out[..len]).unwrap_or("")
    }
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
    // "ms" -> "milliseconds" is the widest, "_per_" included) + the unit
    // copy that follows the name.
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

/// Writes `name` sanitized to the legacy character set: invalid characters
/// become `_`, a leading digit gets a `_` prefix, runs of `_` collapse.
fn push_sanitized(
    buf: &mut Buf<'_>,
    name: &str,
    legal: fn(char, bool) -> bool,
) -> Result<(), NameError> {
    let start = buf.len();
    for c in name.chars() {
        let first = buf.len() == start;
        if first && c.is_ascii_digit() {
            buf.push_str("_")?;
        }
        let c = if legal(c, false) { c } else { '_' };
        if c == '_' && buf.len() > start && buf.ends_with(b'_') {
            continue;
        }
        let mut tmp = [0u8; 4];
        buf.push_str(c.encode_utf8(&mut tmp))?;
    }
    Ok(())
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
    let mut buf = Buf::new(out);
    if strategy.sanitizes() {
        push_sanitized(&mut buf, name, is_legacy_metric_char)?;
    } else {
        buf.push_str(name)?;
    }
    let mut total = !strategy.adds_suffixes() && name.ends_with("_total");
    if strategy.adds_suffixes() {
        if kind == InstrumentKind::Counter {
            total = true;
            let n = buf.len();
            if buf.as_str().ends_with("_total") && n > "_total".len() {
                buf.truncate(n - "_total".len());
            }
        }
        let name_end = buf.len();
        // Translate the unit after the name, then decide whether to keep it.
        buf.push_str("_")?;
        let unit_start = buf.len();
        write_unit(unit, &mut buf)?;
        let unit_len = buf.len() - unit_start;
        let (named, word) = {
            let s = buf.as_str();
            // Both ends fall between whole pushes; `get` keeps str
            // slicing's panic path out of the binary.
            (
                s.get(..name_end).unwrap_or(""),
                s.get(unit_start..).unwrap_or(""),
            )
        };
        let already = unit_len > 0
            && (named == word
                || (named.len() > word.len()
                    && named.ends_with(word)
                    && named.as_bytes()[named.len() - word.len() - 1] == b'_'));
        if unit_len == 0 || already {
            buf.truncate(name_end);
        } else if named.ends_with('_') {
            // Collapse "name_" + "_unit" into one separator.
            let mut tmp = [0u8; 256];
            let w = word.len().min(tmp.len());
            tmp[..w].copy_from_slice(&word.as_bytes()[..w]);
            if w < word.len() {
                return Err(NameError::BufferTooSmall);
            }
            buf.truncate(name_end);
            buf.push_str(core::str::from_utf8(&tmp[..w]).unwrap_or(""))?;
        }
        let s = buf.into_str();
        if s.is_empty() {
            return Err(NameError::Empty);
        }
        let unit = if unit_len > 0 {
            s.get(s.len() - unit_len..)
        } else {
            None
        };
        return Ok(TranslatedName {
            name: MetricName::new(s)?,
            unit,
            total,
        });
    }
    let s = buf.into_str();
    Ok(TranslatedName {
        name: MetricName::new(s)?,
        unit: None,
        total,
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
    let mut buf = Buf::new(out);
    if strategy.sanitizes() {
        push_sanitized(&mut buf, key, is_legacy_label_char)?;
    } else {
        buf.push_str(key)?;
    }
    LabelName::new(buf.into_str())
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
