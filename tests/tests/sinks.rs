//! The sink is the only thing that can fail an encode: at every byte offset,
//! a full buffer, a sink that accepts nothing and a sink that errors each
//! give their typed error, with exactly the bytes before the failure written.
//! The counting sink gives the exact length.

use embedded_io::{ErrorKind, ErrorType, SliceWriteError, Write};
use otel_prom_core::encode::CountingSink;
use otel_prom_core::{EncodeError, Encoder, Escaping, Format};
use otel_prom_tests::fixture::{render, write_fixture};

const FORMATS: [(Format, Escaping); 3] = [
    (Format::Text004, Escaping::Underscores),
    (Format::Text100, Escaping::AllowUtf8),
    (Format::OpenMetrics100, Escaping::Values),
];

#[derive(Debug)]
/// Accepts `budget` bytes, one at a time, then fails in the chosen way.
struct Faulty {
    written: Vec<u8>,
    budget: usize,
    zero: bool,
}

#[derive(Debug, PartialEq)]
struct Broken;

impl std::fmt::Display for Broken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("broken pipe")
    }
}

impl std::error::Error for Broken {}

impl embedded_io::Error for Broken {
    fn kind(&self) -> ErrorKind {
        ErrorKind::BrokenPipe
    }
}

impl ErrorType for Faulty {
    type Error = Broken;
}

impl Write for Faulty {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Broken> {
        if self.budget == 0 {
            return if self.zero { Ok(0) } else { Err(Broken) };
        }
        // Short writes exercise the encoder's retry loop.
        self.written.push(buf[0]);
        self.budget -= 1;
        Ok(1)
    }
    fn flush(&mut self) -> Result<(), Broken> {
        Ok(())
    }
}

fn encode_into<W: Write>(
    sink: W,
    format: Format,
    escaping: Escaping,
) -> Result<W, EncodeError<W::Error>> {
    let mut enc = Encoder::new(sink, format, escaping);
    write_fixture(&mut enc)?;
    enc.finish()
}

#[test]
fn counting_sink_is_exact() {
    for (f, e) in FORMATS {
        let counted = encode_into(CountingSink::new(), f, e).unwrap().len();
        assert_eq!(counted, render(f, e).len());
    }
}

#[test]
fn full_slice_at_every_offset() {
    for (f, e) in FORMATS {
        let full = render(f, e);
        let mut buf = vec![0u8; full.len()];
        for k in 0..full.len() {
            let mut sink = &mut buf[..k];
            let err = encode_into(&mut sink, f, e).expect_err("must fail");
            assert_eq!(err, EncodeError::Sink(SliceWriteError::Full), "offset {k}");
            assert_eq!(&buf[..k], &full.as_bytes()[..k], "prefix at offset {k}");
        }
        let mut sink = &mut buf[..];
        encode_into(&mut sink, f, e).unwrap();
        assert_eq!(buf, full.as_bytes());
    }
}

#[test]
fn erroring_and_zero_sinks_at_every_offset() {
    for (f, e) in FORMATS {
        let full = render(f, e);
        for k in (0..full.len()).step_by(7) {
            for zero in [false, true] {
                let sink = Faulty {
                    written: Vec::new(),
                    budget: k,
                    zero,
                };
                let err = encode_into(sink, f, e).expect_err("must fail");
                let want = if zero {
                    EncodeError::WriteZero
                } else {
                    EncodeError::Sink(Broken)
                };
                assert_eq!(err, want, "offset {k}");
            }
            let mut sink = Faulty {
                written: Vec::new(),
                budget: k,
                zero: false,
            };
            let mut enc = Encoder::new(&mut sink, f, e);
            assert!(
                write_fixture(&mut enc)
                    .and_then(|_| enc.finish().map(|_| ()))
                    .is_err()
            );
            assert_eq!(sink.written, &full.as_bytes()[..k]);
        }
        // A fresh encode after failures is complete and identical.
        let ok = encode_into(
            Faulty {
                written: Vec::new(),
                budget: usize::MAX,
                zero: false,
            },
            f,
            e,
        )
        .unwrap();
        assert_eq!(ok.written, full.as_bytes());
    }
}
