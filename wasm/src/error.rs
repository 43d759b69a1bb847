//! The one error type of the JS API. Every variant names the metric it is
//! about, so the JS `Error` message alone tells what to fix.

use alloc::string::String;
use core::fmt;

use otel_prom_core::encode::NumberBuffer;
use otel_prom_core::error::{RecordError, RegisterError};

/// Why a call was refused. Nothing was registered or recorded.
///
/// ```
/// use otel_prom_wasm::{Error, ErrorKind};
/// let e = Error::new("jobs", ErrorKind::NegativeIncrement(-1.0));
/// assert_eq!(e.to_string(), "jobs: counter increment -1 is negative");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    /// The metric (or option) the call was about.
    pub metric: String,
    /// What was wrong.
    pub kind: ErrorKind,
}

/// What was wrong with a call.
///
/// ```
/// use otel_prom_wasm::ErrorKind;
/// assert_eq!(ErrorKind::NotFinite(f64::NAN).to_string(), "value NaN is not a finite number");
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The registry refused the family (capacity, name, conflict, bounds).
    Register(RegisterError),
    /// The registry refused the recording (capacity, label values).
    Record(RecordError),
    /// NaN or ±Infinity where a finite number is required.
    NotFinite(f64),
    /// A counter increment below zero.
    NegativeIncrement(f64),
    /// A counter increment or up-down delta with a fractional part.
    NotAnInteger(f64),
    /// An integer beyond ±2^53, where JS numbers stop being exact.
    NotSafeInteger(f64),
    /// An argument of the wrong JS type (`what` names it, `found` says what
    /// came instead).
    WrongType {
        /// The argument, e.g. `label "route"` or `option "help"`.
        what: String,
        /// What it should have been.
        expected: &'static str,
        /// The JS type that came (`typeof`).
        found: String,
    },
    /// A label name of the family has no value in the labels object.
    MissingLabel(String),
    /// The labels object has a key that is not a label name of the family.
    UnknownLabel(String),
    /// The options object has a key this API does not know (a typo guard).
    UnknownOption(String),
    /// A value label (number) is NaN or infinite.
    LabelNotFinite(String),
}

impl Error {
    /// An error about `metric`.
    ///
    /// ```
    /// # use otel_prom_wasm::{Error, ErrorKind};
    /// assert_eq!(Error::new("m", ErrorKind::MissingLabel("route".into())).metric, "m");
    /// ```
    pub fn new(metric: &str, kind: ErrorKind) -> Self {
        Error {
            metric: metric.into(),
            kind,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.metric, self.kind)
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Register(e) => write!(f, "cannot register: {e}"),
            ErrorKind::Record(e) => write!(f, "cannot record: {e}"),
            ErrorKind::NotFinite(v) => write!(f, "value {} is not a finite number", js_number(*v)),
            ErrorKind::NegativeIncrement(v) => {
                write!(f, "counter increment {} is negative", js_number(*v))
            }
            ErrorKind::NotAnInteger(v) => write!(f, "{} is not an integer", js_number(*v)),
            ErrorKind::NotSafeInteger(v) => {
                write!(f, "{} is beyond ±2^53 (not exact in JS)", js_number(*v))
            }
            ErrorKind::WrongType {
                what,
                expected,
                found,
            } => write!(f, "{what} must be {expected}, got {found}"),
            ErrorKind::MissingLabel(l) => write!(f, "label \"{l}\" has no value"),
            ErrorKind::UnknownLabel(l) => write!(f, "\"{l}\" is not a label name of this metric"),
            ErrorKind::UnknownOption(o) => write!(f, "unknown option \"{o}\""),
            ErrorKind::LabelNotFinite(l) => write!(f, "label \"{l}\" is NaN or infinite"),
        }
    }
}

impl core::error::Error for Error {}

/// Numbers as a JS reader expects them in a message (`NaN`, `Infinity`).
/// Finite values go through the core's float formatter: `core::fmt`'s
/// would add ~20 KB of float code to the `.wasm`.
fn js_number(v: f64) -> impl fmt::Display {
    struct N(f64);
    impl fmt::Display for N {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match self.0 {
                v if v.is_nan() => f.write_str("NaN"),
                v if v == f64::INFINITY => f.write_str("Infinity"),
                v if v == f64::NEG_INFINITY => f.write_str("-Infinity"),
                v => f.write_str(NumberBuffer::new().format_f64(v)),
            }
        }
    }
    N(v)
}
