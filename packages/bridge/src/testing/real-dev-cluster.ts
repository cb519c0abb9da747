/**
 * The real control plane of tools/real-cluster as `npm start`'s development cluster (SREDA_DEV_CLUSTER=real): read
 * from its documented state file, never imported — the bridge does not depend on the tools package. It must be
 * running (`npm run real-cluster:start`); the bridge trusts its CA for its URL only.
 */
import { existsSync, readFileSync } from "node:fs";
import { request } from "node:https";
import { homedir } from "node:os";
import { join } from "node:path";
import type { DevCluster } from "../cli.js";

interface RealClusterStateFile {
  status: string;
  apiserverUrl: string;
  caFile: string;
  tokens: { sredaEdit: string };
  namespaces: string[];
}

/** Where tools/real-cluster keeps its state (the same rules as its scripts). */
function realClusterStateFile(env: Record<string, string | undefined> = process.env): string {
  const home = env["SREDA_REAL_CLUSTER_HOME"] ?? join(env["XDG_CACHE_HOME"] ?? join(homedir(), ".cache"), "sreda", "real-cluster");
  return join(env["SREDA_REAL_CLUSTER_STATE"] ?? join(home, "state"), "state.json");
}

/** Whether a real control plane has been built or started here (to offer it in the banner). */
export function realClusterAvailable(env: Record<string, string | undefined> = process.env): boolean {
  const home = env["SREDA_REAL_CLUSTER_HOME"] ?? join(env["XDG_CACHE_HOME"] ?? join(homedir(), ".cache"), "sreda", "real-cluster");
  return existsSync(realClusterStateFile(env)) || existsSync(home);
}

export async function useRealDevCluster(env: Record<string, string | undefined> = process.env): Promise<DevCluster> {
  const file = realClusterStateFile(env);
  if (!existsSync(file)) throw new Error(`настоящий кластер не запущен (нет ${file}): npm run real-cluster:build && npm run real-cluster:start`);
  const state = JSON.parse(readFileSync(file, "utf8")) as RealClusterStateFile;
  const caCert = readFileSync(state.caFile, "utf8");
  if (state.status !== "running" || !(await ready(state.apiserverUrl, caCert))) {
    throw new Error(`настоящий кластер ${state.apiserverUrl} не отвечает: npm run real-cluster:start`);
  }
  return {
    url: state.apiserverUrl,
    token: state.tokens.sredaEdit,
    namespaces: state.namespaces,
    caCert,
    kind: "real",
    close: async () => {}, // started and stopped by its own scripts
  };
}

function ready(url: string, ca: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(new URL("/readyz", url), { ca, timeout: 3_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("error", () => resolve(false));
    req.on("timeout", () => req.destroy());
    req.end();
  });
}
