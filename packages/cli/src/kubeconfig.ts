/**
 * Which cluster, and with which credentials — as kubectl works it out. The kubeconfig is read by
 * `@kubernetes/client-node`'s `KubeConfig` (the format, `exec` credential plugins, auth providers, token files, client
 * certificates and keys as data or files), after the relative paths in it are resolved as kubectl resolves them: `--kubeconfig`, else the files of $KUBECONFIG (merged, the first to name
 * a cluster, user, context or current-context wins), else ~/.kube/config. Its context (`--context`, else
 * current-context) gives the server, the CA and the credentials; the flags override each one (`--server`, `--token`,
 * `--certificate-authority`, `--client-certificate`/`--client-key`, `--insecure-skip-tls-verify`). Without a
 * kubeconfig the input file's environment.apiRootUrl is the server and the flags are the credentials.
 *
 * Nothing here is printed: the target carries credentials, and only `origin` and `apiRootUrl` are shown.
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, isAbsolute, join, resolve } from "node:path";
import type { RequestOptions } from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import { load as loadYaml } from "js-yaml";
import { PreflightError, UsageError } from "./exit-codes.js";

/** The connection flags (kubectl's global options). */
export interface ConnectionFlags {
  kubeconfig?: string | undefined;
  context?: string | undefined;
  server?: string | undefined;
  token?: string | undefined;
  certificateAuthority?: string | undefined;
  clientCertificate?: string | undefined;
  clientKey?: string | undefined;
  insecureSkipTlsVerify?: boolean | undefined;
}

/** Where the cluster is and how to authenticate: what `createKubeClient` takes. */
export interface ClusterTarget {
  apiRootUrl: string;
  token?: string;
  caCert?: string;
  clientCert?: string;
  clientKey?: string;
  insecureSkipTlsVerify: boolean;
  /** The context's namespace, when it names one. */
  namespace?: string;
  /** For people: `context "dev"`, `--server`, `the input's environment.apiRootUrl`. */
  origin: string;
}

interface ResolveOptions {
  env: Readonly<Record<string, string | undefined>>;
  /** Relative paths of flags and of $KUBECONFIG are resolved from here. */
  cwd: string;
  /** The input file's environment.apiRootUrl: the server when there is no kubeconfig. */
  fallbackServer?: string | undefined;
}

/** The kubeconfig files to read, in order; none when there is no kubeconfig. */
function kubeconfigFiles(flags: ConnectionFlags, options: ResolveOptions): string[] {
  const { env, cwd } = options;
  if (flags.kubeconfig !== undefined) {
    const file = resolve(cwd, flags.kubeconfig);
    if (!existsSync(file)) throw new UsageError(`--kubeconfig ${flags.kubeconfig}: no such file`);
    return [file];
  }
  const list = env["KUBECONFIG"];
  // As kubectl: files of $KUBECONFIG that do not exist are skipped.
  if (list)
    return list
      .split(delimiter)
      .filter((f) => f !== "")
      .map((f) => resolve(cwd, f))
      .filter((f) => existsSync(f));
  const home = env["HOME"] || env["USERPROFILE"] || homedir();
  const file = join(home, ".kube", "config");
  return existsSync(file) ? [file] : [];
}

type KubeConfigClass = typeof KubeConfig;

/** client-node, loaded only when a kubeconfig is used (`sreda plan` and `--help` do without it). */
async function kubeConfigClass(): Promise<KubeConfigClass> {
  try {
    return ((await import("@kubernetes/client-node")) as { KubeConfig: KubeConfigClass }).KubeConfig;
  } catch (error) {
    // Its HTTP client (undici 8) needs Node >= 22.19 and fails to load on older ones with an obscure TypeError.
    throw new Error(
      `cannot load @kubernetes/client-node to read the kubeconfig on Node ${process.version} (it needs Node >= 22.19): ${(error as Error).message}`,
    );
  }
}

type Entries = { [key: string]: unknown }[] | undefined;

/** Each entry's `field` object (`users[].user`), for the fields to resolve in place. */
function* sections(entries: Entries, field: string): Generator<Record<string, unknown>> {
  for (const entry of Array.isArray(entries) ? entries : []) {
    const section = entry?.[field];
    if (section !== null && typeof section === "object") yield section as Record<string, unknown>;
  }
}

/**
 * One kubeconfig file as kubectl reads it, handed to client-node as JSON: relative paths resolved against the file's
 * folder (certificate-authority, client-certificate, client-key, tokenFile, and an exec command with a slash in it —
 * client-go's ResolveLocalPaths), and kubectl's `tokenFile` given as the `token-file` client-node reads.
 */
