//! `cargo +nightly fuzz run negotiate`: see [`otel_prom_fuzz::negotiate`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| otel_prom_fuzz::negotiate(data));
