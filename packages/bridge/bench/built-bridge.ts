/**
 * The built bridge (dist/main.js) as a child process on a free loopback port, for the benchmarks that measure it as
 * deployed: started, waited for until /healthz answers, stopped with SIGTERM.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));
export const BENCH_TOKEN = "bench-bridge-token-0123456789abcdef";

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

export interface BuiltBridge {
  url: string;
  child: ChildProcess;
  stop(): void;
}

/** Starts dist/main.js with the bench token and `env` added, and resolves once /healthz answers. */
export async function startBuiltBridge(env: Record<string, string> = {}): Promise<BuiltBridge> {
  if (!existsSync(MAIN)) throw new Error("build the bridge first: npx turbo run build --filter=@sreda/bridge");
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, SREDA_TOKEN: BENCH_TOKEN, SREDA_PORT: String(port), SREDA_HOST: "127.0.0.1", SREDA_LOG_LEVEL: "info", SREDA_JOURNAL: "", ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = () => void child.kill("SIGTERM");
  for (let i = 0; ; i++) {
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { url, child, stop };
    if (i > 100) {
      stop();
      throw new Error("the bridge did not start");
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
