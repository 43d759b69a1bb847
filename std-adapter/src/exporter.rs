//! The exporter: an SDK `MetricReader` (a `ManualReader` with cumulative
//! temporality inside) plus the scrape entry points.

use std::fmt;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::metrics::data::ResourceMetrics;
use opentelemetry_sdk::metrics::reader::MetricReader;
use opentelemetry_sdk::metrics::{InstrumentKind, ManualReader, Pipeline, Temporality};
use otel_prom_core::{EncodeError, Encoder, Escaping, Format, Negotiated, Strategy, negotiate};

use crate::convert::Plan;
use crate::options::{Config, ResourceSelector};

/// A scrape failed.
///
/// ```
/// use otel_prom_std::ScrapeError;
/// let e: ScrapeError<std::io::Error> = ScrapeError::Collect("shut down".into());
/// assert_eq!(e.to_string(), "collecting metrics from the SDK failed: shut down");
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum ScrapeError<E> {
    /// The SDK could not collect (for example after the provider shut down).
    Collect(String),
    /// Writing to the sink failed; it holds a prefix of the exposition.
    Sink(EncodeError<E>),
}

impl<E: fmt::Debug> fmt::Display for ScrapeError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScrapeError::Collect(why) => write!(f, "collecting metrics from the SDK failed: {why}"),
            ScrapeError::Sink(e) => write!(f, "{e}"),
        }
    }
}

impl<E: fmt::Debug> std::error::Error for ScrapeError<E> {}

/// One rendered scrape: the `Content-Type` to answer with and the body.
///
/// ```
/// let exporter = otel_prom_std::PrometheusExporter::builder().build();
/// let _provider = opentelemetry_sdk::metrics::SdkMeterProvider::builder().with_reader(exporter.clone()).build();
/// let scrape = exporter.render(Some("application/openmetrics-text")).unwrap();
/// assert!(scrape.body.ends_with(b"# EOF\n"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scrape {
    /// The `Content-Type` header value.
    pub content_type: &'static str,
    /// The exposition.
    pub body: Vec<u8>,
}

struct State {
    rm: ResourceMetrics,
    plan: Plan,
}

struct Inner {
    reader: ManualReader,
    config: Config,
    state: Mutex<State>,
}

/// A Prometheus exporter for the OpenTelemetry SDK.
///
/// Register a clone with `SdkMeterProvider::builder().with_reader(..)` and
/// scrape through the original (or any clone) from any thread: clones share
/// one reader. There is no global registry.
///
/// ```
/// use otel_prom_std::PrometheusExporter;
/// let exporter = PrometheusExporter::builder().build();
/// let provider = opentelemetry_sdk::metrics::SdkMeterProvider::builder().with_reader(exporter.clone()).build();
/// std::thread::spawn(move || exporter.render(None).unwrap()).join().unwrap();
/// drop(provider);
/// ```
#[derive(Clone)]
pub struct PrometheusExporter {
    inner: Arc<Inner>,
}

impl fmt::Debug for PrometheusExporter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrometheusExporter")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

impl Default for PrometheusExporter {
    fn default() -> Self {
        Self::builder().build()
    }
}

impl PrometheusExporter {
    /// A builder with the specification's defaults.
    ///
    /// ```
    /// let _ = otel_prom_std::PrometheusExporter::builder().build();
    /// ```
    pub fn builder() -> ExporterBuilder {
        ExporterBuilder {
            config: Config::default(),
        }
    }

    /// Collects from the SDK and writes one exposition in the negotiated
    /// format into `enc`'s sink (without finishing it: see
    /// [`write_to`](Self::write_to) for a whole scrape).
    ///
    /// ```
    /// use otel_prom_core::{Encoder, Escaping, Format};
    /// let exporter = otel_prom_std::PrometheusExporter::builder().without_target_info().build();
    /// let _p = opentelemetry_sdk::metrics::SdkMeterProvider::builder().with_reader(exporter.clone()).build();
    /// let mut out = Vec::new();
    /// let mut enc = Encoder::new(&mut out, Format::Text004, Escaping::Underscores);
    /// exporter.encode(&mut enc).unwrap();
    /// assert!(out.is_empty());
    /// ```
    pub fn encode<W: embedded_io::Write>(
        &self,
        enc: &mut Encoder<W>,
    ) -> Result<(), ScrapeError<W::Error>> {
        let mut state = self
            .inner
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let State { rm, plan } = &mut *state;
        self.inner
            .reader
            .collect(rm)
            .map_err(|e| ScrapeError::Collect(e.to_string()))?;
        plan.encode(rm, &self.inner.config, enc)
            .map_err(ScrapeError::Sink)
    }

