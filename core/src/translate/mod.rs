//! OpenTelemetry → Prometheus translation: metric names (with unit and type
//! suffixes), label names, and units, under the four translation strategies
//! of the OpenTelemetry Prometheus exporter specification.
//!
//! Translation writes into a caller-provided buffer and returns validated
//! names borrowing from it, so it runs once (at registration, or once per
//! distinct metric per scrape) and never allocates. The negotiated
//! [`Escaping`](crate::Escaping) is applied later, by the encoder.
//!
//! ```
//! use otel_prom_core::translate::{metric_name, InstrumentKind, Strategy};
//! let mut buf = [0u8; 64];
//! let t = metric_name("http.server.request.duration", "s", InstrumentKind::Histogram,
//!                     Strategy::default(), &mut buf).unwrap();
//! assert_eq!(t.name().as_str(), "http_server_request_duration_seconds");
//! assert_eq!(t.unit(), Some("seconds"));
//! ```

pub(crate) mod names;
mod units;

pub use names::{TranslatedName, label_name, metric_name, translated_len_bound};
pub use units::{prometheus_unit, unit_word};

/// How OpenTelemetry names become Prometheus names (the specification's
/// `translation_strategy`).
///
/// ```
/// use otel_prom_core::Strategy;
/// assert_eq!(Strategy::default(), Strategy::UnderscoreEscapingWithSuffixes);
/// assert!(Strategy::NoUtf8EscapingWithSuffixes.adds_suffixes());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Strategy {
    /// Sanitize names to `[a-zA-Z0-9_:]`, add unit and `_total` suffixes.
    #[default]
    UnderscoreEscapingWithSuffixes,
    /// Sanitize names, add no suffixes.
    UnderscoreEscapingWithoutSuffixes,
    /// Keep UTF-8 names, add unit and `_total` suffixes.
    NoUtf8EscapingWithSuffixes,
    /// Keep names exactly, add no suffixes.
    NoTranslation,
}

impl Strategy {
    /// Whether names are rewritten to the legacy character set.
    ///
    /// ```
    /// assert!(otel_prom_core::Strategy::UnderscoreEscapingWithoutSuffixes.sanitizes());
    /// ```
    pub const fn sanitizes(self) -> bool {
        matches!(
            self,
            Strategy::UnderscoreEscapingWithSuffixes | Strategy::UnderscoreEscapingWithoutSuffixes
        )
    }

    /// Whether unit and `_total` suffixes are added.
    ///
    /// ```
    /// assert!(!otel_prom_core::Strategy::NoTranslation.adds_suffixes());
    /// ```
    pub const fn adds_suffixes(self) -> bool {
        matches!(
            self,
            Strategy::UnderscoreEscapingWithSuffixes | Strategy::NoUtf8EscapingWithSuffixes
        )
    }
}

/// What a metric will be encoded as; decides the type suffix.
///
/// ```
/// use otel_prom_core::InstrumentKind;
/// assert_ne!(InstrumentKind::Counter, InstrumentKind::Gauge);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum InstrumentKind {
    /// Monotonic cumulative sum → Prometheus counter (`_total`).
    Counter,
    /// Gauge or non-monotonic sum.
    Gauge,
    /// Histogram.
    Histogram,
    /// Info (`_info`), such as `target_info`.
    Info,
    /// Unknown type.
    Unknown,
}
