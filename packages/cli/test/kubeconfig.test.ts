/**
 * The kubeconfig as kubectl reads it, through client-node's KubeConfig: contexts (current, --context), the context's
 * namespace, KUBECONFIG with several files, token files, exec credential plugins, client certificates and keys (data
 * and files), CAs, and the flags that override each part; and what is refused, with which exit code.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PreflightError, UsageError } from "../src/exit-codes.js";
import { resolveClusterTarget, type ConnectionFlags } from "../src/kubeconfig.js";

let dir: string;
const b64 = (text: string) => Buffer.from(text).toString("base64");
const CA = "-----BEGIN CERTIFICATE-----\nY2EtY2VydA==\n-----END CERTIFICATE-----\n";
const CERT = "-----BEGIN CERTIFICATE-----\nY2xpZW50LWNlcnQ=\n-----END CERTIFICATE-----\n";
const KEY = "-----BEGIN PRIVATE KEY-----\nY2xpZW50LWtleQ==\n-----END PRIVATE KEY-----\n";

function file(name: string, text: string): string {
  const path = join(dir, name);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, text);
  return path;
}

/** A kubeconfig with two contexts: `dev` (current, namespace lms-dev) and `prod` (namespace lms-prod). */
const TWO_CONTEXTS = `apiVersion: v1
kind: Config
clusters:
- name: dev
  cluster:
    server: https://dev.example:6443
    certificate-authority-data: ${b64(CA)}
- name: prod
  cluster:
    server: https://rancher.example/k8s/clusters/c-m4hlh
    insecure-skip-tls-verify: true
users:
- name: dev-user
  user:
    token: dev-token
- name: prod-user
  user:
    client-certificate-data: ${b64(CERT)}
    client-key-data: ${b64(KEY)}
contexts:
- name: dev
  context: {cluster: dev, user: dev-user, namespace: lms-dev}
- name: prod
  context: {cluster: prod, user: prod-user, namespace: lms-prod}
current-context: dev
`;

const resolveWith = (flags: ConnectionFlags, env: Record<string, string> = {}, fallbackServer?: string) =>
  resolveClusterTarget(flags, { env: { HOME: join(dir, "home"), ...env }, cwd: dir, fallbackServer });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "sreda-kubeconfig-"));
  file("two.yaml", TWO_CONTEXTS);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("contexts", () => {
  it("the current context: its server, CA, token and namespace", async () => {
    const target = await resolveWith({ kubeconfig: "two.yaml" });
    expect(target).toEqual({
      apiRootUrl: "https://dev.example:6443",
      token: "dev-token",
      caCert: CA,
      insecureSkipTlsVerify: false,
      namespace: "lms-dev",
      origin: 'context "dev"',
    });
  });

  it("--context: another context, with its client certificate and key (data) and its namespace", async () => {
    const target = await resolveWith({ kubeconfig: "two.yaml", context: "prod" });
    expect(target).toEqual({
      apiRootUrl: "https://rancher.example/k8s/clusters/c-m4hlh",
      clientCert: CERT,
      clientKey: KEY,
      insecureSkipTlsVerify: true,
      namespace: "lms-prod",
      origin: 'context "prod"',
    });
  });

  it("an unknown --context, and a kubeconfig without a current context, are usage errors", async () => {
    await expect(resolveWith({ kubeconfig: "two.yaml", context: "staging" })).rejects.toThrow(
      new UsageError('context "staging" not found in ' + join(dir, "two.yaml")),
    );
    file("no-current.yaml", TWO_CONTEXTS.replace("current-context: dev\n", ""));
    await expect(resolveWith({ kubeconfig: "no-current.yaml" })).rejects.toThrow(/has no current-context: use --context NAME \(dev, prod\) or --server URL/);
    await expect(resolveWith({ kubeconfig: "missing.yaml" })).rejects.toThrow(/--kubeconfig missing.yaml: no such file/);
  });

  it("~/.kube/config when there is no --kubeconfig and no KUBECONFIG", async () => {
    file("home/.kube/config", TWO_CONTEXTS);
    await expect(resolveWith({})).resolves.toMatchObject({ apiRootUrl: "https://dev.example:6443", token: "dev-token" });
    rmSync(join(dir, "home"), { recursive: true });
  });

  it("KUBECONFIG with several files: merged, the first to name something wins, missing files skipped", async () => {
    const first = file("merge/first.yaml", "apiVersion: v1\nkind: Config\ncurrent-context: prod\n");
    const second = file("merge/second.yaml", TWO_CONTEXTS);
    // Names the first file's context's cluster again, differently: ignored, as kubectl ignores it.
    const third = file(
      "merge/third.yaml",
      "apiVersion: v1\nkind: Config\nclusters:\n- name: prod\n  cluster: {server: https://other.example}\ncurrent-context: dev\n",
    );
    const env = { KUBECONFIG: [first, join(dir, "merge/none.yaml"), second, third].join(delimiter) };
    await expect(resolveWith({}, env)).resolves.toMatchObject({ apiRootUrl: "https://rancher.example/k8s/clusters/c-m4hlh", namespace: "lms-prod" });
  });
});

