// What the node-side tests share: where things are, the third-party tools
// they need, and the worker served by the real workerd runtime.
import { spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
export const example = path.join(here, "..");
export const root = path.join(example, "..", "..");
const inCi = ["true", "1"].includes(process.env.CI ?? "");

/** The first of `candidates` that runs with `--version`. A tool that is
 * missing fails the run under CI and is `undefined` elsewhere (the test
 * that needs it skips, saying so). */
export function tool(name, candidates) {
  const found = candidates.find((c) => c && spawnSync(c, ["--version"]).status === 0);
  if (!found && inCi) {
    throw new Error(`${name} is required under CI=true but is missing`);
  }
  return found;
}

/** A port on 127.0.0.1 that was free a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Polls `probe` every 100 ms until it resolves, or throws what it last
 * threw once `ms` have passed. */
export async function retryFor(ms, probe) {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await probe();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** The worker served by `workerd serve` on a free port, once it answers
 * (one request to "/"): `{ workerd, base }`; kill `workerd` when done. */
export async function serveWorker() {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const workerd = spawn(
    path.join(example, "node_modules", ".bin", "workerd"),
    ["serve", "config.capnp", "--socket-addr", `http=127.0.0.1:${port}`],
    { cwd: example, stdio: ["ignore", "inherit", "inherit"] },
  );
  try {
    await retryFor(20_000, () => fetch(`${base}/`));
  } catch (e) {
    workerd.kill();
    throw new Error(`workerd did not start: ${e.message}`);
  }
  return { workerd, base };
}
