// `js/args.js` writes a recording's label values straight into wasm memory,
// into a buffer on the wasm stack whose address and length Rust hands over.
// A write past that buffer would not fail anything the API returns: it
// would overwrite the caller's stack frames, and only show as corruption
// later. So these tests run the writer against a memory of their own,
// filled with a known pattern, and check every byte outside the buffer
// afterwards, over generated label values of every kind the writer takes.
//
// They import the source file, not the built package: no build is needed,
// and the file is the one wasm-bindgen copies into the package unchanged.
import { test } from "node:test";
import assert from "node:assert/strict";
import { labelValues, metricLabels, takeError } from "../js/args.js";
import { rng } from "./seeded.mjs";

// The Rust side's buffer (`LABEL_TEXT` in `src/js.rs`: `VALUE_BYTES` of
// the registry plus room to count 255 values): the writer may assume at
// least 255 bytes.
const LABEL_TEXT = 128 + 255;
const PAGE = 65536;

const utf8 = new TextEncoder();

/** The pattern every byte outside the buffer must keep: never 0 (the
 * separator) nor ASCII, and varying with the address, so a stray write is
 * unlikely to leave it as it was. */
const canary = (i) => 0x80 | ((i * 31 + 7) & 0x7f);

/** What every byte of a memory holds before a test writes: the pattern,
 * and zeros in pages grown later (every memory here starts at one page). */
const UNTOUCHED = Uint8Array.from({ length: PAGE }, (_, i) => canary(i));

function freshMemory() {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 4 });
  new Uint8Array(memory.buffer).set(UNTOUCHED);
  return memory;
}

/** A metric as the registry makes it (`metricLabels` of its definition),
 * its label values written into `memory`. */
function metricIn(memory, name, ...labels) {
  return metricLabels(`\0${name}\0\0${labels.map((l) => "\0" + l).join("")}`, memory);
}

/** Asserts that no byte of `memory` outside `[from, to)` changed. */
function assertUntouchedOutside(memory, from, to, context) {
  const bytes = new Uint8Array(memory.buffer);
  const expected = new Uint8Array(bytes.length);
  expected.set(UNTOUCHED);
  for (const [a, b] of [
    [0, from],
    [to, bytes.length],
  ]) {
    if (Buffer.compare(bytes.subarray(a, b), expected.subarray(a, b)) === 0) continue;
    let i = a;
    while (bytes[i] === expected[i]) i++;
    assert.fail(`${context}: byte ${i} (buffer ${from}..${to}) is ${bytes[i]}, was ${expected[i]}`);
  }
}

/** What the writer must produce for these values: `\0` and the UTF-8 of
 * each value as JS prints it. */
function expectedBytes(values) {
  const parts = values.map((v) => utf8.encode("\0" + String(v)));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

// Values of every kind `put` takes, in lengths around the buffer's, with
// ASCII, two-, three- and four-byte characters and lone surrogates (which
// `TextEncoder` writes as U+FFFD, three bytes).
const PIECES = ["a", "Z", "_", " ", "é", "ß", "€", "中", "😀", "\ud800", "\udfff", "\u0080", "\u07ff", "\uffff"];

function value(next) {
  const kind = next();
  if (kind < 0.1) return Math.floor(next() * 2e6) - 1e6;
  if (kind < 0.15) return [0.5, -0, 1e21, 1e-7, -123.456, Number.MAX_VALUE, Number.MIN_VALUE][Math.floor(next() * 7)];
  if (kind < 0.2) return next() < 0.5;
  const length = kind < 0.6 ? Math.floor(next() * 12) : Math.floor(next() * 200);
  const ascii = next() < 0.5;
  let s = "";
  for (let i = 0; i < length; i++) {
    s += ascii ? String.fromCharCode(0x20 + Math.floor(next() * 95)) : PIECES[Math.floor(next() * PIECES.length)];
  }
  return s;
}

test("label values are written inside their buffer and nowhere else", () => {
  const seeds = 3000;
  let fitted = 0;
  let refused = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    const next = rng(seed);
    const memory = freshMemory();
    const n = 1 + Math.floor(next() * 8);
    const names = Array.from({ length: n }, (_, i) => `l${i}`);
    const metric = metricIn(memory, "m", ...names);
    const values = names.map(() => value(next));
    const len = LABEL_TEXT + Math.floor(next() * 3) * Math.floor(next() * 200);
    // Anywhere in the page, the very first and last byte included.
    const where = next();
    const start = where < 0.05 ? 0 : where < 0.1 ? PAGE - len : Math.floor(next() * (PAGE - len));
    const asObject = next() < 0.5;
    const labels = asObject ? Object.fromEntries(names.map((k, i) => [k, values[i]])) : values;

    const got = labelValues(metric, labels, start, len);
    const context = `seed ${seed}`;
    assertUntouchedOutside(memory, start, start + len, context);
    const expected = expectedBytes(values);
    if (expected.length <= len) {
      fitted++;
      assert.equal(got, expected.length, `${context}: length written`);
      const bytes = new Uint8Array(memory.buffer);
      assert.deepEqual(bytes.subarray(start, start + got), expected, `${context}: bytes written`);
      // Nothing past what it reports either: Rust reads only that far, but
      // the rest of the buffer is its stack.
      assertUntouchedOutside(memory, start, start + got, context);
    } else {
      refused++;
      assert.equal(got, -1, `${context}: ${expected.length} bytes in ${len} must not fit`);
    }
  }
  // The generator must reach both outcomes, or half the assertions above
  // never ran.
  assert.ok(fitted > seeds / 4, `only ${fitted} cases fitted`);
  assert.ok(refused > seeds / 20, `only ${refused} cases were refused`);
});

