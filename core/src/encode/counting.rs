//! A sink that only counts, so a caller can size a buffer exactly.

use core::convert::Infallible;

use super::Encoder;
use crate::error::EncodeError;
use crate::format::{Escaping, Format};

/// The exact number of bytes `write` produces, `finish` included: runs it
/// once into a [`CountingSink`]. Use it to size a fixed buffer before the
/// real encode.
///
/// ```
/// use otel_prom_core::encode::encoded_len;
/// use otel_prom_core::{Escaping, Format, Metadata, MetricName};
/// let len = encoded_len(Format::OpenMetrics100, Escaping::Underscores, |enc| {
///     enc.gauge(&Metadata::new(MetricName::new("up").unwrap(), ""))?.sample(&(), 1u64.into())?;
///     Ok(())
/// });
/// assert_eq!(len, "# TYPE up gauge\nup 1\n# EOF\n".len());
/// ```
pub fn encoded_len<F>(format: Format, escaping: Escaping, write: F) -> usize
where
    F: FnOnce(&mut Encoder<CountingSink>) -> Result<(), EncodeError<Infallible>>,
{
    let mut enc = Encoder::new(CountingSink::new(), format, escaping);
    // A CountingSink accepts every byte, so neither call can fail.
    match write(&mut enc).and_then(|()| enc.finish()) {
        Ok(sink) => sink.len(),
        Err(EncodeError::Sink(never)) => match never {},
        Err(EncodeError::WriteZero) => unreachable_zero(),
    }
}

/// An [`embedded_io::Write`] that discards bytes and counts them. Run the same
/// encode into it first to learn the exact length of the exposition.
///
/// ```
/// use otel_prom_core::encode::CountingSink;
/// use otel_prom_core::{Encoder, Escaping, Format, Metadata, MetricName};
///
/// let mut counter = CountingSink::new();
/// let mut enc = Encoder::new(&mut counter, Format::Text004, Escaping::Underscores);
/// let name = MetricName::new("up").unwrap();
/// enc.gauge(&Metadata::new(name, ""))?.sample(&(), 1u64.into())?;
/// enc.finish()?;
/// assert_eq!(counter.len(), "# TYPE up gauge\nup 1\n".len());
/// # Ok::<(), otel_prom_core::EncodeError<core::convert::Infallible>>(())
/// ```
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct CountingSink {
    len: usize,
}

/// `CountingSink::write` returns the full length of every buffer, so the
/// encoder's zero-progress error cannot occur; answer 0 rather than panic.
const fn unreachable_zero() -> usize {
    0
}

impl CountingSink {
    /// A counter at zero.
    ///
    /// ```
    /// assert_eq!(otel_prom_core::encode::CountingSink::new().len(), 0);
    /// ```
    pub const fn new() -> Self {
        CountingSink { len: 0 }
    }

    /// Bytes written so far.
    ///
    /// ```
    /// use embedded_io::Write;
    /// let mut c = otel_prom_core::encode::CountingSink::new();
    /// c.write_all(b"abc").unwrap();
    /// assert_eq!(c.len(), 3);
    /// ```
    pub const fn len(&self) -> usize {
        self.len
    }

    /// True when nothing was written.
    ///
    /// ```
    /// use embedded_io::Write;
    /// let mut sink = otel_prom_core::encode::CountingSink::new();
    /// assert!(sink.is_empty());
    /// sink.write_all(b"up 1\n").unwrap();
    /// assert!(!sink.is_empty());
    /// ```
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl embedded_io::ErrorType for CountingSink {
    type Error = Infallible;
}

impl embedded_io::Write for CountingSink {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        self.len = self.len.saturating_add(buf.len());
        Ok(buf.len())
    }

    fn flush(&mut self) -> Result<(), Infallible> {
        Ok(())
    }
}
