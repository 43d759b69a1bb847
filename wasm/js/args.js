// Argument checks of the JS API, done on the JS side of the boundary.
//
// Reading a JS object from wasm costs one crossing per property and one
// UTF-8 copy per string; here the same checks cost nothing extra, and what
// crosses into wasm is one string (a recording's label values are encoded
// straight into a buffer in wasm memory). Strings go over as `\0`-prefixed fields
// ("\0a\0b" is ["a", "b"], "" is []), so no field may contain U+0000.
//
// A thrown Error's message names the metric first, like the errors the
// registry itself reports.
//
// Only `definition` and `acceptHeader` may throw (imported with `catch`);
// the rest must neither throw nor run the caller's code (`labelValues`
// catches): an exception unwinding through wasm skips Rust's cleanup and
// leaves the glue's borrow of the called object taken for good.

function typeName(v) {
  if (v === null) return "null";
  try {
    if (Array.isArray(v)) return "array";
  } catch {
    return "revoked Proxy"; // the one value `Array.isArray` throws for
  }
  return typeof v;
}

function fail(metric, text) {
  return new Error(`${metric}: ${text}`);
}

function mustBe(metric, what, expected, v) {
  return fail(metric, `${what} must be ${expected}, got ${typeName(v)}`);
}

/** The Error for a string that holds the field separator. */
function nulError(metric, what) {
  return fail(metric, `${what} contains U+0000`);
}

function field(metric, what, s) {
  if (s.includes("\0")) throw nulError(metric, what);
  return "\0" + s;
}

const OPTIONS = ["help", "unit", "labelNames"];

/** The bounds the last `definition` of a histogram read, for `takeBounds`. */
let definedBounds;

/** A metric's name and options as `\0name\0help\0unit\0label…`. */
export function definition(name, options, histogram) {
  definedBounds = undefined;
  if (typeof name !== "string") {
    throw mustBe("(metric name)", "the metric name", "a string", name);
  }
  let text = field(name, "the metric name", name);
  if (options == null) return text + "\0\0";
  if (typeof options !== "object" || Array.isArray(options)) {
    throw mustBe(name, "options", "an object", options);
  }
  for (const key of Object.keys(options)) {
    if (!OPTIONS.includes(key) && !(histogram && key === "bounds")) {
      throw fail(name, `unknown option "${key}"`);
    }
  }
  for (const key of ["help", "unit"]) {
    const v = options[key];
    if (v === undefined) {
      text += "\0";
    } else if (typeof v === "string") {
      text += field(name, `option "${key}"`, v);
    } else {
      throw mustBe(name, `option "${key}"`, "a string", v);
    }
  }
  const labels = options.labelNames;
  if (labels !== undefined) {
    if (!Array.isArray(labels)) {
      throw mustBe(name, 'option "labelNames"', "an array of strings", labels);
    }
    for (const label of labels) {
      if (typeof label !== "string") {
        throw mustBe(name, "a label name", "a string", label);
      }
      text += field(name, "a label name", label);
    }
  }
  const bounds = options.bounds;
  if (histogram && bounds !== undefined) {
    if (!Array.isArray(bounds)) {
      throw mustBe(name, 'option "bounds"', "an array of numbers", bounds);
    }
    // Read once: read again, a getter could answer differently, or throw.
    const values = [];
    for (const b of bounds) {
      if (typeof b !== "number") throw mustBe(name, "a bound", "a number", b);
      values.push(b);
    }
    definedBounds = new Float64Array(values);
  }
  return text;
}

/** The bounds the last `definition` read and checked, handed over once;
 * undefined for a histogram without `bounds`. */
export function takeBounds() {
  const b = definedBounds;
  definedBounds = undefined;
  return b;
}

/** `[name, ...labelNames]` from a definition: what a recording needs to
 * name its labels and its errors, with the memory of the module that
 * defined it (`memory`), which its label values are written into. The
 * memory goes with each metric, not with this module: two copies of the
 * glue, each with its own module instance, share this module when their
 * imports of it resolve alike (the glue loaded under two URLs). */
export function metricLabels(definition, memory) {
  const fields = definition.split("\0");
  const metric = [fields[1], ...fields.slice(4)];
  metric.memory = memory;
  return metric;
}

/** The metric name of `metricLabels`' array. */
export function metricName(metric) {
  return metric[0];
}

/** The label names of `metricLabels`' array. */
export function labelNames(metric) {
  return metric.slice(1);
}

const utf8 = new TextEncoder();

/** Writes one label value, `\0` then its UTF-8 text, into wasm memory from
 * `pos` up to `end`: the position after it, or -1 once the values do not
 * fit (the values after that are still checked). Numbers and booleans are
 * written as JS prints them. ASCII is copied a unit at a time: for short
 * texts that is several times faster than `TextEncoder.encodeInto`, which
 * takes the rest of a text from its first non-ASCII unit. */
