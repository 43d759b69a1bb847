#!/usr/bin/env bash
# The crate's tests on both sides of the JS boundary:
# - host (rlib): unit tests and doc examples of the Rust model;
# - wasm32 under node: the exported JS API, through wasm-bindgen-test-runner
#   (from `cargo install wasm-bindgen-cli` at the pinned version).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cargo test --manifest-path "$root/Cargo.toml" -p otel-prom-wasm
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test --manifest-path "$root/Cargo.toml" -p otel-prom-wasm --target wasm32-unknown-unknown --tests
