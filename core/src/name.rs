//! Validated metric and label names.
//!
//! A name is checked once, when it is built, and remembers whether it fits
//! the legacy character set. The encoder's hot path then only copies bytes
//! (or escapes, for the rare name that needs it) and never re-validates.

use crate::error::NameError;

/// Whether `c` may appear at position `first`/later in a legacy metric name
/// (`[a-zA-Z_:][a-zA-Z0-9_:]*`).
pub(crate) const fn is_legacy_metric_char(c: char, first: bool) -> bool {
    c.is_ascii_alphabetic() || c == '_' || c == ':' || (!first && c.is_ascii_digit())
}

/// Whether `c` may appear in a legacy label name (`[a-zA-Z_][a-zA-Z0-9_]*`).
pub(crate) const fn is_legacy_label_char(c: char, first: bool) -> bool {
    c.is_ascii_alphabetic() || c == '_' || (!first && c.is_ascii_digit())
}

/// Whether a name is a metric family name (`:` allowed) or a label name.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameKind {
    Metric,
    Label,
}

impl NameKind {
    /// Whether `c` may stand at this place (`first` or later) in a legacy
    /// name of this kind.
    pub(crate) const fn legal(self, c: char, first: bool) -> bool {
        match self {
            NameKind::Metric => is_legacy_metric_char(c, first),
            NameKind::Label => is_legacy_label_char(c, first),
        }
    }

    /// Whether every character of `s` is legal in a legacy name of this
    /// kind. Byte-wise: every legacy character is ASCII, so any non-ASCII
    /// byte fails. A `const fn`, for names translated while compiling.
    pub(crate) const fn all_legacy(self, s: &[u8]) -> bool {
        let mut i = 0;
        while i < s.len() {
            if !s[i].is_ascii() || !self.legal(s[i] as char, i == 0) {
                return false;
            }
            i += 1;
        }
        true
    }
}

/// Writes `name` as the `underscores` escaping scheme writes it: every
/// character outside the legacy set of `kind` becomes one `_`. Returns the
/// length (never more than `name.len()`).
fn underscore_escape(name: &str, kind: NameKind, out: &mut [u8]) -> Result<usize, NameError> {
    let mut n = 0;
    for (i, c) in name.chars().enumerate() {
        // Legacy characters are ASCII: one byte each.
        let b = if kind.legal(c, i == 0) { c as u8 } else { b'_' };
        *out.get_mut(n).ok_or(NameError::BufferTooSmall)? = b;
        n += 1;
    }
    Ok(n)
}

/// A metric family name, checked once.
///
/// Any non-empty UTF-8 string is a valid name (Prometheus 3 allows UTF-8);
/// whether it also fits the legacy set decides how it is escaped or quoted
/// for the format a scraper negotiated. Suffixes such as `_total`, `_bucket`
/// and `_info` are added by the encoder and are not part of the family name.
///
/// ```
/// use otel_prom_core::MetricName;
/// let name = MetricName::new("http_requests").unwrap();
/// assert!(name.is_legacy());
/// assert!(!MetricName::new("http.requests").unwrap().is_legacy());
/// assert!(MetricName::new("").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MetricName<'a> {
    name: &'a str,
    legacy: bool,
}

impl<'a> MetricName<'a> {
    /// Validates `name`: it must not be empty.
    ///
    /// ```
    /// assert!(otel_prom_core::MetricName::new("up").is_ok());
    /// ```
    pub fn new(name: &'a str) -> Result<Self, NameError> {
        if name.is_empty() {
            return Err(NameError::Empty);
        }
        Ok(MetricName {
            name,
            legacy: NameKind::Metric.all_legacy(name.as_bytes()),
        })
    }

    /// Validates `name` against the legacy set `[a-zA-Z_:][a-zA-Z0-9_:]*`,
    /// for callers that must not emit UTF-8 names at all.
    ///
    /// ```
    /// use otel_prom_core::{MetricName, NameError};
    /// assert_eq!(MetricName::legacy("1abc"), Err(NameError::InvalidCharacter));
    /// ```
    pub fn legacy(name: &'a str) -> Result<Self, NameError> {
        let n = Self::new(name)?;
        if n.legacy {
            Ok(n)
        } else {
            Err(NameError::InvalidCharacter)
        }
    }

    /// For names validated earlier (stored by the registry with their class).
    pub(crate) const fn from_validated(name: &'a str, legacy: bool) -> Self {
        MetricName { name, legacy }
    }