describe("credentials", () => {
  it("tokenFile (kubectl's field), relative to the kubeconfig's folder, its newline trimmed", async () => {
    file("tf/token", "file-token\n");
    file("tf/config.yaml", TWO_CONTEXTS.replace("    token: dev-token", "    tokenFile: token"));
    await expect(resolveWith({ kubeconfig: "tf/config.yaml" })).resolves.toMatchObject({ token: "file-token" });
  });

  it("an exec credential plugin (a node script) gives the token, with the env the kubeconfig sets", async () => {
    file(
      "exec/plugin.mjs",
      `process.stdout.write(JSON.stringify({ apiVersion: "client.authentication.k8s.io/v1", kind: "ExecCredential", status: { token: "exec-" + process.env.SREDA_PLUGIN_SUFFIX } }));\n`,
    );
    file(
      "exec/config.yaml",
      TWO_CONTEXTS.replace(
        "    token: dev-token",
        `    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: ${JSON.stringify(process.execPath)}\n      args: [${JSON.stringify(join(dir, "exec/plugin.mjs"))}]\n      env: [{name: SREDA_PLUGIN_SUFFIX, value: token-42}]`,
      ),
    );
    await expect(resolveWith({ kubeconfig: "exec/config.yaml" })).resolves.toMatchObject({ token: "exec-token-42", apiRootUrl: "https://dev.example:6443" });
  });

  it("an exec plugin may give a client certificate and key instead", async () => {
    file(
      "exec2/plugin.mjs",
      `process.stdout.write(JSON.stringify({ apiVersion: "client.authentication.k8s.io/v1", kind: "ExecCredential", status: { clientCertificateData: ${JSON.stringify(CERT)}, clientKeyData: ${JSON.stringify(KEY)} } }));\n`,
    );
    file(
      "exec2/config.yaml",
      TWO_CONTEXTS.replace(
        "    token: dev-token",
        `    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: ${JSON.stringify(process.execPath)}\n      args: [${JSON.stringify(join(dir, "exec2/plugin.mjs"))}]`,
      ),
    );
    const target = await resolveWith({ kubeconfig: "exec2/config.yaml" });
    expect(target).toMatchObject({ clientCert: CERT, clientKey: KEY });
    expect(target.token).toBeUndefined();
  });

  it("an exec command with a slash in it is resolved against the kubeconfig's folder, as client-go does", async () => {
    const plugin = file(
      "exec4/bin/plugin.sh",
      `#!/bin/sh\necho '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"from-script"}}'\n`,
    );
    chmodSync(plugin, 0o755);
    file(
      "exec4/config.yaml",
      TWO_CONTEXTS.replace("    token: dev-token", "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: ./bin/plugin.sh"),
    );
    await expect(resolveWith({ kubeconfig: "exec4/config.yaml" })).resolves.toMatchObject({ token: "from-script" });
  });

  it("a failing exec plugin: a preflight error (exit code 3) with what it said", async () => {
    file("exec3/plugin.mjs", `process.stderr.write("not logged in: run login first"); process.exit(1);\n`);
    file(
      "exec3/config.yaml",
      TWO_CONTEXTS.replace(
        "    token: dev-token",
        `    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: ${JSON.stringify(process.execPath)}\n      args: [${JSON.stringify(join(dir, "exec3/plugin.mjs"))}]`,
      ),
    );
    const error = await resolveWith({ kubeconfig: "exec3/config.yaml" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PreflightError);
    expect((error as Error).message).toBe('getting credentials for context "dev": not logged in: run login first');
  });

  it("client certificate and key files and a CA file, relative to the kubeconfig's folder", async () => {
    file("files/pki/ca.crt", CA);
    file("files/pki/client.crt", CERT);
    file("files/pki/client.key", KEY);
    file(
      "files/config.yaml",
      `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://10.0.0.1:6443", certificate-authority: pki/ca.crt}}]
users: [{name: u, user: {client-certificate: pki/client.crt, client-key: pki/client.key}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`,
    );
    await expect(resolveWith({ kubeconfig: "files/config.yaml" })).resolves.toEqual({
      apiRootUrl: "https://10.0.0.1:6443",
      caCert: CA,
      clientCert: CERT,
      clientKey: KEY,
      insecureSkipTlsVerify: false,
      origin: 'context "x"',
    });
  });

  it("a plain-http server (kubectl talks to one): the credentials all the same", async () => {
    file("http.yaml", TWO_CONTEXTS.replace("https://dev.example:6443", "http://127.0.0.1:8001"));
    await expect(resolveWith({ kubeconfig: "http.yaml" })).resolves.toMatchObject({ apiRootUrl: "http://127.0.0.1:8001", token: "dev-token" });
  });

  it("basic authentication is refused, not ignored", async () => {
    file("basic.yaml", TWO_CONTEXTS.replace("    token: dev-token", "    username: admin\n    password: secret"));
    await expect(resolveWith({ kubeconfig: "basic.yaml" })).rejects.toThrow(/basic authentication .* is not supported/);
  });
});

describe("flags", () => {
  it("override the kubeconfig part by part, as kubectl's do", async () => {
    file("ca-override.crt", "-----BEGIN CERTIFICATE-----\nb3RoZXI=\n-----END CERTIFICATE-----\n");
    await expect(resolveWith({ kubeconfig: "two.yaml", server: "https://other:6443", token: "flag-token" })).resolves.toMatchObject({
      apiRootUrl: "https://other:6443",
      token: "flag-token",
      caCert: CA,
      origin: 'context "dev"',
    });
    // --insecure-skip-tls-verify drops the kubeconfig's CA; --certificate-authority turns verification back on.
    const insecure = await resolveWith({ kubeconfig: "two.yaml", insecureSkipTlsVerify: true });
    expect(insecure).toMatchObject({ insecureSkipTlsVerify: true });
    expect(insecure.caCert).toBeUndefined();
    await expect(resolveWith({ kubeconfig: "two.yaml", context: "prod", certificateAuthority: "ca-override.crt" })).resolves.toMatchObject({
      insecureSkipTlsVerify: false,
      caCert: expect.stringContaining("b3RoZXI="),
    });
  });

  it("without a kubeconfig: the input's apiRootUrl (or --server) with the credentials of the flags", async () => {
    await expect(resolveWith({ token: "t" }, {}, "https://rancher.example/k8s/clusters/c-1/")).resolves.toEqual({
      apiRootUrl: "https://rancher.example/k8s/clusters/c-1/",
      token: "t",
      insecureSkipTlsVerify: false,
      origin: "the input's environment.apiRootUrl",
    });
    file("flags/c.crt", CERT);
    file("flags/c.key", KEY);
    await expect(resolveWith({ server: "https://x:6443", clientCertificate: "flags/c.crt", clientKey: "flags/c.key" })).resolves.toMatchObject({
      apiRootUrl: "https://x:6443",
      clientCert: CERT,
      clientKey: KEY,
      origin: "--server",
    });
    await expect(resolveWith({}, {}, "https://x:6443")).rejects.toThrow(/no credentials for https:\/\/x:6443/);
    await expect(resolveWith({ token: "t" })).rejects.toThrow(/no cluster to talk to/);
    await expect(resolveWith({ server: "https://x:6443", clientCertificate: "flags/c.crt" })).rejects.toThrow(/needs its key/);
    await expect(resolveWith({ context: "dev" })).rejects.toThrow(/no kubeconfig found/);
  });
});
