//! Sinks that fail at every byte offset of a scrape, for the registry and
//! for the SDK exporter: a typed error each time, the sink holding exactly
//! the bytes before the failure, nothing changed in the metric state, and
//! the next scrape complete and identical to a clean one.

use std::io::ErrorKind as IoKind;

use embedded_io::{ErrorKind, ErrorType, Write};
use opentelemetry::KeyValue;
use opentelemetry::metrics::MeterProvider as _;
use opentelemetry_sdk::metrics::SdkMeterProvider;
use otel_prom_core::registry::Registry;
use otel_prom_core::{EncodeError, Escaping, Format, Negotiated, negotiate};
use otel_prom_std::{PrometheusExporter, ScrapeError};

#[derive(Debug, PartialEq)]
struct Refused(ErrorKind);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "refused: {:?}", self.0)
    }
}

impl std::error::Error for Refused {}

impl embedded_io::Error for Refused {
    fn kind(&self) -> ErrorKind {
        self.0
    }
}

/// An embedded sink that takes `budget` bytes (in short writes), then
/// fails with `fault` (or accepts nothing when `fault` is `None`).
struct FaultyEmbedded {
    written: Vec<u8>,
    budget: usize,
    fault: Option<ErrorKind>,
}

impl ErrorType for FaultyEmbedded {
    type Error = Refused;
}

impl Write for FaultyEmbedded {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Refused> {
        if self.budget == 0 {
            return match self.fault {
                Some(kind) => Err(Refused(kind)),
                None => Ok(0),
            };
        }
        let n = buf.len().min(self.budget).min(3);
        self.written.extend_from_slice(&buf[..n]);
        self.budget -= n;
        Ok(n)
    }
    fn flush(&mut self) -> Result<(), Refused> {
        Ok(())
    }
}

static METRICS: Registry<4, 16, 64> = Registry::new();

fn registry_scrape(format: Format, escaping: Escaping) -> Vec<u8> {
    METRICS.write(Vec::new(), format, escaping).unwrap()
}

#[test]
fn registry_sink_faults_at_every_offset() {
    let c = METRICS
        .register_counter("jobs", "Jobs \\ done.", "", &["queue"])
        .unwrap();
    let h = METRICS
        .register_histogram("wait", "", "s", &["queue"], &[0.1, 1.0])
        .unwrap();
    METRICS.add(c, &["mail\n\"x\""], u64::MAX).unwrap();
    METRICS.add(c, &["sms"], 2).unwrap();
    METRICS.observe(h, &["mail"], 0.5).unwrap();
    let series = METRICS.series_len();
    for (format, escaping) in [
        (Format::Text004, Escaping::Underscores),
        (Format::OpenMetrics100, Escaping::Dots),
        (Format::Text100, Escaping::AllowUtf8),
    ] {
        let clean = registry_scrape(format, escaping);
        for k in 0..clean.len() {
            for fault in [Some(ErrorKind::BrokenPipe), Some(ErrorKind::TimedOut), None] {
                let sink = FaultyEmbedded {
                    written: Vec::new(),
                    budget: k,
                    fault,
                };
                let mut sink = sink;
                let err = METRICS
                    .write(&mut sink, format, escaping)
                    .err()
                    .expect("must fail");
                let want = match fault {
                    Some(kind) => EncodeError::Sink(Refused(kind)),
                    None => EncodeError::WriteZero,
                };
                assert_eq!(err, want, "offset {k}");
                assert_eq!(sink.written, clean[..k], "prefix at offset {k}");
            }
        }
        assert_eq!(
            METRICS.series_len(),
            series,
            "a failed scrape created or lost series"
        );
        assert_eq!(
            registry_scrape(format, escaping),
            clean,
            "the next scrape differs"
        );
    }
}

/// A std sink taking `budget` bytes, then failing with `kind` once (for
/// `Interrupted`, which std callers retry) or for good.
struct FaultyStd {
    written: Vec<u8>,
    budget: usize,
    kind: IoKind,
    failed: bool,
}

impl std::io::Write for FaultyStd {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.budget == 0 && !(self.kind == IoKind::Interrupted && self.failed) {
            self.failed = true;
            return Err(self.kind.into());
        }
        let n = buf
            .len()
            .min(self.budget.max(usize::from(self.failed)))
            .min(5);
        self.written.extend_from_slice(&buf[..n]);
        self.budget = self.budget.saturating_sub(n);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn exporter_sink_faults_at_every_offset() {
    let exporter = PrometheusExporter::builder().build();
    let provider = SdkMeterProvider::builder()
        .with_reader(exporter.clone())
        .build();
    let meter = provider.meter("faults");
    let c = meter.u64_counter("jobs").with_description("Jobs.").build();
    c.add(7, &[KeyValue::new("queue", "a\"\n}# EOF")]);
    meter
        .f64_histogram("wait")
        .with_unit("s")
        .build()
        .record(0.25, &[]);
    for answer in [
        Negotiated::DEFAULT,
        negotiate(Some("application/openmetrics-text;version=1.0.0")),
    ] {
        let mut clean = Vec::new();
        exporter.write_to(&mut clean, answer).unwrap();
        for k in 0..clean.len() {
            for kind in [IoKind::BrokenPipe, IoKind::WouldBlock, IoKind::WriteZero] {
                let mut sink = FaultyStd {
                    written: Vec::new(),
                    budget: k,
                    kind,
                    failed: false,
                };
                let err = exporter.write_to(&mut sink, answer).expect_err("must fail");
                let ScrapeError::Sink(EncodeError::Sink(e)) = &err else {
                    panic!("offset {k}: {err:?}");
                };
                assert_eq!(e.kind(), kind, "offset {k}");
                assert_eq!(sink.written, clean[..k], "prefix at offset {k}");
            }
        }
        // Nothing was lost or doubled by the failures.
        let mut again = Vec::new();
        exporter.write_to(&mut again, answer).unwrap();
        assert_eq!(again, clean);
    }
    // std's convention: Interrupted is retried, not a failed scrape.
    let mut clean = Vec::new();
    exporter.write_to(&mut clean, Negotiated::DEFAULT).unwrap();
    for k in (0..clean.len()).step_by(13) {
        let mut sink = FaultyStd {
            written: Vec::new(),
            budget: k,
            kind: IoKind::Interrupted,
            failed: false,
        };
        let outcome = exporter.write_to(&mut sink, Negotiated::DEFAULT);
        assert!(
            outcome.is_ok(),
            "offset {k}: Interrupted failed the scrape: {outcome:?}"
        );
        assert_eq!(sink.written, clean, "offset {k}");
    }
}
