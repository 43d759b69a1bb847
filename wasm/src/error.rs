//! The one error type of the JS API. Every variant names the metric it is
//! about, so the JS `Error` message alone tells what to fix.

use alloc::string::String;
use core::fmt;

use otel_prom_core::encode::NumberBuffer;
use otel_prom_core::error::{ErrorMessage, RecordError, RegisterError};

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
    /// An integer beyond ±(2^53 - 1) (`Number.MAX_SAFE_INTEGER`), where JS
    /// numbers stop being exact.
    NotSafeInteger(f64),
}

impl Error {
    /// An error about `metric`.
    ///
    /// ```
    /// # use otel_prom_wasm::{Error, ErrorKind};
    /// assert_eq!(Error::new("m", ErrorKind::NotFinite(f64::NAN)).metric, "m");
    /// ```
    pub fn new(metric: &str, kind: ErrorKind) -> Self {
        Error {
            metric: metric.into(),
            kind,
        }
    }
}

impl ErrorMessage for Error {
    fn write_message(&self, out: &mut dyn FnMut(&str)) {
        out(&self.metric);
        out(": ");
        self.kind.write_message(out);
    }
}

impl ErrorMessage for ErrorKind {
    fn write_message(&self, out: &mut dyn FnMut(&str)) {
        let mut number = NumberBuffer::new();
        // Most messages are a value between two fixed texts.
        let mut around = |before: &str, value: &str, after: &str| {
            out(before);
            out(value);
            out(after);
        };
        match self {
            ErrorKind::Register(e) => {
                out("cannot register: ");
                e.write_message(out);
            }
            ErrorKind::Record(e) => {
                out("cannot record: ");
                e.write_message(out);
            }
            ErrorKind::NotFinite(v) => around(
                "value ",
                js_number(*v, &mut number),
                " is not a finite number",
            ),
            ErrorKind::NegativeIncrement(v) => around(
                "counter increment ",
                js_number(*v, &mut number),
                " is negative",
            ),
            ErrorKind::NotAnInteger(v) => {
                around("", js_number(*v, &mut number), " is not an integer")
            }
            ErrorKind::NotSafeInteger(v) => around(
                "",
                js_number(*v, &mut number),
                " is beyond ±(2^53-1) (not exact in JS)",
            ),
        }
    }
}

impl Error {
    /// The message as one string, built without `core::fmt` (the text a JS
    /// `Error` carries).
    ///
    /// ```
    /// # use otel_prom_wasm::{Error, ErrorKind};
    /// let e = Error::new("jobs", ErrorKind::NotAnInteger(0.5));
    /// assert_eq!(e.message(), "jobs: 0.5 is not an integer");
    /// assert_eq!(e.message(), e.to_string());
    /// ```
    pub fn message(&self) -> String {
        let mut text = String::new();
        self.write_message(&mut |piece| text.push_str(piece));
        text
    }
}

/// Numbers as a JS reader expects them in a message (`NaN`, `Infinity`),
/// through the core's float formatter: `core::fmt`'s would add ~20 KB of
/// float code to the `.wasm`.
fn js_number(v: f64, buf: &mut NumberBuffer) -> &str {
    match v {
        v if v.is_nan() => "NaN",
        f64::INFINITY => "Infinity",
        f64::NEG_INFINITY => "-Infinity",
        v => buf.format_f64(v),
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fmt_message(f)
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fmt_message(f)
    }
}

impl core::error::Error for Error {}
