//! `cargo +nightly fuzz run translate`: see [`otel_prom_fuzz::translate`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| otel_prom_fuzz::translate(data));
