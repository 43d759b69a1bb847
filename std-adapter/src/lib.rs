//! `otel-prom-std`: an OpenTelemetry SDK [`MetricReader`] that answers
//! Prometheus scrapes by streaming the SDK's data through `otel-prom-core`'s
//! encoder: Prometheus text 0.0.4, text 1.0.0 and OpenMetrics 1.0, with
//! content negotiation, following the OpenTelemetry "Prometheus and
//! OpenMetrics Compatibility" rules.
//!
//! ```
//! use opentelemetry::metrics::MeterProvider as _;
//! use opentelemetry_sdk::metrics::SdkMeterProvider;
//! use otel_prom_std::PrometheusExporter;
//!
//! let exporter = PrometheusExporter::builder().without_target_info().without_scope_info().build();
//! let provider = SdkMeterProvider::builder().with_reader(exporter.clone()).build();
//! let requests = provider.meter("app").u64_counter("http.requests").build();
//! requests.add(3, &[opentelemetry::KeyValue::new("route", "/")]);
//!
//! let scrape = exporter.render(None).unwrap();
//! assert_eq!(scrape.content_type, "text/plain; version=0.0.4; charset=utf-8");
//! assert_eq!(String::from_utf8(scrape.body).unwrap(), concat!(
//!     "# TYPE http_requests_total counter\n",
//!     "http_requests_total{route=\"/\"} 3\n",
//! ));
//! ```
//!
//! [`MetricReader`]: opentelemetry_sdk::metrics::reader::MetricReader
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod convert;
mod exporter;
mod labels;
mod options;

#[cfg(feature = "http")]
pub mod http;

pub use exporter::{ExporterBuilder, PrometheusExporter, Scrape, ScrapeError};
pub use options::ResourceSelector;
pub use otel_prom_core as core;
pub use otel_prom_core::Strategy as TranslationStrategy;
