// Every JS example in the package's documentation, run against the built
// package (`wasm/build.sh` first): the JSDoc of the shipped `.d.ts` (from
// the Rust doc comments), the npm README, the crate docs and the READMEs
// that show the JS API. Rust's doc examples run under `cargo test --doc`;
// these are their JS counterpart, so a renamed method or a wrong output in
// a comment fails here instead of in a user's editor.
//
// Conventions the examples follow, and this runner relies on:
// - the names an example uses without creating them are the ones the
//   `Registry` examples create (`CONTEXT` below), so one-line examples stay
//   one line;
// - `expr; // <JS literal>` states what `expr` is: it is checked;
// - an example that imports the package or its `.wasm` is run as a module
//   with the imports pointed at the built package; one that exports a
//   Workers-style `{ fetch }` handler is sent a request and a scrape.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, "..", "..");
const pkg = path.join(root, "wasm", "pkg");
const api = pathToFileURL(path.join(pkg, "otel_prom_wasm.js")).href;
const wasmFile = path.join(pkg, "otel_prom_wasm_bg.wasm");

if (!existsSync(wasmFile)) {
  throw new Error(`${wasmFile} is missing: run wasm/build.sh first`);
}

// The documents, relative to the repository root.
const SOURCES = [
  "wasm/pkg/otel_prom_wasm.d.ts",
  "wasm/npm/README.md",
  "wasm/src/lib.rs",
  "README.md",
  "examples/edge-worker/README.md",
];

// What an example may use without creating it, in dependency order: a
// name's definition is added when the example mentions the name and does
// not declare it itself. They match the `Registry` examples.
const CONTEXT = [
  ["module", "const module = __module;"],
  ["Registry", "const { Registry } = __pkg;"],
  ["metrics", "const metrics = new Registry();"],
  [
    "request",
    'const request = new Request("http://localhost/metrics", { headers: { accept: "application/openmetrics-text; version=1.0.0" } });',
  ],
  [
    "requests",
    'const requests = metrics.counter("http.requests", { help: "Requests answered.", unit: "{request}", labelNames: ["route", "status"] });',
  ],
  ["active", 'const active = metrics.upDownCounter("http.active_requests", { labelNames: ["route"] });'],
  ["fill", 'const fill = metrics.gauge("queue.fill", { unit: "1", labelNames: ["queue"] });'],
  [
    "latency",
    'const latency = metrics.histogram("http.duration", { unit: "s", labelNames: ["route"], bounds: [0.01, 0.1, 1] });',
  ],
];
const NEEDS = { requests: ["metrics"], active: ["metrics"], fill: ["metrics"], latency: ["metrics"], metrics: ["Registry"] };

/** The ```js blocks of a Markdown file, a Rust file's doc comments or a
 * `.d.ts`'s JSDoc, each with the line its fence opens on. */
function jsBlocks(text) {
  const blocks = [];
  let open = null;
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/^\s*(\/\/[\/!] ?|\* ?)/, "");
    if (open === null && /^```js\s*$/.test(line)) {
      open = { line: i + 1, code: [] };
    } else if (open !== null && /^```\s*$/.test(line)) {
      blocks.push({ line: open.line, code: open.code.join("\n") });
      open = null;
    } else if (open !== null) {
      open.code.push(line);
    }
  });
  assert.equal(open, null, "a ```js block is not closed");
  return blocks;
}

const mentions = (code, name) => new RegExp(`(^|[^\\w.$])${name}\\b`).test(code);
const declares = (code, name) =>
  new RegExp(`\\b(const|let|var|function|class)\\s+${name}\\b|\\bimport\\b[^;]*\\b${name}\\b[^;]*\\bfrom\\b`).test(
    code,
  );

/** The definitions an example needs from `CONTEXT`. */
function context(code) {
  const wanted = new Set(CONTEXT.map(([name]) => name).filter((n) => mentions(code, n) && !declares(code, n)));
  for (const [name] of [...CONTEXT].reverse()) {
    if (wanted.has(name)) for (const n of NEEDS[name] ?? []) if (!declares(code, n)) wanted.add(n);
  }
  return CONTEXT.filter(([name]) => wanted.has(name)).map(([, definition]) => definition);
}

