//! The exposition formats and name-escaping schemes the encoder can write.

/// An exposition format.
///
/// ```
/// use otel_prom_core::Format;
/// assert!(Format::OpenMetrics100.is_openmetrics());
/// assert!(!Format::Text004.can_quote_names());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// Prometheus text format 0.0.4. Names are always in the legacy character set.
    Text004,
    /// Prometheus text format 1.0.0: 0.0.4 plus quoted UTF-8 names
    /// (`{"my.metric",le="1"} 3`) when the scraper allows UTF-8.
    Text100,
    /// OpenMetrics 1.0 text: `# UNIT`, `_created`, exemplars, `# EOF`.
    OpenMetrics100,
}

impl Format {
    /// True for OpenMetrics.
    ///
    /// ```
    /// assert!(otel_prom_core::Format::OpenMetrics100.is_openmetrics());
    /// ```
    pub const fn is_openmetrics(self) -> bool {
        matches!(self, Format::OpenMetrics100)
    }

    /// Whether this format can carry names outside the legacy character set
    /// as quoted strings. Prometheus text 0.0.4 cannot.
    ///
    /// ```
    /// assert!(otel_prom_core::Format::Text100.can_quote_names());
    /// ```
    pub const fn can_quote_names(self) -> bool {
        !matches!(self, Format::Text004)
    }

    /// The escaping scheme actually applied when `asked` is requested with
    /// this format: `allow-utf-8` falls back to `underscores` in 0.0.4,
    /// which has no syntax for quoted names. Without the `utf8-names`
    /// feature every request gets `underscores`.
    ///
    /// ```
    /// use otel_prom_core::{Escaping, Format};
    /// assert_eq!(Format::Text004.effective_escaping(Escaping::AllowUtf8), Escaping::Underscores);
    /// # #[cfg(feature = "utf8-names")]
    /// assert_eq!(Format::Text100.effective_escaping(Escaping::AllowUtf8), Escaping::AllowUtf8);
    /// ```
    pub const fn effective_escaping(self, asked: Escaping) -> Escaping {
        match (self, asked) {
            _ if !cfg!(feature = "utf8-names") => Escaping::Underscores,
            (Format::Text004, Escaping::AllowUtf8) => Escaping::Underscores,
            (_, e) => e,
        }
    }
}

/// How names outside the legacy character set `[a-zA-Z_:][a-zA-Z0-9_:]*` are
/// written. Negotiated by the scraper with the `escaping=` parameter of
/// `Accept`; applied after the translation strategy.
///
/// ```
/// use otel_prom_core::Escaping;
/// assert_eq!(Escaping::from_param("dots"), Some(Escaping::Dots));
/// assert_eq!(Escaping::Values.as_param(), "values");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Escaping {
    /// `allow-utf-8`: names are written as they are, quoted where needed.
    AllowUtf8,
    /// `underscores` (the default): every invalid character becomes `_`.
    #[default]
    Underscores,
    /// `dots`: `.` becomes `_dot_`, `_` becomes `__`, other invalid characters `__`.
    Dots,
    /// `values`: names that need escaping get a `U__` prefix, `_` becomes
    /// `__` and every other invalid character `_<hex code point>_`.
    Values,
}

impl Escaping {
    /// Parses the value of an `escaping=` media-type parameter.
    ///
    /// ```
    /// use otel_prom_core::Escaping;
    /// assert_eq!(Escaping::from_param("allow-utf-8"), Some(Escaping::AllowUtf8));
    /// assert_eq!(Escaping::from_param("bogus"), None);
    /// ```
    pub fn from_param(value: &str) -> Option<Self> {
        Self::from_param_bytes(value.as_bytes())
    }

    /// [`from_param`](Self::from_param) of a header's bytes.
    pub(crate) fn from_param_bytes(value: &[u8]) -> Option<Self> {
        [
            Escaping::AllowUtf8,
            Escaping::Underscores,
            Escaping::Dots,
            Escaping::Values,
        ]
        .into_iter()
        .find(|e| value.eq_ignore_ascii_case(e.as_param().as_bytes()))
    }

    /// The `escaping=` parameter value for this scheme.
    ///
    /// ```
    /// assert_eq!(otel_prom_core::Escaping::AllowUtf8.as_param(), "allow-utf-8");
    /// ```
    pub const fn as_param(self) -> &'static str {
        match self {
            Escaping::AllowUtf8 => "allow-utf-8",
            Escaping::Underscores => "underscores",
            Escaping::Dots => "dots",
            Escaping::Values => "values",
        }
    }
}
