//! Error types. Each is small, specific to one operation, and keeps what the
//! caller needs to act on it.
//!
//! The encoder has exactly one way to fail once its inputs are validated: the
//! sink. Everything that can be wrong with a name or a histogram is reported
//! when the caller builds the validated value ([`MetricName`](crate::MetricName),
//! [`Bounds`](crate::Bounds), ...), long before a scrape.

use core::fmt;

use crate::encode::NumberBuffer;

/// An error that can spell its message without `core::fmt`.
///
/// `Display` for every error here is built on it, so the text exists once.
/// Firmware and wasm builds that want a message but not `core::fmt`'s
/// machinery (several KB of flash) call it directly.
///
/// ```
/// use otel_prom_core::error::{ErrorMessage, RecordError};
/// let mut text = String::new();
/// RecordError::LabelCount { expected: 2, got: 1 }.write_message(&mut |piece| text.push_str(piece));
/// assert_eq!(text, "expected 2 label values, got 1");
/// assert_eq!(text, RecordError::LabelCount { expected: 2, got: 1 }.to_string());
/// ```
pub trait ErrorMessage {
    /// Hands the message to `out`, piece by piece, in order: into a
    /// fixed buffer, a UART or a JS string, without `core::fmt`.
    ///
    /// ```
    /// use otel_prom_core::error::{ErrorMessage, RegisterError};
    /// let mut buf = heapless::String::<64>::new();
    /// RegisterError::FamiliesFull.write_message(&mut |piece| {
    ///     // A piece that would overflow the buffer is left out.
    ///     let _ = buf.push_str(piece);
    /// });
    /// assert_eq!(buf.as_str(), RegisterError::FamiliesFull.to_string());
    /// ```
    fn write_message(&self, out: &mut dyn FnMut(&str));

    /// Writes the message to a `Formatter`: the body of a `Display` impl.
    ///
    /// ```
    /// use otel_prom_core::error::{ErrorMessage, NameError};
    /// assert_eq!(NameError::Empty.to_string(), "name is empty");
    /// ```
    fn fmt_message(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut result = Ok(());
        self.write_message(&mut |piece| {
            if result.is_ok() {
                result = f.write_str(piece);
            }
        });
        result
    }
}

/// Encoding failed because the sink failed.
///
/// What the sink holds afterwards: every byte of the exposition up to the
/// failing write, in order, and nothing after it. The output is therefore a
/// prefix of the complete exposition and may end in the middle of a line; a
/// caller that serves HTTP must discard it (or abort the response) rather than
/// send it as a complete scrape.
///
/// ```
/// use otel_prom_core::{EncodeError, Encoder, Format, Escaping, Metadata, MetricName};
///
/// let mut buf = [0u8; 8];
/// let mut sink = &mut buf[..];
/// let mut enc = Encoder::new(&mut sink, Format::Text004, Escaping::Underscores);
/// let name = MetricName::new("temperature_celsius").unwrap();
/// let err = enc.gauge(&Metadata::new(name, "Temperature.")).err().unwrap();
/// assert!(matches!(err, EncodeError::Sink(embedded_io::SliceWriteError::Full)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EncodeError<E> {
    /// The sink returned this error.
    Sink(E),
    /// The sink accepted zero bytes of a non-empty write, which `embedded-io`
    /// defines as "cannot make progress". Reported instead of panicking.
    WriteZero,
}

impl<E> EncodeError<E> {
    /// The sink's own error, if it reported one.
    ///
    /// ```
    /// use otel_prom_core::EncodeError;
    /// assert_eq!(EncodeError::Sink(7u8).sink_error(), Some(&7));
    /// assert_eq!(EncodeError::<u8>::WriteZero.sink_error(), None);
    /// ```
    pub fn sink_error(&self) -> Option<&E> {
        match self {
            EncodeError::Sink(e) => Some(e),
            EncodeError::WriteZero => None,
        }
    }
}

impl<E: fmt::Debug> fmt::Display for EncodeError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodeError::Sink(e) => write!(f, "the metrics sink failed: {e:?}"),
            EncodeError::WriteZero => f.write_str("the metrics sink accepted no bytes (full?)"),
        }
    }
}

impl<E: core::error::Error + 'static> core::error::Error for EncodeError<E> {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            EncodeError::Sink(e) => Some(e),
            EncodeError::WriteZero => None,
        }
    }
}

impl<E: embedded_io::Error + 'static> embedded_io::Error for EncodeError<E> {
    fn kind(&self) -> embedded_io::ErrorKind {
        match self {
            EncodeError::Sink(e) => e.kind(),
            EncodeError::WriteZero => embedded_io::ErrorKind::WriteZero,
        }
    }
}