/** `expr; // <literal>` becomes a check that `expr` equals the literal. */
function withChecks(code) {
  return code
    .split("\n")
    .map((line) => {
      const m = /^(\s*)(.+?);\s*\/\/\s*((["'[{]|-?\d|true\b|false\b|null\b).*)$/.exec(line);
      return m ? `${m[1]}__expect(${m[2]}, ${m[3]}, ${JSON.stringify(line.trim())});` : line;
    })
    .join("\n");
}

const IMPORT = /^\s*import\s+(.+?)\s+from\s+["']([^"']+)["'];?\s*(\/\/.*)?$/;
const isModule = (code) => code.split("\n").some((l) => IMPORT.test(l) || /^\s*export\s/.test(l));

/** The example as a module of its own. */
function moduleText(code) {
  const imports = [];
  const body = [];
  for (const line of code.split("\n")) {
    const m = IMPORT.exec(line);
    if (!m) {
      body.push(line);
    } else if (m[2] === "otel-prom-wasm") {
      imports.push(`import ${m[1]} from ${JSON.stringify(api)};`);
    } else if (m[2] === "otel-prom-wasm/otel_prom_wasm_bg.wasm") {
      // What a bundler or workerd hands over for a `.wasm` import.
      body.unshift(`const ${m[1]} = __module;`);
    } else {
      throw new Error(`an example imports ${m[2]}, which this runner does not provide`);
    }
  }
  const defined = context(code).join("\n");
  const example = withChecks(body.join("\n"));
  const prelude = [
    `import { readFileSync } from "node:fs";`,
    `import { isDeepStrictEqual } from "node:util";`,
    `import * as __pkg from ${JSON.stringify(api)};`,
    // Examples print; the test's output stays the test's.
    `const console = { log() {}, warn() {}, error() {}, info() {} };`,
    `function __expect(actual, expected, line) {`,
    `  if (!isDeepStrictEqual(actual, expected)) throw new Error(line + ": got " + JSON.stringify(actual));`,
    `}`,
    // Instantiated once per process: later calls return the first instance.
    `const __module = new WebAssembly.Module(readFileSync(${JSON.stringify(wasmFile)}));`,
    `__pkg.initSync({ module: __module });`,
    ...imports,
  ];
  if (isModule(code)) {
    return [...prelude, defined, example].join("\n");
  }
  // A fragment may `return` (a worker's handler body): run it as a function.
  return [...prelude, `export default async function example() {`, defined, example, `}`].join("\n");
}

const dir = mkdtempSync(path.join(tmpdir(), "otel-prom-doc-examples-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

let count = 0;
for (const source of SOURCES) {
  const blocks = jsBlocks(readFileSync(path.join(root, source), "utf8"));
  test(`${source} has JS examples`, () => assert.ok(blocks.length > 0));
  for (const { line, code } of blocks) {
    const name = `${source}:${line}`;
    const file = path.join(dir, `example-${count++}.mjs`);
    test(`example at ${name}`, async () => {
      writeFileSync(file, moduleText(code));
      let loaded;
      try {
        loaded = await import(pathToFileURL(file).href);
      } catch (e) {
        e.message = `${name}: ${e.message}\n--- as run:\n${readFileSync(file, "utf8")}`;
        throw e;
      }
      const run = loaded.default;
      if (typeof run === "function") {
        const answer = await run();
        if (answer !== undefined) assert.ok(answer instanceof Response, `${name} returns ${answer}`);
      } else if (run && typeof run.fetch === "function") {
        // A worker: one request, then a scrape that must count it.
        const home = await run.fetch(new Request("http://localhost/"), {}, {});
        assert.equal(home.status, 200, `${name}: GET /`);
        const scrape = await run.fetch(
          new Request("http://localhost/metrics", {
            headers: { accept: "application/openmetrics-text; version=1.0.0" },
          }),
          {},
          {},
        );
        assert.equal(scrape.status, 200);
        assert.match(scrape.headers.get("content-type"), /^application\/openmetrics-text; version=1\.0\.0/);
        const body = await scrape.text();
        assert.match(body, /_total\{[^}]*route="\/"[^}]*\} 1\n/, `${name}: the request is not counted:\n${body}`);
        assert.ok(body.endsWith("# EOF\n"), body);
      }
    });
  }
}

test("the runner checks what a comment states", async () => {
  const file = path.join(dir, "wrong-comment.mjs");
  writeFileSync(file, moduleText('requests.name; // "something else"'));
  const { default: run } = await import(pathToFileURL(file).href);
  await assert.rejects(run(), /requests\.name; \/\/ "something else": got "http\.requests"/);
});
