#![doc = include_str!("../README.md")]
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
