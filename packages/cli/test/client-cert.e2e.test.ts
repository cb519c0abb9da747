/**
 * A client certificate from the kubeconfig, end to end: the fake cluster behind an HTTPS server that requires a client
 * certificate signed by its CA (as kube-apiserver with --client-ca-file) and admits only that certificate's user; a
 * kubeconfig with certificate-authority-data, client-certificate-data and client-key-data, no token. `sreda status`
 * reaches it; without the certificate the handshake is refused.
 */
import { generateKeyPairSync } from "node:crypto";
import { writeFileSync } from "node:fs";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { TLSSocket } from "node:tls";
import forge from "node-forge";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runInProcess, startTestCluster, TOKEN, type TestCluster } from "./support/harness.js";

let cluster: TestCluster;
let server: https.Server;
let url: string;
let pem: { ca: string; cert: string; key: string };

function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    keyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKey: forge.pki.publicKeyFromPem(publicKey.export({ type: "spki", format: "pem" }).toString()),
  };
}

function certificate(
  cn: string,
  keys: ReturnType<typeof keyPair>,
  serial: string,
  issuer?: { cert: forge.pki.Certificate; keyPem: string },
  extensions: object[] = [],
) {
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 3_600_000);
  cert.setSubject([{ name: "commonName", value: cn }]);
  cert.setIssuer(issuer ? issuer.cert.subject.attributes : [{ name: "commonName", value: cn }]);
  cert.setExtensions(
    issuer
      ? extensions
      : [
          { name: "basicConstraints", cA: true },
          { name: "keyUsage", keyCertSign: true, digitalSignature: true },
        ],
  );
  cert.sign(forge.pki.privateKeyFromPem(issuer?.keyPem ?? keys.keyPem), forge.md.sha256.create());
  return cert;
}

/** The fake cluster's handler behind TLS: the certificate's user stands for the fake's token user. */
function serveOverTls(options: https.ServerOptions): https.Server {
  return https.createServer(options, (req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
      if ((req.socket as TLSSocket).getPeerCertificate().subject?.CN === "sreda-operator") headers.set("authorization", `Bearer ${TOKEN}`);
      const body = Buffer.concat(chunks);
      const response = await cluster.fake.fetch(
        new Request(`${url}${req.url ?? "/"}`, { method: req.method ?? "GET", headers, ...(body.length > 0 ? { body: new Uint8Array(body) } : {}) }),
      );
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    })();
  });
}

beforeAll(async () => {
  cluster = await startTestCluster();
  const caKeys = keyPair();
  const ca = certificate("sreda-test-ca", caKeys, "01");
  const issuer = { cert: ca, keyPem: caKeys.keyPem };
  const serverKeys = keyPair();
  const serverCert = certificate("apiserver", serverKeys, "02", issuer, [{ name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }] }]);
  const clientKeys = keyPair();
  const clientCert = certificate("sreda-operator", clientKeys, "03", issuer, [{ name: "extKeyUsage", clientAuth: true }]);
  pem = { ca: forge.pki.certificateToPem(ca), cert: forge.pki.certificateToPem(clientCert), key: clientKeys.keyPem };
  server = serveOverTls({ key: serverKeys.keyPem, cert: forge.pki.certificateToPem(serverCert), ca: pem.ca, requestCert: true, rejectUnauthorized: true });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await cluster?.close();
});

const b64 = (text: string) => Buffer.from(text).toString("base64");

function kubeconfig(name: string, user: string): string {
  const path = join(cluster.dir, name);
  writeFileSync(
    path,
    `apiVersion: v1
kind: Config
clusters: [{name: tls, cluster: {server: "${url}", certificate-authority-data: ${b64(pem.ca)}}}]
users: [{name: op, user: ${user}}]
contexts: [{name: tls, context: {cluster: tls, user: op, namespace: lms-dev}}]
current-context: tls
`,
  );
  return path;
}

it("client-certificate-data and client-key-data in the kubeconfig authenticate, without a token", async () => {
  const path = kubeconfig("cert.kubeconfig", `{client-certificate-data: ${b64(pem.cert)}, client-key-data: ${b64(pem.key)}}`);
  const run = await runInProcess(["status", "--client", "C42", "--kubeconfig", path], { dir: cluster.dir });
  expect(run.code, run.stderr).toBe(0);
  expect(run.json()[0]).toMatchObject({ clientId: "C42", namespace: "lms-dev", phase: "Pending" });
  expect(run.stdout + run.stderr).not.toContain(pem.key.split("\n")[3]);
});

it("without the certificate the server refuses the handshake: exit code 1, a TLS network error", async () => {
  const path = kubeconfig("token.kubeconfig", "{token: some-token}");
  const run = await runInProcess(["status", "--client", "C42", "--kubeconfig", path], { dir: cluster.dir });
  expect(run.code).toBe(1);
  expect(run.json().at(-1)).toMatchObject({ type: "error", exitCode: 1, code: "NetworkError" });
});