/// A metric or label name, or a unit, was rejected.
///
/// ```
/// use otel_prom_core::{LabelName, NameError};
/// assert_eq!(LabelName::new("__reserved"), Err(NameError::Reserved));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NameError {
    /// The name is empty (or nothing was left of it after translation).
    Empty,
    /// Label names starting with `__` are reserved for Prometheus itself.
    Reserved,
    /// The name is not valid for the strict (legacy) character set that was
    /// asked for.
    InvalidCharacter,
    /// The caller-provided buffer cannot hold the translated name.
    BufferTooSmall,
}

impl NameError {
    /// The message (a `const fn`, for errors found while compiling).
    ///
    /// ```
    /// assert_eq!(otel_prom_core::NameError::Empty.text(), "name is empty");
    /// ```
    pub const fn text(&self) -> &'static str {
        match self {
            NameError::Empty => "name is empty",
            NameError::Reserved => "label names starting with `__` are reserved",
            NameError::InvalidCharacter => "name has a character outside [a-zA-Z0-9_:]",
            NameError::BufferTooSmall => "buffer too small for the translated name",
        }
    }
}

impl ErrorMessage for NameError {
    fn write_message(&self, out: &mut dyn FnMut(&str)) {
        out(self.text())
    }
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fmt_message(f)
    }
}

impl core::error::Error for NameError {}

/// Histogram bounds or bucket counts were rejected.
///
/// ```
/// use otel_prom_core::{Bounds, HistogramError};
/// assert_eq!(Bounds::new(&[1.0, 1.0]).unwrap_err(), HistogramError::BoundsNotIncreasing);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HistogramError {
    /// A bound is NaN.
    NanBound,
    /// Bounds must be strictly increasing.
    BoundsNotIncreasing,
    /// `+Inf` is implied as the last bucket and must not be listed.
    InfiniteBound,
    /// The number of bucket counts is not `bounds.len() + 1`.
    CountMismatch,
}

impl fmt::Display for HistogramError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fmt_message(f)
    }
}

impl HistogramError {
    /// The message (a `const fn`, for errors found while compiling).
    ///
    /// ```
    /// assert_eq!(otel_prom_core::HistogramError::NanBound.text(), "histogram bound is NaN");
    /// ```
    pub const fn text(&self) -> &'static str {
        match self {
            HistogramError::NanBound => "histogram bound is NaN",
            HistogramError::BoundsNotIncreasing => "histogram bounds are not strictly increasing",
            HistogramError::InfiniteBound => "histogram bound is infinite (+Inf is implied)",
            HistogramError::CountMismatch => "histogram needs bounds.len() + 1 bucket counts",
        }
    }
}

impl ErrorMessage for HistogramError {
    fn write_message(&self, out: &mut dyn FnMut(&str)) {
        out(self.text())
    }
}

impl core::error::Error for HistogramError {}

/// A family could not be registered. Nothing was registered.
///
/// ```
/// use otel_prom_core::registry::Registry;
/// use otel_prom_core::error::RegisterError;
/// static REG: Registry<1, 1, 1> = Registry::new();
/// REG.register_counter("a", "", "", &[]).unwrap();
/// assert_eq!(REG.register_counter("b", "", "", &[]), Err(RegisterError::FamiliesFull));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RegisterError {
    /// Every family slot is taken.
    FamiliesFull,
    /// A family of this name exists with another type, other label names
    /// or other bounds.
    Conflict,
    /// Another family could write one of this family's names in some
    /// scrape: a gauge `x_total` beside a counter `x` (its samples are
    /// `x_total`), `h_count` beside a histogram `h`, or, with a strategy that
    /// keeps UTF-8, `a.b` beside `a_b` (a scraper without UTF-8 support gets
    /// both as `a_b`). OpenMetrics forbids such clashes. Checked for
    /// families defined at run time (`register_counter`, ...).
    NameClash,
    /// The metric name, a label name or the unit is invalid.
    Name(NameError),
    /// Name, help, unit and label names together exceed the registry's
    /// per-family text capacity (`META`).
    MetadataTooLong,
    /// More label names than the registry's `LABELS`.
    TooManyLabels,
    /// Two label names are the same after translation, or (checked for
    /// families defined at run time) some scrape's escaping would write
    /// them alike (`a.b` and `a_b` under `underscores`).
    DuplicateLabel,
    /// `le` is the histogram's own label.
    ReservedLabel,
    /// The bounds are invalid.
    Bounds(HistogramError),
    /// More bounds than the registry's `BUCKETS - 1`.
    TooManyBuckets,
}

impl From<NameError> for RegisterError {
    fn from(e: NameError) -> Self {
        RegisterError::Name(e)
    }
}