    /// The name as given.
    ///
    /// ```
    /// assert_eq!(otel_prom_core::MetricName::new("up").unwrap().as_str(), "up");
    /// ```
    pub const fn as_str(&self) -> &'a str {
        self.name
    }

    /// True when the name fits the legacy character set and is written
    /// unchanged by every escaping scheme except `dots`.
    ///
    /// ```
    /// assert!(otel_prom_core::MetricName::new("a:b").unwrap().is_legacy());
    /// ```
    pub const fn is_legacy(&self) -> bool {
        self.legacy
    }

    /// This name as the `underscores` escaping scheme writes it (the
    /// encoder's answer to a scraper without UTF-8 support), in `out`. Two
    /// UTF-8 names can escape alike, so code that must keep family names
    /// apart in such a scrape compares these.
    ///
    /// ```
    /// use otel_prom_core::MetricName;
    /// let mut buf = [0u8; 16];
    /// let a = MetricName::new("a.b").unwrap().underscore_escaped(&mut buf).unwrap();
    /// assert_eq!((a.as_str(), a.is_legacy()), ("a_b", true));
    /// let mut buf = [0u8; 16];
    /// let b = MetricName::new("a_b").unwrap().underscore_escaped(&mut buf).unwrap();
    /// assert_eq!(b.as_str(), "a_b"); // the same name in that scrape
    /// ```
    pub fn underscore_escaped<'b>(&self, out: &'b mut [u8]) -> Result<MetricName<'b>, NameError> {
        let len = underscore_escape(self.name, NameKind::Metric, out)?;
        MetricName::new(crate::translate::names::written(out, len))
    }
}

/// A label name, checked once.
///
/// Any non-empty UTF-8 string that does not start with the reserved `__`.
///
/// ```
/// use otel_prom_core::LabelName;
/// assert!(LabelName::new("method").unwrap().is_legacy());
/// assert!(!LabelName::new("http.method").unwrap().is_legacy());
/// assert!(!LabelName::new("a:b").unwrap().is_legacy()); // `:` is not legal in label names
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LabelName<'a> {
    name: &'a str,
    legacy: bool,
}

impl<'a> LabelName<'a> {
    /// Validates `name`: not empty, not starting with `__`.
    ///
    /// ```
    /// use otel_prom_core::{LabelName, NameError};
    /// assert_eq!(LabelName::new(""), Err(NameError::Empty));
    /// ```
    pub fn new(name: &'a str) -> Result<Self, NameError> {
        if name.is_empty() {
            return Err(NameError::Empty);
        }
        if name.starts_with("__") {
            return Err(NameError::Reserved);
        }
        Ok(Self::reserved_ok(name))
    }

    /// Like [`LabelName::new`] but requires the legacy set `[a-zA-Z_][a-zA-Z0-9_]*`.
    ///
    /// ```
    /// use otel_prom_core::{LabelName, NameError};
    /// assert_eq!(LabelName::legacy("1abc"), Err(NameError::InvalidCharacter));
    /// ```
    pub fn legacy(name: &'a str) -> Result<Self, NameError> {
        let n = Self::new(name)?;
        if n.legacy {
            Ok(n)
        } else {
            Err(NameError::InvalidCharacter)
        }
    }

    /// For names validated earlier (stored by the registry with their class).
    pub(crate) const fn from_validated(name: &'a str, legacy: bool) -> Self {
        LabelName { name, legacy }
    }

    /// For the encoder's own labels (`le`), which are known to be valid.
    pub(crate) fn reserved_ok(name: &'a str) -> Self {
        LabelName {
            name,
            legacy: NameKind::Label.all_legacy(name.as_bytes()),
        }
    }

    /// The name as given.
    ///
    /// ```
    /// assert_eq!(otel_prom_core::LabelName::new("a").unwrap().as_str(), "a");
    /// ```
    pub const fn as_str(&self) -> &'a str {
        self.name
    }

    /// True when the name fits `[a-zA-Z_][a-zA-Z0-9_]*`.
    ///
    /// ```
    /// assert!(otel_prom_core::LabelName::new("le").unwrap().is_legacy());
    /// ```
    pub const fn is_legacy(&self) -> bool {
        self.legacy
    }

    /// This name as the `underscores` escaping scheme writes it, in `out`
    /// (see [`MetricName::underscore_escaped`]). `NameError::Reserved` when
    /// the escaped name would start with `__`.
    ///
    /// ```
    /// use otel_prom_core::{LabelName, NameError};
    /// let mut buf = [0u8; 16];
    /// let name = LabelName::new("http.method").unwrap().underscore_escaped(&mut buf).unwrap();
    /// assert_eq!(name.as_str(), "http_method");
    /// let mut buf = [0u8; 16];
    /// assert_eq!(LabelName::new("a:b").unwrap().underscore_escaped(&mut buf).unwrap().as_str(), "a_b");
    /// let mut buf = [0u8; 16];
    /// assert_eq!(LabelName::new("._x").unwrap().underscore_escaped(&mut buf), Err(NameError::Reserved));
    /// ```
    pub fn underscore_escaped<'b>(&self, out: &'b mut [u8]) -> Result<LabelName<'b>, NameError> {
        let len = underscore_escape(self.name, NameKind::Label, out)?;
        LabelName::new(crate::translate::names::written(out, len))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_classification() {
        for (s, metric, label) in [
            ("a", true, true),
            ("_a1", true, true),
            ("a:b", true, false),
            ("1a", false, false),
            ("a.b", false, false),
            ("é", false, false),
            (":x", true, false),
        ] {
            assert_eq!(MetricName::new(s).unwrap().is_legacy(), metric, "{s}");
            assert_eq!(LabelName::new(s).unwrap().is_legacy(), label, "{s}");
        }
    }

    #[test]
    fn reserved_and_empty() {
        assert_eq!(MetricName::new(""), Err(NameError::Empty));
        assert_eq!(LabelName::new("__name__"), Err(NameError::Reserved));
        assert!(LabelName::new("_x").is_ok());
    }
}
