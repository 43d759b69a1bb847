//! `otel-prom-wasm`: Prometheus / OpenMetrics metrics for JavaScript hosts
//! such as edge workers, on [`otel_prom_core`]'s fixed-capacity registry and
//! its one encoder.
//!
//! From JS (after `wasm/build.sh`):
//!
//! ```js
//! import { initSync, Registry } from "otel-prom-wasm";
//! initSync({ module });                       // the .wasm module
//! const metrics = new Registry();
//! const requests = metrics.counter("http.requests", { help: "Requests.", labelNames: ["route", "status"] });
//! requests.inc({ route: "/", status: 200 });
//! const { contentType, body } = metrics.scrapeFor(request.headers.get("accept"));
//! ```
//!
//! Every bad input throws a JS `Error` whose message names the metric and
//! the problem; the crate never panics (a panic would abort the instance).
//! The same API in Rust is [`Metrics`]:
//!
//! ```
//! use otel_prom_wasm::Metrics;
//! let metrics = Metrics::new();
//! let lat = metrics.histogram("http.duration", "Latency.", "s", &["route"], Some(&[0.1, 1.0])).unwrap();
//! lat.record(0.25, &["/"]).unwrap();
//! assert!(metrics.scrape(None, |_, body| body.contains("http_duration_seconds_bucket{route=\"/\",le=\"1\"} 1\n")));
//! ```
//!
//! Capacity per registry: see the constants in this crate ([`FAMILIES`],
//! [`SERIES`], …).
//!
//! Cargo feature `std` (default): links Rust's standard library, as tests
//! and Rust users on a host want. The shipped `.wasm` (`wasm/build.sh`)
//! turns it off and brings its own allocator (`talc`) and a panic handler
//! that traps, which leaves std's panic machinery out of the module.
#![no_std]
#![deny(unsafe_code)]
#![deny(missing_docs)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

// The shipped .wasm (`std` off): the allocator and panic handler std would
// otherwise provide, at a fraction of the size.
#[cfg(all(target_arch = "wasm32", not(feature = "std")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

#[cfg(all(target_arch = "wasm32", not(feature = "std")))]
#[panic_handler]
fn panic(_: &::core::panic::PanicInfo) -> ! {
    // A trap, as `panic = "abort"` gives with std: the instance is unusable
    // afterwards either way, and the message would cost `core::fmt`.
    // `wasm/stub-panics.mjs` relies on it: it makes the panic entry points
    // of the shipped .wasm trap at entry.
    ::core::arch::wasm32::unreachable()
}

mod error;
mod js;
mod metrics;

pub use error::{Error, ErrorKind};
pub use js::{
    BoundCounter, BoundGauge, BoundHistogram, BoundUpDownCounter, Counter, Gauge, Histogram,
    JsRegistry, UpDownCounter,
};
pub use metrics::{
    BUCKETS, CELLS, CoreRegistry, DEFAULT_BOUNDS, FAMILIES, Instrument, InstrumentKind, LABELS,
    META, Metrics, SERIES, Series, VALUE_BYTES,
};
pub use otel_prom_core as core;
