// Replaces the body of each of Rust's panic entry points in a .wasm with a
// bare `unreachable`:
//   node wasm/stub-panics.mjs in.wasm out.wasm
//
// The shipped .wasm's panic handler traps (src/lib.rs), so every function
// listed in PANIC_PATHS already ends in a trap; but on its way there it
// builds a message (`fmt::Arguments`, a source location) that nothing ever
// reads, and every caller passes it the pieces. `wasm-opt` cannot see that
// they are unused: the handler is reached through `panic_fmt`'s stores to
// the stack. Trapping at the entry instead keeps every check and every trap
// where they were, and lets `wasm-opt` drop the message building and the
// arguments at each call site.
//
// The same idea as `wasm-snip --snip-rust-panicking-code`, a tool of the
// Rust and WebAssembly working group archived in 2025; this script is a
// few lines of node, which the build already needs, and matches only
// functions that never return (wasm-snip's pattern also caught
// `std::panicking::panicking()`, which returns a value).
//
// Functions are found by the names rustc leaves in the name section (which
// `wasm-opt` strips later). The script fails when it finds none (the list
// no longer matches the toolchain) or when a match returns a value (a
// function that diverges never does).
import { readFileSync, writeFileSync } from "node:fs";

/** Rust paths (crate hashes and symbol hashes removed) of functions that
 * never return: each ends in the panic handler. */
const PANIC_PATHS = [
  /^core::panicking::\w+$/,
  /^core::panicking::panic_const::\w+$/,
  /^core::slice::index::\w+_fail$/,
  /^core::slice::copy_from_slice_impl::len_mismatch_fail$/,
  /^core::str::slice_error_fail(_rt)?$/,
  /^core::cell::panic_already_(mutably_)?borrowed$/,
  /^core::option::(unwrap|expect)_failed$/,
  /^core::result::unwrap_failed$/,
  /^alloc::raw_vec::(handle_error|capacity_overflow)$/,
  /^alloc::alloc::handle_alloc_error$/,
  /^__rust_alloc_error_handler$/,
  /^__rdl_alloc_error_handler$/,
  /^__rdl_oom$/,
];

/** `core[c5930c85a12de822]::cell::panic_already_borrowed` and
 * `core::cell::panic_already_borrowed::h0123456789abcdef` →
 * `core::cell::panic_already_borrowed`. */
function rustPath(name) {
  return name
    .replace(/^__rustc\[[0-9a-f]+\]::/, "")
    .replace(/\[[0-9a-f]+\]/g, "")
    .replace(/::h[0-9a-f]{16}$/, "");
}

class Reader {
  constructor(bytes, pos = 0) {
    this.bytes = bytes;
    this.pos = pos;
  }
  byte() {
    return this.bytes[this.pos++];
  }
  u32() {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const b = this.byte();
      value += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return value;
    }
  }
  name() {
    const len = this.u32();
    const text = new TextDecoder().decode(this.bytes.subarray(this.pos, this.pos + len));
    this.pos += len;
    return text;
  }
  skipLimits() {
    const flags = this.byte();
    this.u32();
    if (flags & 1) this.u32();
  }
}

function leb(value) {
  const out = [];
  do {
    let b = value & 0x7f;
    value = Math.floor(value / 128);
    if (value) b |= 0x80;
    out.push(b);
  } while (value);
  return out;
}

function sections(bytes) {
  const r = new Reader(bytes, 8);
  const list = [];
  while (r.pos < bytes.length) {
    const start = r.pos;
    const id = r.byte();
    const size = r.u32();
    list.push({ id, start, body: r.pos, end: r.pos + size });
    r.pos += size;
  }
  return list;
}

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error("usage: node stub-panics.mjs in.wasm out.wasm");
  process.exit(2);
}
const bytes = new Uint8Array(readFileSync(input));
const all = sections(bytes);
const section = (id) => all.find((s) => s.id === id);

// Function index → name, from the `name` custom section.
const names = new Map();
for (const s of all.filter((s) => s.id === 0)) {
  const r = new Reader(bytes, s.body);
  if (r.name() !== "name") continue;
  while (r.pos < s.end) {
    const kind = r.byte();
    const end = r.u32() + r.pos;
    if (kind === 1) {
      for (let n = r.u32(); n > 0; n--) names.set(r.u32(), r.name());
    }
    r.pos = end;
  }
}
if (names.size === 0) throw new Error(`${input} has no function names`);

// Type index → whether the type returns anything.
const returns = [];
{
  const r = new Reader(bytes, section(1).body);
  for (let n = r.u32(); n > 0; n--) {
    if (r.byte() !== 0x60) throw new Error("a type that is not a function type");
    const params = r.u32();
    r.pos += params;
    const results = r.u32();
    r.pos += results;
    returns.push(results > 0);
  }
}

// Imported functions come first in the function index space.
let imported = 0;
if (section(2)) {
  const r = new Reader(bytes, section(2).body);
  for (let n = r.u32(); n > 0; n--) {
    r.name();
    r.name();
    const kind = r.byte();
    if (kind === 0) {
      r.u32();
      imported++;
    } else if (kind === 1) {
      r.byte();
      r.skipLimits();
    } else if (kind === 2) {
      r.skipLimits();
    } else if (kind === 3) {
      r.pos += 2; // value type, mutability
    } else {
      r.byte(); // a tag: attribute, type
      r.u32();
    }
  }
}
const typeOf = [];
{
  const r = new Reader(bytes, section(3).body);
  for (let n = r.u32(); n > 0; n--) typeOf.push(r.u32());
}

// The code section again, with the bodies of the panic paths replaced.
const code = section(10);
const r = new Reader(bytes, code.body);
const count = r.u32();
const bodies = [];
const stubbed = [];
for (let i = 0; i < count; i++) {
  const size = r.u32();
  let body = bytes.subarray(r.pos, r.pos + size);
  r.pos += size;
  const name = names.get(imported + i);
  const path = name && rustPath(name);
  if (path && PANIC_PATHS.some((p) => p.test(path))) {
    if (returns[typeOf[i]]) throw new Error(`${name} returns a value: it is not a panic path`);
    // No locals; `unreachable`; `end`.
    body = Uint8Array.of(0x00, 0x00, 0x0b);
    stubbed.push(path);
  }
  bodies.push(Uint8Array.from(leb(body.length)), body);
}
if (stubbed.length === 0) {
  throw new Error("no panic path found by name: PANIC_PATHS no longer matches rustc's names");
}
const payload = [Uint8Array.from(leb(count)), ...bodies];
const payloadSize = payload.reduce((n, b) => n + b.length, 0);
writeFileSync(
  output,
  Buffer.concat([
    bytes.subarray(0, code.start),
    Uint8Array.of(10, ...leb(payloadSize)),
    ...payload,
    bytes.subarray(code.end),
  ]),
);
console.log(`panic paths trapping at entry: ${stubbed.length} (${[...new Set(stubbed)].join(", ")})`);
