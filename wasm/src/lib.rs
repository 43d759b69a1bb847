//! `otel-prom-wasm`: metrics for JavaScript hosts (edge workers).
//!
//! **Skeleton.** Nothing is implemented here yet; the crate exists so the
//! workspace layout is final. It will expose the core registry and
//! `scrape()` through `wasm-bindgen`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub use otel_prom_core as core;