function kubeconfigText(file: string): string {
  let doc: unknown;
  try {
    doc = loadYaml(readFileSync(file, "utf8")) ?? {};
  } catch (error) {
    throw new UsageError(`kubeconfig ${file}: ${(error as Error).message}`);
  }
  if (typeof doc !== "object" || Array.isArray(doc)) throw new UsageError(`kubeconfig ${file}: not a kubeconfig (a YAML mapping)`);
  const config = doc as Record<string, Entries>;
  const dir = dirname(file);
  const absolute = (section: Record<string, unknown>, key: string) => {
    const value = section[key];
    if (typeof value === "string" && value !== "" && !isAbsolute(value)) section[key] = resolve(dir, value);
  };
  for (const cluster of sections(config["clusters"], "cluster")) absolute(cluster, "certificate-authority");
  for (const user of sections(config["users"], "user")) {
    for (const key of ["client-certificate", "client-key", "tokenFile", "token-file"]) absolute(user, key);
    if (typeof user["tokenFile"] === "string" && user["token-file"] === undefined) user["token-file"] = user["tokenFile"];
    const exec = user["exec"] as { command?: unknown } | undefined;
    if (typeof exec?.command === "string" && /[\\/]/.test(exec.command) && !isAbsolute(exec.command)) exec.command = resolve(dir, exec.command);
  }
  return JSON.stringify(config);
}

/** The files read and merged; the first file to name something wins, as in kubectl. */
async function loadKubeConfig(files: readonly string[]): Promise<KubeConfig> {
  const KubeConfigCtor = await kubeConfigClass();
  const load = (file: string): KubeConfig => {
    const kc = new KubeConfigCtor();
    const text = kubeconfigText(file);
    try {
      kc.loadFromString(text);
    } catch (error) {
      throw new UsageError(`kubeconfig ${file}: ${(error as Error).message}`);
    }
    return kc;
  };
  const merged = load(files[0]!);
  for (const file of files.slice(1)) {
    const next = load(file);
    const absent = <T extends { name: string }>(mine: readonly T[], theirs: readonly T[]) => theirs.filter((t) => !mine.some((m) => m.name === t.name));
    const rest = new KubeConfigCtor();
    rest.loadFromOptions({
      clusters: absent(merged.getClusters(), next.getClusters()),
      users: absent(merged.getUsers(), next.getUsers()),
      contexts: absent(merged.getContexts(), next.getContexts()),
      currentContext: next.getCurrentContext(),
    });
    merged.mergeConfig(rest, Boolean(merged.getCurrentContext()));
  }
  return merged;
}

/**
 * The kubeconfig as `applyToHTTPSOptions` needs it to hand out the credentials: client-node also builds an agent
 * there (which we do not use), and refuses a plain-http server for it unless TLS verification is off — kubectl talks
 * http (`kubectl --server http://127.0.0.1:8001`), and so do we: for that one call the server is written https.
 */
function credentialsView(kc: KubeConfig): KubeConfig {
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server.startsWith("http:")) return kc;
  const view = new (kc.constructor as KubeConfigClass)();
  view.loadFromOptions({
    clusters: kc.getClusters().map((c) => (c === cluster ? { ...c, server: `https:${c.server.slice("http:".length)}` } : c)),
    users: kc.getUsers(),
    contexts: kc.getContexts(),
    currentContext: kc.getCurrentContext(),
  });
  return view;
}

const asText = (value: unknown): string | undefined => (typeof value === "string" ? value : Buffer.isBuffer(value) ? value.toString("utf8") : undefined);

