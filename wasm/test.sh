#!/usr/bin/env bash
# The exported JS API on wasm32 under node (wasm-bindgen-test-runner, from
# `cargo install wasm-bindgen-cli` at the version pinned in Cargo.toml),
# then the label writer of `js/args.js` against a memory of its own (no
# byte written outside its buffer), then, against the package that
# `wasm/build.sh` built, two copies of it in one realm, seeded random calls
# checked against a model of the registry, calls deoptimized by V8 while
# they run, and every JS example in the package's docs. The host-side tests of the crate run with
# `cargo test --workspace`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test --manifest-path "$root/Cargo.toml" -p otel-prom-wasm --target wasm32-unknown-unknown --test js_api
node --test "$root/wasm/tests/args.test.mjs" "$root/wasm/tests/two_copies.test.mjs" \
  "$root/wasm/tests/model.test.mjs" "$root/wasm/tests/deopt.test.mjs" \
  "$root/wasm/tests/doc_examples.test.mjs"
