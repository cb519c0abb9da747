/**
 * TLS client authentication: a local HTTPS server that requires a client certificate signed by its CA (as a
 * kube-apiserver with --client-ca-file does), and the client presenting `clientCert`/`clientKey` — with or without a
 * bearer token — through the built-in node:https transport. The key is never shown, and bad configurations are
 * refused before the first request.
 */
import { generateKeyPairSync } from "node:crypto";
import https from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { inspect } from "node:util";
import forge from "node-forge";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createKubeClient, KubeNetworkError } from "../../src/kube/index.js";

const TOKEN = "client-cert-test-token-0123456789";

interface KeyPair {
  keyPem: string;
  publicKey: forge.pki.PublicKey;
}

function keyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    keyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKey: forge.pki.publicKeyFromPem(publicKey.export({ type: "spki", format: "pem" }).toString()),
  };
}

/** A certificate for `subject`'s key, signed by `issuer` (itself when absent: a CA). */
function certificate(
  commonName: string,
  subject: KeyPair,
  serial: string,
  issuer?: { cert: forge.pki.Certificate; keyPem: string },
  extensions: object[] = [],
): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = subject.publicKey;
  cert.serialNumber = serial;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 3_600_000);
  cert.setSubject([{ name: "commonName", value: commonName }]);
  cert.setIssuer(issuer ? issuer.cert.subject.attributes : [{ name: "commonName", value: commonName }]);
  cert.setExtensions(
    issuer
      ? extensions
      : [
          { name: "basicConstraints", cA: true },
          { name: "keyUsage", keyCertSign: true, digitalSignature: true },
        ],
  );
  cert.sign(forge.pki.privateKeyFromPem(issuer?.keyPem ?? subject.keyPem), forge.md.sha256.create());
  return cert;
}

describe("client certificate authentication (a real HTTPS server requiring one)", () => {
  let server: https.Server;
  let root: string;
  let caCert: string;
  let clientCert: string;
  let clientKey: string;
  let strangerCert: string;
  let strangerKey: string;

  beforeAll(async () => {
    const caKeys = keyPair();
    const ca = certificate("sreda-test-ca", caKeys, "01");
    caCert = forge.pki.certificateToPem(ca);
    const issuer = { cert: ca, keyPem: caKeys.keyPem };
    const serverKeys = keyPair();
    const serverCert = certificate("sreda-test-apiserver", serverKeys, "02", issuer, [
      { name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }] },
      { name: "extKeyUsage", serverAuth: true },
    ]);
    const clientKeys = keyPair();
    clientCert = forge.pki.certificateToPem(certificate("sreda-operator", clientKeys, "03", issuer, [{ name: "extKeyUsage", clientAuth: true }]));
    clientKey = clientKeys.keyPem;
    // Signed by nobody the server trusts.
    const strangerKeys = keyPair();
    strangerCert = forge.pki.certificateToPem(certificate("stranger", strangerKeys, "04"));
    strangerKey = strangerKeys.keyPem;

    server = https.createServer(
      { key: serverKeys.keyPem, cert: forge.pki.certificateToPem(serverCert), ca: caCert, requestCert: true, rejectUnauthorized: true },
      (req, res) => {
        const peer = (req.socket as TLSSocket).getPeerCertificate();
        res.setHeader("content-type", "application/json");
        res.end(
          JSON.stringify({
            kind: "Namespace",
            metadata: { name: "lms-dev" },
            user: peer.subject?.CN ?? null,
            authorization: req.headers.authorization ?? null,
          }),
        );
      },
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    root = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("authenticates with the certificate alone: no token, no Authorization header", async () => {
    const kube = createKubeClient({ apiRootUrl: root, caCert, clientCert, clientKey });
    await expect(kube.get("/api/v1/namespaces/lms-dev")).resolves.toMatchObject({ user: "sreda-operator", authorization: null });
  });

  it("sends a token as well when both are given, as kubectl does", async () => {
    const kube = createKubeClient({ apiRootUrl: root, caCert, token: TOKEN, clientCert, clientKey });
    await expect(kube.get("/api/v1/namespaces/lms-dev")).resolves.toMatchObject({ user: "sreda-operator", authorization: `Bearer ${TOKEN}` });
  });

  it("works with insecureSkipTlsVerify instead of a CA", async () => {
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
    try {
      const kube = createKubeClient({ apiRootUrl: root, insecureSkipTlsVerify: true, clientCert, clientKey });
      await expect(kube.get("/api/v1/namespaces/lms-dev")).resolves.toMatchObject({ user: "sreda-operator" });
      expect(warn).toHaveBeenCalledWith(expect.stringContaining("TLS certificate verification is disabled"), expect.anything());
    } finally {
      warn.mockRestore();
    }
  });

  it("without a certificate the server refuses the handshake: a network error, no secret in it", async () => {
    const kube = createKubeClient({ apiRootUrl: root, caCert, token: TOKEN, maxRetries: 0 });
    const error = await kube.get("/api/v1/namespaces/lms-dev").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeNetworkError);
    expect(JSON.stringify(error)).not.toContain(TOKEN);
  });

  it("a certificate the server's CA did not sign is refused too, and the key never appears in the error", async () => {
    const kube = createKubeClient({ apiRootUrl: root, caCert, clientCert: strangerCert, clientKey: strangerKey, maxRetries: 0 });
    const error = await kube.get("/api/v1/namespaces/lms-dev").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeNetworkError);
    const shown = `${String(error)} ${JSON.stringify(error)} ${inspect(error, { depth: 10 })}`;
    expect(shown).not.toContain(keyBody(strangerKey));
  });

  it("never shows the certificate or the key", () => {
    const kube = createKubeClient({ apiRootUrl: root, caCert, clientCert, clientKey });
    for (const text of [JSON.stringify(kube), String(kube), inspect(kube, { depth: 10, showHidden: true })]) {
      expect(text).not.toContain(keyBody(clientKey));
      expect(text).not.toContain(keyBody(clientCert));
    }
  });

  it("refuses bad configurations before the first request", () => {
    const invalid = expect.objectContaining({ code: "INVALID_CONFIG" });
    expect(() => createKubeClient({ apiRootUrl: root })).toThrow(/token must be a string/);
    expect(() => createKubeClient({ apiRootUrl: root, clientCert })).toThrow(/clientCert and clientKey go together/);
    expect(() => createKubeClient({ apiRootUrl: root, token: TOKEN, clientKey })).toThrow(invalid);
    expect(() => createKubeClient({ apiRootUrl: "http://127.0.0.1:1/", clientCert, clientKey })).toThrow(/needs an https apiRootUrl/);
    expect(() => createKubeClient({ apiRootUrl: root, clientCert, clientKey, fetch: async () => new Response("{}") })).toThrow(/injected fetch/);
    const garbled = () => createKubeClient({ apiRootUrl: root, clientCert, clientKey: "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n" });
    expect(garbled).toThrow(/not a usable PEM certificate and key/);
    // The key of another certificate: the pair does not match, and the message does not quote the key.
    let mismatch: unknown;
    try {
      createKubeClient({ apiRootUrl: root, clientCert, clientKey: strangerKey });
    } catch (error) {
      mismatch = error;
    }
    expect(mismatch).toMatchObject({ code: "INVALID_CONFIG", message: expect.stringMatching(/not a usable PEM certificate and key/) });
    expect(JSON.stringify(mismatch)).not.toContain(keyBody(strangerKey));
  });
});

/** A line from the middle of a PEM body: what a leak would contain. */
function keyBody(pem: string): string {
  return pem.split("\n")[3]!;
}
