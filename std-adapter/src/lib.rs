//! `otel-prom-std`: the OpenTelemetry SDK adapter.
//!
//! **Skeleton.** Nothing is implemented here yet; the crate exists so the
//! workspace layout is final. It will implement the SDK's `MetricReader` and
//! stream SDK data through [`otel_prom_core`]'s encoder.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub use otel_prom_core as core;