/** What the kubeconfig's context says; undefined when it has no current context and `--server` is given. */
async function fromKubeconfig(files: readonly string[], flags: ConnectionFlags): Promise<(Omit<ClusterTarget, "origin"> & { context: string }) | undefined> {
  const kc = await loadKubeConfig(files);
  const shown = files.length === 1 ? files[0] : `$KUBECONFIG (${files.join(delimiter)})`;
  const name = flags.context ?? kc.getCurrentContext();
  const context = name ? kc.getContextObject(name) : null;
  if (flags.context !== undefined && !context) throw new UsageError(`context "${flags.context}" not found in ${shown}`);
  if (!name || !context) {
    if (flags.server !== undefined) return undefined;
    const names = kc.getContexts().map((c) => c.name);
    throw new UsageError(`${shown} has no current-context: use --context NAME${names.length > 0 ? ` (${names.join(", ")})` : ""} or --server URL`);
  }
  kc.setCurrentContext(name);
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new UsageError(`context "${name}" names cluster "${context.cluster}", which is not in ${shown}`);
  if (cluster.proxyUrl) throw new UsageError(`context "${name}": proxy-url is not supported by sreda (unset it, or reach the server directly)`);
  if (cluster.tlsServerName) throw new UsageError(`context "${name}": tls-server-name is not supported by sreda`);
  const user = kc.getCurrentUser();
  const opts: RequestOptions = {};
  try {
    await credentialsView(kc).applyToHTTPSOptions(opts);
  } catch (error) {
    const message = `getting credentials for context "${name}": ${(error as Error).message.trim() || "failed"}`;
    throw user?.exec || user?.authProvider ? new PreflightError(message) : new UsageError(message);
  }
  const headers = (opts.headers ?? {}) as Record<string, unknown>;
  if (opts.auth) throw new UsageError(`context "${name}": basic authentication (username/password) is not supported by sreda`);
  if (headers["Impersonate-User"] !== undefined) throw new UsageError(`context "${name}": impersonation (as) is not supported by sreda`);
  const authorization = asText(headers["Authorization"]);
  const token = authorization?.startsWith("Bearer ") ? authorization.slice("Bearer ".length).trim() : undefined;
  const caCert = asText(opts.ca);
  const clientCert = asText(opts.cert);
  const clientKey = asText(opts.key);
  return {
    context: name,
    apiRootUrl: cluster.server,
    ...(token ? { token } : {}),
    ...(caCert ? { caCert } : {}),
    ...(clientCert ? { clientCert } : {}),
    ...(clientKey ? { clientKey } : {}),
    insecureSkipTlsVerify: opts.rejectUnauthorized === false,
    ...(context.namespace ? { namespace: context.namespace } : {}),
  };
}

function readPem(flag: string, path: string, cwd: string): string {
  try {
    return readFileSync(resolve(cwd, path), "utf8");
  } catch (error) {
    throw new UsageError(`--${flag} ${path}: ${(error as { code?: string }).code === "ENOENT" ? "no such file" : (error as Error).message}`);
  }
}

/** The flags over what the kubeconfig said (or over nothing). */
function withFlags(base: (Omit<ClusterTarget, "origin"> & { context?: string }) | undefined, flags: ConnectionFlags, options: ResolveOptions): ClusterTarget {
  const { cwd } = options;
  const apiRootUrl = flags.server ?? base?.apiRootUrl ?? options.fallbackServer;
  if (apiRootUrl === undefined) {
    throw new UsageError("no cluster to talk to: use a kubeconfig (--kubeconfig, $KUBECONFIG, ~/.kube/config) or --server URL");
  }
  const origin = base?.context !== undefined ? `context "${base.context}"` : flags.server !== undefined ? "--server" : "the input's environment.apiRootUrl";
  const target: ClusterTarget = { apiRootUrl, insecureSkipTlsVerify: false, origin };
  const token = flags.token ?? base?.token;
  if (token !== undefined) target.token = token;
  // As kubectl: --insecure-skip-tls-verify drops the kubeconfig's CA, --certificate-authority turns verification back on.
  if (flags.certificateAuthority !== undefined) target.caCert = readPem("certificate-authority", flags.certificateAuthority, cwd);
  else if (flags.insecureSkipTlsVerify) target.insecureSkipTlsVerify = true;
  else if (base?.caCert !== undefined) target.caCert = base.caCert;
  else target.insecureSkipTlsVerify = base?.insecureSkipTlsVerify ?? false;
  const clientCert = flags.clientCertificate !== undefined ? readPem("client-certificate", flags.clientCertificate, cwd) : base?.clientCert;
  const clientKey = flags.clientKey !== undefined ? readPem("client-key", flags.clientKey, cwd) : base?.clientKey;
  if ((clientCert === undefined) !== (clientKey === undefined))
    throw new UsageError("a client certificate needs its key: give both --client-certificate and --client-key");
  if (clientCert !== undefined && clientKey !== undefined) Object.assign(target, { clientCert, clientKey });
  if (base?.namespace !== undefined) target.namespace = base.namespace;
  if (base === undefined && target.token === undefined && target.clientCert === undefined) {
    throw new UsageError(`no credentials for ${apiRootUrl}: use --token or --client-certificate/--client-key, or a kubeconfig`);
  }
  return target;
}

/** The cluster and credentials for this command line. */
export async function resolveClusterTarget(flags: ConnectionFlags, options: ResolveOptions): Promise<ClusterTarget> {
  const files = kubeconfigFiles(flags, options);
  if (files.length === 0 && flags.context !== undefined) throw new UsageError(`--context ${flags.context}: no kubeconfig found ($KUBECONFIG, ~/.kube/config)`);
  const base = files.length > 0 ? await fromKubeconfig(files, flags) : undefined;
  return withFlags(base, flags, options);
}