test("a text that fits to the byte is written, one byte more is refused", () => {
  for (const piece of ["a", "é", "€", "😀", "\ud800"]) {
    const size = utf8.encode(piece).length;
    // One value (its separator byte and its text) filling the buffer
    // exactly, then the same value in one byte less.
    const units = Math.floor((LABEL_TEXT - 1) / size);
    const exact = piece.repeat(units);
    const len = 1 + units * size;
    for (const [text, room, fits] of [
      [exact, len, true],
      [exact, len - 1, false],
    ]) {
      const memory = freshMemory();
      const start = 1000;
      const got = labelValues(metricIn(memory, "m", "l"), [text], start, room);
      assertUntouchedOutside(memory, start, start + room, `${JSON.stringify(piece)} in ${room}`);
      assert.equal(got, fits ? len : -1, `${JSON.stringify(piece)} × ${units} in ${room} bytes`);
    }
  }
});

test("an array of the wrong length is counted in zeros inside the buffer", () => {
  for (const length of [0, 1, 3, 254, 255, 256, 1000]) {
    const memory = freshMemory();
    const start = PAGE - LABEL_TEXT;
    const got = labelValues(metricIn(memory, "m", "a", "b"), new Array(length).fill("x"), start, LABEL_TEXT);
    const count = Math.min(length, 255);
    assert.equal(got, count, `an array of ${length}`);
    const bytes = new Uint8Array(memory.buffer);
    assert.ok(
      bytes.subarray(start, start + count).every((b) => b === 0),
      `${count} zero bytes for an array of ${length}`,
    );
    assertUntouchedOutside(memory, start, start + count, `an array of ${length}`);
  }
});

test("no labels write nothing", () => {
  for (const labels of [undefined, null]) {
    const memory = freshMemory();
    assert.equal(labelValues(metricIn(memory, "m"), labels, 700, LABEL_TEXT), 0, String(labels));
    assertUntouchedOutside(memory, 0, 0, String(labels));
  }
});

test("bad labels write nothing outside the buffer and leave their Error", () => {
  // Each message names the metric first, as the registry's own do.
  const cases = [
    [{ a: "x" }, 'label "b" has no value'],
    [{ a: "x", b: "y", c: "z" }, '"c" is not a label name of this metric'],
    // A key spelled like the metric is no label name either.
    [{ a: "x", b: "y", jobs: "z" }, '"jobs" is not a label name of this metric'],
    [["x", NaN], 'label "b" is NaN or infinite'],
    [["x", {}], 'label "b" must be a string, number or boolean, got object'],
    [["x", "a\0b"], 'label "b" contains U+0000'],
    ["x", "labels must be an object, an array or undefined, got string"],
    [
      {
        a: "x",
        get b() {
          throw new Error("from a getter");
        },
      },
      "from a getter",
    ],
  ];
  for (const [labels, message] of cases) {
    const memory = freshMemory();
    const start = 5000;
    assert.equal(labelValues(metricIn(memory, "jobs", "a", "b"), labels, start, LABEL_TEXT), -2, message);
    const error = takeError();
    assert.equal(error.message, message === "from a getter" ? message : `jobs: ${message}`);
    assert.equal(takeError(), undefined, "the Error is handed over once");
    assertUntouchedOutside(memory, start, start + LABEL_TEXT, message);
  }
});

test("a getter that grows the memory does not lose the values written after it", () => {
  // Growing detaches the old buffer: a write through a view taken before
  // the getter ran would be dropped without an error.
  const memory = freshMemory();
  const start = 100;
  const labels = {
    a: "first",
    get b() {
      memory.grow(1);
      return "second";
    },
    c: "third",
  };
  const got = labelValues(metricIn(memory, "m", "a", "b", "c"), labels, start, LABEL_TEXT);
  const expected = expectedBytes(["first", "second", "third"]);
  assert.equal(got, expected.length);
  assert.equal(memory.buffer.byteLength, 2 * PAGE);
  assert.deepEqual(new Uint8Array(memory.buffer).subarray(start, start + got), expected);
  assertUntouchedOutside(memory, start, start + got, "after growing");
});

test("a memory grown between calls is written through a new view", () => {
  const memory = freshMemory();
  const metric = metricIn(memory, "m", "a");
  assert.equal(labelValues(metric, ["one"], 10, LABEL_TEXT), 4);
  memory.grow(1);
  // Into the new page, which only a fresh view can reach.
  const start = PAGE + 10;
  assert.equal(labelValues(metric, ["two"], start, LABEL_TEXT), 4);
  assert.deepEqual(new Uint8Array(memory.buffer).subarray(start, start + 4), expectedBytes(["two"]));
});

test("each metric's values go to the memory of the module that defined it", () => {
  // Two copies of the glue, each with its own module instance, share this
  // module when their imports of it resolve alike; their recordings
  // interleave.
  const first = freshMemory();
  const second = freshMemory();
  const a = metricIn(first, "a", "route");
  const b = metricIn(second, "b", "route");
  for (const [metric, text] of [
    [a, "one"],
    [b, "two"],
    [a, "three"],
  ]) {
    assert.equal(labelValues(metric, [text], 10, LABEL_TEXT), 1 + text.length);
  }
  assert.deepEqual(new Uint8Array(first.buffer).subarray(10, 16), expectedBytes(["three"]));
  assert.deepEqual(new Uint8Array(second.buffer).subarray(10, 14), expectedBytes(["two"]));
  assertUntouchedOutside(first, 10, 16, "the first memory");
  assertUntouchedOutside(second, 10, 14, "the second memory");
});