function put(memory, pos, end, metric, label, v) {
  let text;
  switch (typeof v) {
    case "string":
      // The message is built only on failure: this is the hot path.
      if (v.includes("\0")) throw nulError(metric, `label "${label}"`);
      text = v;
      break;
    case "number":
      if (!Number.isFinite(v)) throw fail(metric, `label "${label}" is NaN or infinite`);
      text = "" + v;
      break;
    case "boolean":
      text = v ? "true" : "false";
      break;
    default:
      throw mustBe(metric, `label "${label}"`, "a string, number or boolean", v);
  }
  // UTF-8 takes at least one byte per UTF-16 unit, so this never refuses
  // a text that would fit.
  if (pos < 0 || pos + 1 + text.length > end) return -1;
  // Taken only now: reading `v` may have run the caller's code (a getter,
  // a Proxy), which may have grown the memory.
  const out = memoryBytes(memory);
  out[pos++] = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) {
      const rest = text.slice(i);
      const { read, written } = utf8.encodeInto(rest, out.subarray(pos, end));
      return read === rest.length ? pos + written : -1;
    }
    out[pos++] = c;
  }
  return pos;
}

/** The memory `bytes` views. */
let viewed;
/** A view of all of it, made again only when the memory grew (growing
 * detaches the old buffer, and a view of a detached buffer has length 0,
 * cheaper to read than `memory.buffer`, a getter) or for another memory.
 * A view per call measured 7-10 % of a labelled recording. */
let bytes = new Uint8Array(0);

/** A view of `memory`. Writes through a stale view are dropped without an
 * error, so every write takes the view after the last call out to code
 * that might have grown it. */
function memoryBytes(memory) {
  if (bytes.length === 0 || viewed !== memory) {
    viewed = memory;
    bytes = new Uint8Array(memory.buffer);
  }
  return bytes;
}

/** Label values from an array (label-name order) or an object (keyed by
 * label name; each name present, no other keys) as `\0`-prefixed fields,
 * UTF-8 in the `len` bytes of wasm memory at `start`; none from null or
 * undefined.
 * Returns the length written, -1 when they do not fit, or -2 for bad
 * labels, whose Error `takeError` then hands over. Nothing is thrown: a
 * caught import would wrap every call in the glue's exception handler,
 * which measured ~10 % of a labelled recording.
 * An array of the wrong length becomes that many empty fields (at most
 * 255, as many as an error can count), so that the registry reports the
 * count before any value is read. */
export function labelValues(metric, labels, start, len) {
  try {
    const end = writeLabels(metric, labels, start, start + len);
    return end < 0 ? end : end - start;
  } catch (e) {
    failed = e;
    return -2;
  }
}

/** The Error of the last `labelValues` call that returned -2. */
let failed;

export function takeError() {
  const e = failed;
  failed = undefined;
  return e;
}

function writeLabels(metric, labels, start, end) {
  if (labels == null) return start;
  const name = metric[0];
  const memory = metric.memory;
  const n = metric.length - 1;
  let pos = start;
  if (Array.isArray(labels)) {
    if (labels.length !== n) {
      const count = Math.min(labels.length, 255);
      memoryBytes(memory).fill(0, start, start + count);
      return start + count;
    }
    for (let i = 0; i < n; i++) pos = put(memory, pos, end, name, metric[i + 1], labels[i]);
    return pos;
  }
  if (typeof labels !== "object") {
    throw mustBe(name, "labels", "an object, an array or undefined", labels);
  }
  for (let i = 0; i < n; i++) {
    const label = metric[i + 1];
    // Own keys only: "constructor" must not find Object's.
    const v = Object.hasOwn(labels, label) ? labels[label] : undefined;
    if (v === undefined) throw fail(name, `label "${label}" has no value`);
    pos = put(memory, pos, end, name, label, v);
  }
  // Every label name was found among the own keys, so any more is one
  // that is not a label name. (`Object.keys` measured faster than a
  // `for...in` over own keys.)
  const keys = Object.keys(labels);
  if (keys.length > n) {
    const unknown = keys.find((k) => !metric.includes(k, 1));
    throw fail(name, `"${unknown}" is not a label name of this metric`);
  }
  return pos;
}

/** `v` if it is a finite number, else NaN: one crossing for the common
 * case (`Number.isFinite` never coerces). */
export function finiteNumber(v) {
  return Number.isFinite(v) ? v : NaN;
}

/** The Error for a value that is not a number. */
export function valueError(metric, v) {
  return mustBe(metric, "the value", "a number", v);
}

/** An `Accept` header: a string, or null/undefined for none. */
export function acceptHeader(accept) {
  if (accept == null) return undefined;
  if (typeof accept !== "string") {
    throw mustBe("scrapeFor", "the Accept header", "a string", accept);
  }
  return accept;
}

/** What `scrapeFor` returns. */
export function scrapeResult(contentType, body) {
  return { contentType, body };
}
