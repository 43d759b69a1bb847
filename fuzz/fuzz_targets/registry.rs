//! `cargo +nightly fuzz run registry`: see [`otel_prom_fuzz::registry`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| otel_prom_fuzz::registry(data));
