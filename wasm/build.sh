#!/usr/bin/env bash
# Builds the npm package into wasm/pkg: the .wasm (cargo), its JS glue and
# TypeScript types (wasm-bindgen --target web), then shrinks the .wasm
# (wasm-opt -Oz from npm binaryen; Debian's old binaryen corrupts the
# externref table wasm-bindgen emits).
#
# Needs: rustup target wasm32-unknown-unknown, `wasm-bindgen` at the version
# pinned in wasm/Cargo.toml, and `npm ci` run in wasm/.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
out="$here/pkg"

pinned="$(sed -n 's/^wasm-bindgen = { version = "=\([0-9.]*\)".*/\1/p' "$here/Cargo.toml")"
have="$(wasm-bindgen --version | awk '{print $2}')"
if [ "$pinned" != "$have" ]; then
  echo "wasm-bindgen CLI is $have, the crate pins $pinned: cargo install wasm-bindgen-cli --version $pinned" >&2
  exit 1
fi

# Panic locations name source files; dependencies' would carry this
# machine's cargo home into the published .wasm, and so would the standard
# library's where the rust-src component is installed (workspace files are
# already relative).
cargo_home="${CARGO_HOME:-$HOME/.cargo}"
std_src="$(rustc --print sysroot)/lib/rustlib/src/rust"
RUSTFLAGS="--remap-path-prefix=$cargo_home/registry/src= --remap-path-prefix=$std_src=rust" \
cargo build --manifest-path "$root/Cargo.toml" -p otel-prom-wasm \
  --target wasm32-unknown-unknown --profile wasm-release --no-default-features
rm -rf "$out"
wasm-bindgen --target web --out-dir "$out" \
  "$root/target/wasm32-unknown-unknown/wasm-release/otel_prom_wasm.wasm"
# The producers and target-features custom sections only describe the
# toolchain; nothing at runtime reads them.
# wasm-bindgen copies js/args.js to snippets/<crate>-<hash>/; the package
# keeps it beside the glue under a fixed name that a host without a bundler
# (workerd's module list) can spell.
snippet="$(cd "$out" && echo snippets/*/js/args.js)"
if [ ! -f "$out/$snippet" ]; then
  echo "wasm-bindgen did not emit js/args.js under snippets/" >&2
  exit 1
fi
mv "$out/$snippet" "$out/otel_prom_wasm_args.js"
rm -r "$out/snippets"
# Only the import statements move: the .wasm's own import section keeps
# the snippet path as a module name, which the glue's import object maps.
sed -i "/^import /s#\./$snippet#./otel_prom_wasm_args.js#" "$out/otel_prom_wasm.js"
if grep -q "^import .*snippets/" "$out/otel_prom_wasm.js"; then
  echo "the glue still imports from snippets/" >&2
  exit 1
fi
# The panic handler of this build traps; its entry points trap at once
# instead of building messages nobody reads (see the script).
node "$here/stub-panics.mjs" "$out/otel_prom_wasm_bg.wasm" "$out/otel_prom_wasm_bg.wasm"
# Beyond -Oz (each measured, 58.0 KB -> 56.8 KB together): flow analysis
# over the whole module (--gufa), the control flow rebuilt from a flat form
# and shrunk again (--flatten --rereloop -Oz -Oz), and --low-memory-unused:
# Rust's stack grows down from 1 MiB toward address 0, so its lowest 1 KiB
# is reached only by a stack a thousand times deeper than this crate's
# (no recursion, no large locals); the optimizer may then fold address
# arithmetic into load and store offsets.
"$here/node_modules/.bin/wasm-opt" --low-memory-unused --gufa -Oz --flatten --rereloop -Oz -Oz \
  --strip-producers --strip-target-features \
  "$out/otel_prom_wasm_bg.wasm" -o "$out/otel_prom_wasm_bg.wasm"
# A doc comment that reached wasm-bindgen as a token rather than a string
# (through a macro's `meta` fragment, or a raw string) is copied into the
# JSDoc and the types as `r"…"`.
if grep -n '^ *\* r#*"' "$out/otel_prom_wasm.d.ts" "$out/otel_prom_wasm.js"; then
  echo "doc comments above reached the glue as raw tokens" >&2
  exit 1
fi
cp "$here/npm/package.json" "$here/npm/README.md" "$root/LICENSE" "$out/"
sed -i "s/\"version\": \"[^\"]*\"/\"version\": \"$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -1)\"/" "$out/package.json"

wasm_bytes=$(wc -c < "$out/otel_prom_wasm_bg.wasm")
gz_bytes=$(gzip -9 -c "$out/otel_prom_wasm_bg.wasm" | wc -c)
glue_bytes=$(wc -c < "$out/otel_prom_wasm.js")
args_bytes=$(wc -c < "$out/otel_prom_wasm_args.js")
echo "built $out: .wasm $wasm_bytes B (gzip $gz_bytes B), JS glue $glue_bytes B, argument checks $args_bytes B"
