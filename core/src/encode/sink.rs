//! The one place bytes reach the caller's sink.

use embedded_io::Write;

use crate::error::EncodeError;

/// Wraps the caller's writer; turns `Ok(0)` into an error instead of the
/// panic `embedded_io::Write::write_all` would raise.
pub(crate) struct Sink<W> {
    pub(crate) inner: W,
}

impl<W: Write> Sink<W> {
    #[inline]
    pub(crate) fn put(&mut self, mut bytes: &[u8]) -> Result<(), EncodeError<W::Error>> {
        while !bytes.is_empty() {
            match self.inner.write(bytes) {
                Ok(0) => return Err(EncodeError::WriteZero),
                Ok(n) => bytes = &bytes[n.min(bytes.len())..],
                Err(e) => return Err(EncodeError::Sink(e)),
            }
        }
        Ok(())
    }

    #[inline]
    pub(crate) fn put_str(&mut self, s: &str) -> Result<(), EncodeError<W::Error>> {
        self.put(s.as_bytes())
    }
}