impl RegisterError {
    /// What was wrong, without the `invalid name: ` / `invalid bounds: `
    /// lead-in of the full message (a `const fn`, for a family defined in a
    /// `const`, where the error stops the build).
    ///
    /// ```
    /// use otel_prom_core::{NameError, error::RegisterError};
    /// assert_eq!(RegisterError::Name(NameError::Empty).reason(), "name is empty");
    /// assert_eq!(RegisterError::FamiliesFull.reason(), "registry has no free family slot");
    /// ```
    pub const fn reason(&self) -> &'static str {
        match self {
            RegisterError::FamiliesFull => "registry has no free family slot",
            RegisterError::Conflict => {
                "a family with this name exists with another type, labels or bounds"
            }
            RegisterError::NameClash => {
                "another family could write one of this family's names in some scrape"
            }
            RegisterError::Name(e) => e.text(),
            RegisterError::MetadataTooLong => {
                "name, help, unit and label names exceed the family text capacity"
            }
            RegisterError::TooManyLabels => "more label names than the registry allows",
            RegisterError::DuplicateLabel => {
                "two label names are equal after translation or escaping"
            }
            RegisterError::ReservedLabel => "`le` is reserved for histogram buckets",
            RegisterError::Bounds(e) => e.text(),
            RegisterError::TooManyBuckets => "more bounds than the registry allows",
        }
    }
}

impl ErrorMessage for RegisterError {
    fn write_message(&self, out: &mut dyn FnMut(&str)) {
        match self {
            RegisterError::Name(_) => out("invalid name: "),
            RegisterError::Bounds(_) => out("invalid bounds: "),
            _ => {}
        }
        out(self.reason())
    }
}

impl fmt::Display for RegisterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fmt_message(f)
    }
}

impl core::error::Error for RegisterError {}

/// A recording (or a series lookup) was refused; nothing was recorded and
/// earlier data is unchanged.
///
/// ```
/// use otel_prom_core::registry::Registry;
/// use otel_prom_core::error::RecordError;
/// static REG: Registry<1, 1, 1> = Registry::new();
/// let id = REG.register_counter("c", "", "", &["route"]).unwrap();
/// assert_eq!(REG.add(id, &[], 1), Err(RecordError::LabelCount { expected: 1, got: 0 }));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RecordError {
    /// The id does not name a family of this registry (or of this type).
    UnknownFamily,
    /// The number of label values differs from the family's label names.
    LabelCount {
        /// Label names of the family.
        expected: u8,
        /// Label values given.
        got: u8,
    },
    /// The label values together exceed the registry's `VALUE_BYTES`.
    ValueTooLong,
    /// Every series slot is taken.
    SeriesFull,
    /// Every value cell is taken.
    CellsFull,
    /// NaN or an infinity where a finite number is required.
    NotFinite,
    /// The addition would carry an integer series past its 64-bit range
    /// (`u64` for a counter, `i64` for an integer gauge); the value stays
    /// as it was.
    Overflow,
}

impl ErrorMessage for RecordError {
    fn write_message(&self, out: &mut dyn FnMut(&str)) {
        match self {
            RecordError::UnknownFamily => out("no such family in this registry"),
            RecordError::LabelCount { expected, got } => {
                let mut digits = NumberBuffer::new();
                out("expected ");
                out(digits.format_u64(u64::from(*expected)));
                out(" label values, got ");
                out(digits.format_u64(u64::from(*got)));
            }
            RecordError::ValueTooLong => out("label values exceed the series value capacity"),
            RecordError::SeriesFull => out("registry has no free series slot"),
            RecordError::CellsFull => out("registry has no free value cells"),
            RecordError::NotFinite => out("value is NaN or infinite"),
            RecordError::Overflow => out("the total would leave the series' 64-bit range"),
        }
    }
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fmt_message(f)
    }
}

impl core::error::Error for RecordError {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::{String, ToString};

    /// The message through `Display` and through the pieces: they must be
    /// the same text, and the expected one.
    fn check(e: &(impl ErrorMessage + fmt::Display), want: &str) {
        let mut spelled = String::new();
        e.write_message(&mut |p| spelled.push_str(p));
        assert_eq!(spelled, want);
        assert_eq!(e.to_string(), want);
    }

    #[test]
    fn messages_spell_the_same_through_display_and_pieces() {
        check(
            &RegisterError::Name(NameError::Reserved),
            "invalid name: label names starting with `__` are reserved",
        );
        check(
            &RegisterError::Bounds(HistogramError::NanBound),
            "invalid bounds: histogram bound is NaN",
        );
        check(
            &RegisterError::FamiliesFull,
            "registry has no free family slot",
        );
        check(
            &RecordError::LabelCount {
                expected: 255,
                got: 0,
            },
            "expected 255 label values, got 0",
        );
        check(&RecordError::CellsFull, "registry has no free value cells");
        check(
            &RecordError::Overflow,
            "the total would leave the series' 64-bit range",
        );
        check(
            &HistogramError::InfiniteBound,
            "histogram bound is infinite (+Inf is implied)",
        );
        check(&NameError::Empty, "name is empty");
    }
}
