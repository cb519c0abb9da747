/**
 * Runs the container of a rendered Kubernetes Job locally, the way the kubelet would start it: the container's
 * `command` + `args` as an argv (no shell of ours in between, so no value is ever interpolated by us), with the
 * container's environment built from its `env` list — plain `value`s and `valueFrom.secretKeyRef` lookups into
 * the rendered Secret(s). A reference to a Secret or key that is not there is an error, never an empty string.
 */
import { spawn } from "node:child_process";
import os from "node:os";

type Json = Record<string, unknown>;

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    [other: string]: unknown;
  };
}

export interface JobContainer {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  envFrom?: unknown[];
}

/** A rendered Secret manifest (`stringData` and/or base64 `data`), or just its `stringData`. */
export type SecretSource = Json | Record<string, string>;

export interface RunJobOptions {
  /** The rendered Secret(s) the Job's `secretKeyRef`s point into. */
  secrets?: SecretSource | SecretSource[];
  /** Directories put in front of PATH (stand-ins, a specific PostgreSQL's bin directory). */
  pathPrefix?: string[];
  /** Extra variables for the process; they override the container's own. */
  extraEnv?: Record<string, string>;
  /** Which container, when the Job has more than one. */
  container?: string;
  /** Default 60 s; on expiry the whole process group is killed and `timedOut` is set. */
  timeoutMs?: number;
  cwd?: string;
}

export interface JobRunResult {
  /** The exit code, or null when the process was killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** The argv that was started. */
  argv: string[];
  /** The environment the container's `env` produced (before PATH/HOME and `extraEnv`). */
  containerEnv: Record<string, string>;
}

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The (only, or named) container of a rendered Job manifest. */
export function jobContainer(job: unknown, name?: string): JobContainer {
  if (!isRecord(job) || job["kind"] !== "Job") throw new Error(`expected a rendered Job manifest, got kind ${String(isRecord(job) ? job["kind"] : job)}`);
  const spec = (job["spec"] as Json | undefined)?.["template"] as Json | undefined;
  const containers = (spec?.["spec"] as Json | undefined)?.["containers"];
  if (!Array.isArray(containers) || containers.length === 0) throw new Error("the Job has no spec.template.spec.containers");
  if (name === undefined) {
    if (containers.length !== 1) throw new Error(`the Job has ${containers.length} containers; name the one to run`);
    return containers[0] as JobContainer;
  }
  const found = (containers as JobContainer[]).find((c) => c.name === name);
  if (!found) throw new Error(`the Job has no container ${name}`);
  return found;
}

interface NamedSecret {
  name: string | undefined;
  values: Record<string, string>;
}

function normalizeSecret(source: SecretSource): NamedSecret {
  if (!isRecord(source)) throw new Error("a secret must be a Secret manifest or a stringData object");
  const looksLikeManifest = source["kind"] === "Secret" || "stringData" in source || "data" in source;
  if (!looksLikeManifest) {
    for (const [key, value] of Object.entries(source)) {
      if (typeof value !== "string") throw new Error(`secret key ${key} is not a string`);
    }
    return { name: undefined, values: { ...(source as Record<string, string>) } };
  }
  const values: Record<string, string> = {};
  const data = source["data"];
  if (isRecord(data)) {
    for (const [key, value] of Object.entries(data)) {
      if (typeof value !== "string") throw new Error(`secret data.${key} is not a string`);
      values[key] = Buffer.from(value, "base64").toString("utf8");
    }
  }
  const stringData = source["stringData"];
  if (isRecord(stringData)) {
    // As in Kubernetes, stringData wins over data for the same key.
    for (const [key, value] of Object.entries(stringData)) {
      if (typeof value !== "string") throw new Error(`secret stringData.${key} is not a string`);
      values[key] = value;
    }
  }
  const metadata = source["metadata"];
  const name = isRecord(metadata) && typeof metadata["name"] === "string" ? metadata["name"] : undefined;
  return { name, values };
}

/**
 * The container's environment from its `env` list. Secret manifests are matched by `metadata.name`; a bare
 * stringData object matches any name. A missing secret or key throws unless the reference is `optional`.
 */
export function buildContainerEnv(container: JobContainer, secrets: SecretSource | SecretSource[] = []): Record<string, string> {
  if (container.envFrom && container.envFrom.length > 0) throw new Error(`container ${container.name}: envFrom is not supported by this helper`);
  const pool = (Array.isArray(secrets) ? secrets : [secrets]).map(normalizeSecret);
  const env: Record<string, string> = {};
  for (const variable of container.env ?? []) {
    if (typeof variable.name !== "string" || variable.name === "") throw new Error(`container ${container.name}: an env entry has no name`);
    if (variable.value !== undefined && variable.valueFrom !== undefined) {
      throw new Error(`env ${variable.name}: both value and valueFrom`);
    }
    if (variable.valueFrom === undefined) {
      if (variable.value !== undefined && typeof variable.value !== "string") throw new Error(`env ${variable.name}: value is not a string`);
      env[variable.name] = variable.value ?? "";
      continue;
    }
    const ref = variable.valueFrom.secretKeyRef;
    const kinds = Object.keys(variable.valueFrom);
    if (!ref || kinds.length !== 1) throw new Error(`env ${variable.name}: only valueFrom.secretKeyRef is supported, got ${kinds.join(", ")}`);
    const secret = pool.find((s) => s.name === ref.name) ?? pool.find((s) => s.name === undefined);
    if (!secret) {
      if (ref.optional) continue;
      const known = pool.map((s) => s.name ?? "<stringData>").join(", ") || "none";
      throw new Error(`env ${variable.name}: secret ${ref.name} is not among the given secrets (${known})`);
    }
    if (!Object.hasOwn(secret.values, ref.key)) {
      if (ref.optional) continue;
      throw new Error(`env ${variable.name}: secret ${ref.name} has no key ${ref.key} (keys: ${Object.keys(secret.values).join(", ")})`);
    }
    env[variable.name] = secret.values[ref.key]!;
  }
  return env;
}

/**
 * Starts the Job's container command locally and waits for it. The process sees only the container's
 * environment plus PATH (prefix + ours), HOME and LANG — nothing else of this machine's environment (no stray
 * PGPASSWORD or CLICKHOUSE_* from the developer's shell) — and then `extraEnv`.
 */
export function runJobScript(job: unknown, options: RunJobOptions = {}): Promise<JobRunResult> {
  const container = jobContainer(job, options.container);
  const argv = [...(container.command ?? []), ...(container.args ?? [])];
  if (argv.length === 0) throw new Error(`container ${container.name} has no command: the image's entrypoint cannot be run here`);
  const containerEnv = buildContainerEnv(container, options.secrets);
  const path = [...(options.pathPrefix ?? []), process.env["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"].join(":");
  const env: Record<string, string> = { HOME: os.tmpdir(), LANG: "C.UTF-8", PATH: path, ...containerEnv, ...options.extraEnv };
  const timeoutMs = options.timeoutMs ?? 60_000;

  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      env,
      cwd: options.cwd ?? os.tmpdir(),
      stdio: ["ignore", "pipe", "pipe"],
      // Its own process group, so a timeout also kills what the script started (psql, clickhouse-client).
      detached: true,
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    }, timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
        timedOut,
        argv,
        containerEnv,
      });
    });
  });
}