    /// A whole scrape in the negotiated format into any `std::io::Write`.
    ///
    /// The encoder writes many small pieces and does not buffer them (a
    /// `Vec` is its own buffer, and copying twice measured slower): give a
    /// socket or a file through `std::io::BufWriter`.
    ///
    /// ```
    /// use otel_prom_core::negotiate;
    /// let exporter = otel_prom_std::PrometheusExporter::builder().build();
    /// let _p = opentelemetry_sdk::metrics::SdkMeterProvider::builder().with_reader(exporter.clone()).build();
    /// let mut out = Vec::new();
    /// exporter.write_to(&mut out, negotiate(Some("application/openmetrics-text"))).unwrap();
    /// assert!(out.ends_with(b"# EOF\n"));
    /// ```
    pub fn write_to<W: std::io::Write>(
        &self,
        sink: W,
        answer: Negotiated,
    ) -> Result<(), ScrapeError<std::io::Error>> {
        let mut enc = Encoder::new(
            embedded_io_adapters::std::FromStd::new(RetryInterrupted(sink)),
            answer.format,
            answer.escaping,
        );
        self.encode(&mut enc)?;
        enc.finish().map(drop).map_err(ScrapeError::Sink)
    }

    /// A whole scrape, negotiated from an `Accept` header (`None` when the
    /// request had none): the framework-agnostic entry point for HTTP.
    ///
    /// ```
    /// let exporter = otel_prom_std::PrometheusExporter::builder().build();
    /// let _p = opentelemetry_sdk::metrics::SdkMeterProvider::builder().with_reader(exporter.clone()).build();
    /// let scrape = exporter.render(Some("text/plain;version=1.0.0;escaping=allow-utf-8")).unwrap();
    /// assert_eq!(scrape.content_type, "text/plain; version=1.0.0; charset=utf-8; escaping=allow-utf-8");
    /// ```
    pub fn render(&self, accept: Option<&str>) -> Result<Scrape, ScrapeError<std::io::Error>> {
        let answer = negotiate(accept);
        let mut body = Vec::new();
        self.write_to(&mut body, answer)?;
        Ok(Scrape {
            content_type: answer.content_type(),
            body,
        })
    }

    /// A whole scrape in `format` with `escaping`.
    ///
    /// ```
    /// use otel_prom_core::{Escaping, Format};
    /// let exporter = otel_prom_std::PrometheusExporter::builder().build();
    /// let _p = opentelemetry_sdk::metrics::SdkMeterProvider::builder().with_reader(exporter.clone()).build();
    /// assert!(exporter.render_format(Format::Text004, Escaping::Underscores).is_ok());
    /// ```
    pub fn render_format(
        &self,
        format: Format,
        escaping: Escaping,
    ) -> Result<Vec<u8>, ScrapeError<std::io::Error>> {
        let mut body = Vec::new();
        self.write_to(
            &mut body,
            Negotiated {
                format,
                escaping: format.effective_escaping(escaping),
            },
        )?;
        Ok(body)
    }
}

impl MetricReader for PrometheusExporter {
    fn register_pipeline(&self, pipeline: Weak<Pipeline>) {
        self.inner.reader.register_pipeline(pipeline)
    }

    fn collect(&self, rm: &mut ResourceMetrics) -> OTelSdkResult {
        self.inner.reader.collect(rm)
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.reader.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.reader.shutdown_with_timeout(timeout)
    }

    /// Always cumulative: Prometheus needs cumulative data, so delta never
    /// reaches the encoder.
    fn temporality(&self, _kind: InstrumentKind) -> Temporality {
        Temporality::Cumulative
    }
}

/// Builds a [`PrometheusExporter`].
///
/// ```
/// use otel_prom_std::{PrometheusExporter, ResourceSelector, TranslationStrategy};
/// let exporter = PrometheusExporter::builder()
///     .with_translation_strategy(TranslationStrategy::NoUtf8EscapingWithSuffixes)
///     .with_namespace("shop")
///     .with_resource_constant_labels(ResourceSelector::allow(["service.name"]))
///     .build();
/// ```
#[derive(Debug, Clone)]
pub struct ExporterBuilder {
    config: Config,
}

