//! `cargo +nightly fuzz run encoder`: see [`otel_prom_fuzz::encoder`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| otel_prom_fuzz::encoder(data));
