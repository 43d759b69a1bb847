//! A sink over a fixed buffer that never fails: like `snprintf`, it stores
//! what fits and counts everything.

use core::convert::Infallible;

/// Writes into a fixed buffer, keeps counting past its end, never fails.
///
/// After an encode, [`len`](Self::len) is the exact length of the whole
/// exposition; when it exceeds the buffer, [`is_truncated`](Self::is_truncated)
/// says so and the caller renders again into a buffer of that size. With an
/// empty buffer it only measures, in the same code as the real write (one
/// copy of the encoder in flash instead of two).
///
/// ```
/// use otel_prom_core::encode::SliceSink;
/// use otel_prom_core::{Encoder, Escaping, Format, Metadata, MetricName};
///
/// let mut buf = [0u8; 8];
/// let mut sink = SliceSink::new(&mut buf);
/// let mut enc = Encoder::new(&mut sink, Format::Text004, Escaping::Underscores);
/// enc.gauge(&Metadata::new(MetricName::new("up").unwrap(), ""))?.sample(&(), 1u64.into())?;
/// enc.finish()?;
/// assert_eq!(sink.len(), "# TYPE up gauge\nup 1\n".len());
/// assert!(sink.is_truncated());
/// assert_eq!(sink.written(), b"# TYPE u");
/// # Ok::<(), otel_prom_core::EncodeError<core::convert::Infallible>>(())
/// ```
#[derive(Debug)]
pub struct SliceSink<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl<'a> SliceSink<'a> {
    /// A sink over `buf` (may be empty, to only measure).
    ///
    /// ```
    /// let mut buf = [0u8; 4];
    /// assert_eq!(otel_prom_core::encode::SliceSink::new(&mut buf).len(), 0);
    /// ```
    pub fn new(buf: &'a mut [u8]) -> Self {
        SliceSink { buf, len: 0 }
    }

    /// Bytes the encode produced, stored or not.
    ///
    /// ```
    /// use embedded_io::Write;
    /// let mut s = otel_prom_core::encode::SliceSink::new(&mut []);
    /// s.write_all(b"abc").unwrap();
    /// assert_eq!(s.len(), 3);
    /// ```
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when nothing was written.
    ///
    /// ```
    /// use embedded_io::Write;
    /// let mut buf = [0u8; 8];
    /// let mut sink = otel_prom_core::encode::SliceSink::new(&mut buf);
    /// assert!(sink.is_empty());
    /// sink.write_all(b"up 1\n").unwrap();
    /// assert!(!sink.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// True when the output did not fit the buffer.
    ///
    /// ```
    /// use embedded_io::Write;
    /// let mut s = otel_prom_core::encode::SliceSink::new(&mut []);
    /// s.write_all(b"a").unwrap();
    /// assert!(s.is_truncated());
    /// ```
    pub fn is_truncated(&self) -> bool {
        self.len > self.buf.len()
    }

    /// The stored bytes: the whole output unless truncated.
    ///
    /// ```
    /// use embedded_io::Write;
    /// let mut buf = [0u8; 8];
    /// let mut s = otel_prom_core::encode::SliceSink::new(&mut buf);
    /// s.write_all(b"ok").unwrap();
    /// assert_eq!(s.written(), b"ok");
    /// ```
    pub fn written(&self) -> &[u8] {
        &self.buf[..self.len.min(self.buf.len())]
    }
}

impl embedded_io::ErrorType for SliceSink<'_> {
    type Error = Infallible;
}

impl embedded_io::Write for SliceSink<'_> {
    #[inline]
    fn write(&mut self, data: &[u8]) -> Result<usize, Infallible> {
        let start = self.len.min(self.buf.len());
        let room = self.buf.len() - start;
        let n = data.len().min(room);
        self.buf[start..start + n].copy_from_slice(&data[..n]);
        self.len = self.len.saturating_add(data.len());
        Ok(data.len())
    }

    fn flush(&mut self) -> Result<(), Infallible> {
        Ok(())
    }
}