impl ExporterBuilder {
    /// How names are translated (`translation_strategy`).
    ///
    /// ```
    /// let _ = otel_prom_std::PrometheusExporter::builder()
    ///     .with_translation_strategy(otel_prom_std::TranslationStrategy::NoTranslation);
    /// ```
    pub fn with_translation_strategy(mut self, strategy: Strategy) -> Self {
        self.config.strategy = strategy;
        self
    }

    /// Whether samples carry `otel_scope_*` labels (`scope_info_enabled`,
    /// default true).
    ///
    /// ```
    /// let _ = otel_prom_std::PrometheusExporter::builder().with_scope_info(false);
    /// ```
    pub fn with_scope_info(mut self, enabled: bool) -> Self {
        self.config.scope_info = enabled;
        self
    }

    /// Whether `target_info` is written (`target_info_enabled`, default true).
    ///
    /// ```
    /// let _ = otel_prom_std::PrometheusExporter::builder().with_target_info(false);
    /// ```
    pub fn with_target_info(mut self, enabled: bool) -> Self {
        self.config.target_info = enabled;
        self
    }

    /// Resource attributes copied onto every sample
    /// (`resource_constant_labels`; none by default).
    ///
    /// ```
    /// let _ = otel_prom_std::PrometheusExporter::builder()
    ///     .with_resource_constant_labels(otel_prom_std::ResourceSelector::All);
    /// ```
    pub fn with_resource_constant_labels(mut self, selector: ResourceSelector) -> Self {
        self.config.resource_labels = selector;
        self
    }

    /// A prefix for every metric name (`namespace_`).
    ///
    /// ```
    /// let _ = otel_prom_std::PrometheusExporter::builder().with_namespace("shop");
    /// ```
    pub fn with_namespace(mut self, namespace: impl Into<String>) -> Self {
        let ns: String = namespace.into();
        self.config.namespace = (!ns.is_empty()).then_some(ns);
        self
    }

    /// `opentelemetry-prometheus` name: no unit suffixes.
    ///
    /// ```
    /// let _ = otel_prom_std::PrometheusExporter::builder().without_units();
    /// ```
    pub fn without_units(mut self) -> Self {
        self.config.units = false;
        self
    }

    /// `opentelemetry-prometheus` name: no `_total` on counters in
    /// Prometheus text (OpenMetrics requires it and keeps it).
    ///
    /// ```
    /// let _ = otel_prom_std::PrometheusExporter::builder().without_counter_suffixes();
    /// ```
    pub fn without_counter_suffixes(mut self) -> Self {
        self.config.counter_suffixes = false;
        self
    }

    /// `opentelemetry-prometheus` name: no `target_info`.
    ///
    /// ```
    /// let _ = otel_prom_std::PrometheusExporter::builder().without_target_info();
    /// ```
    pub fn without_target_info(self) -> Self {
        self.with_target_info(false)
    }

    /// `opentelemetry-prometheus` name: no scope labels.
    ///
    /// ```
    /// let _ = otel_prom_std::PrometheusExporter::builder().without_scope_info();
    /// ```
    pub fn without_scope_info(self) -> Self {
        self.with_scope_info(false)
    }

    /// `opentelemetry-prometheus` (and specification) name for
    /// [`with_scope_info`](Self::with_scope_info).
    ///
    /// ```
    /// let _ = otel_prom_std::PrometheusExporter::builder().scope_info_enabled(false);
    /// ```
    pub fn scope_info_enabled(self, enabled: bool) -> Self {
        self.with_scope_info(enabled)
    }

    /// Specification name for [`with_target_info`](Self::with_target_info).
    ///
    /// ```
    /// let _ = otel_prom_std::PrometheusExporter::builder().target_info_enabled(false);
    /// ```
    pub fn target_info_enabled(self, enabled: bool) -> Self {
        self.with_target_info(enabled)
    }

    /// `opentelemetry-prometheus` name for
    /// [`with_resource_constant_labels`](Self::with_resource_constant_labels).
    ///
    /// ```
    /// let _ = otel_prom_std::PrometheusExporter::builder()
    ///     .with_resource_selector(otel_prom_std::ResourceSelector::None);
    /// ```
    pub fn with_resource_selector(self, selector: impl Into<ResourceSelector>) -> Self {
        self.with_resource_constant_labels(selector.into())
    }

    /// The exporter.
    ///
    /// ```
    /// let _ = otel_prom_std::PrometheusExporter::builder().build();
    /// ```
    pub fn build(self) -> PrometheusExporter {
        PrometheusExporter {
            inner: Arc::new(Inner {
                reader: ManualReader::builder()
                    .with_temporality(Temporality::Cumulative)
                    .build(),
                config: self.config,
                state: Mutex::new(State {
                    rm: ResourceMetrics::default(),
                    plan: Plan::default(),
                }),
            }),
        }
    }
}

impl From<OTelSdkError> for ScrapeError<std::io::Error> {
    fn from(e: OTelSdkError) -> Self {
        ScrapeError::Collect(e.to_string())
    }
}

/// std's convention for `Write`: `Interrupted` means "call again", never a
/// failed write (`write_all` retries it). The embedded-io adapter passes it
/// through as an error, so it is retried here, before it would fail a scrape.
struct RetryInterrupted<W>(W);

impl<W: std::io::Write> std::io::Write for RetryInterrupted<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        loop {
            match self.0.write(buf) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                other => return other,
            }
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        loop {
            match self.0.flush() {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                other => return other,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::{self, ErrorKind, Write};

    use super::RetryInterrupted;

    /// Fails its first `interruptions` calls of each kind with `Interrupted`
    /// (or with `fail` for good), then writes into `out`.
    struct Flaky {
        interruptions: usize,
        fail: Option<ErrorKind>,
        writes: usize,
        flushes: usize,
        out: Vec<u8>,
    }

    impl Flaky {
        fn new(interruptions: usize, fail: Option<ErrorKind>) -> Self {
            Flaky {
                interruptions,
                fail,
                writes: 0,
                flushes: 0,
                out: Vec::new(),
            }
        }

        fn outcome(
            calls: &mut usize,
            interruptions: usize,
            fail: Option<ErrorKind>,
        ) -> io::Result<()> {
            *calls += 1;
            match fail {
                Some(kind) => Err(kind.into()),
                None if *calls <= interruptions => Err(ErrorKind::Interrupted.into()),
                None => Ok(()),
            }
        }
    }

    impl Write for Flaky {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            Self::outcome(&mut self.writes, self.interruptions, self.fail)?;
            self.out.extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Self::outcome(&mut self.flushes, self.interruptions, self.fail)
        }
    }

    #[test]
    fn interrupted_writes_and_flushes_are_retried_until_they_succeed() {
        let mut sink = RetryInterrupted(Flaky::new(3, None));
        assert_eq!(sink.write(b"abc").unwrap(), 3);
        sink.flush().unwrap();
        assert_eq!(sink.0.out, b"abc");
        assert_eq!((sink.0.writes, sink.0.flushes), (4, 4));
    }

    #[test]
    fn other_errors_are_returned_after_one_call() {
        for kind in [
            ErrorKind::BrokenPipe,
            ErrorKind::WouldBlock,
            ErrorKind::WriteZero,
        ] {
            let mut sink = RetryInterrupted(Flaky::new(0, Some(kind)));
            assert_eq!(sink.write(b"abc").unwrap_err().kind(), kind);
            assert_eq!(sink.flush().unwrap_err().kind(), kind);
            assert_eq!((sink.0.writes, sink.0.flushes), (1, 1));
            assert!(sink.0.out.is_empty());
        }
    }

    #[test]
    fn a_scrape_through_an_interrupted_sink_is_whole() {
        use opentelemetry::metrics::MeterProvider as _;
        let exporter = super::PrometheusExporter::builder().build();
        let provider = opentelemetry_sdk::metrics::SdkMeterProvider::builder()
            .with_reader(exporter.clone())
            .build();
        provider.meter("m").u64_counter("hits").build().add(2, &[]);
        let answer = otel_prom_core::negotiate(Some("application/openmetrics-text"));
        let mut sink = Flaky::new(1, None);
        exporter.write_to(&mut sink, answer).unwrap();
        let whole = exporter
            .render(Some("application/openmetrics-text"))
            .unwrap();
        assert_eq!(sink.out, whole.body);
        assert!(sink.flushes >= 2, "the scrape's flush was retried");
    }

    #[test]
    fn debug_shows_the_configuration() {
        let exporter = super::PrometheusExporter::builder()
            .with_namespace("shop")
            .build();
        let text = format!("{exporter:?}");
        assert!(text.starts_with("PrometheusExporter {"), "{text}");
        assert!(text.contains("shop"), "{text}");
    }
}
