/**
 * The control plane's certificates and keys: a CA, the API server's serving certificate, the service-account
 * signing key pair, and a certificate for the `tls` Secrets the templates' Ingress names. RSA keys come from
 * Node's native generator (milliseconds), certificates from node-forge.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import forge from "node-forge";

export interface KeyPair {
  /** PKCS#1 PEM ("RSA PRIVATE KEY"). */
  keyPem: string;
  /** SubjectPublicKeyInfo PEM ("PUBLIC KEY"). */
  publicPem: string;
}

export interface Issued {
  certPem: string;
  keyPem: string;
}

export interface AltNames {
  dns?: string[];
  ips?: string[];
}

const YEAR_MS = 365 * 24 * 3600 * 1000;

export function rsaKeyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    keyPem: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
    publicPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

/** A positive 16-byte serial number in hex (the top bit clear, as RFC 5280 and Go's x509 want). */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString("hex");
}

function certificate(options: {
  commonName: string;
  organization?: string;
  keys: KeyPair;
  years: number;
  issuer?: { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey };
  ca?: boolean;
  altNames?: AltNames;
}): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(options.keys.publicPem);
  cert.serialNumber = serialNumber();
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 3600 * 1000);
  cert.validity.notAfter = new Date(now + options.years * YEAR_MS);
  const subject: forge.pki.CertificateField[] = [{ name: "commonName", value: options.commonName }];
  if (options.organization) subject.push({ name: "organizationName", value: options.organization });
  cert.setSubject(subject);
  cert.setIssuer(options.issuer ? options.issuer.cert.subject.attributes : subject);
  const extensions: object[] = [];
  if (options.ca) {
    extensions.push(
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    );
  } else {
    extensions.push(
      { name: "basicConstraints", cA: false, critical: true },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
    );
  }
  extensions.push({ name: "subjectKeyIdentifier" });
  if (options.issuer) {
    extensions.push({ name: "authorityKeyIdentifier", keyIdentifier: options.issuer.cert.generateSubjectKeyIdentifier().getBytes() });
  }
  if (options.altNames) {
    extensions.push({
      name: "subjectAltName",
      altNames: [...(options.altNames.dns ?? []).map((value) => ({ type: 2, value })), ...(options.altNames.ips ?? []).map((ip) => ({ type: 7, ip }))],
    });
  }
  cert.setExtensions(extensions);
  const signingKey = options.issuer?.key ?? (forge.pki.privateKeyFromPem(options.keys.keyPem) as forge.pki.rsa.PrivateKey);
  cert.sign(signingKey, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

export function createCa(commonName: string): Issued {
  const keys = rsaKeyPair();
  return { certPem: certificate({ commonName, keys, years: 10, ca: true }), keyPem: keys.keyPem };
}

export function issueServingCert(ca: Issued, commonName: string, altNames: AltNames): Issued {
  const keys = rsaKeyPair();
  const issuer = { cert: forge.pki.certificateFromPem(ca.certPem), key: forge.pki.privateKeyFromPem(ca.keyPem) as forge.pki.rsa.PrivateKey };
  return { certPem: certificate({ commonName, keys, years: 5, issuer, altNames }), keyPem: keys.keyPem };
}

/** The files of the state folder's pki/ directory. */
export interface PkiFiles {
  caCert: string;
  caKey: string;
  apiserverCert: string;
  apiserverKey: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
  ingressCert: string;
  ingressKey: string;
}

export function pkiFiles(stateDir: string): PkiFiles {
  const dir = path.join(stateDir, "pki");
  return {
    caCert: path.join(dir, "ca.crt"),
    caKey: path.join(dir, "ca.key"),
    apiserverCert: path.join(dir, "apiserver.crt"),
    apiserverKey: path.join(dir, "apiserver.key"),
    serviceAccountKey: path.join(dir, "sa.key"),
    serviceAccountPub: path.join(dir, "sa.pub"),
    ingressCert: path.join(dir, "ingress.crt"),
    ingressKey: path.join(dir, "ingress.key"),
  };
}

/** Names the API server answers to, inside and outside the cluster. */
export const APISERVER_ALT_NAMES: AltNames = {
  dns: ["localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"],
  ips: ["127.0.0.1", "10.0.0.1"],
};

/** Hosts of the templates' Ingress (public-dns of lms-dev is backend.lms-dev.rarus-cloud.ru). */
const INGRESS_ALT_NAMES: AltNames = { dns: ["*.lms-dev.rarus-cloud.ru", "*.lms-prod.rarus-cloud.ru", "*.rarus-cloud.ru"] };

function writePrivate(file: string, text: string): void {
  fs.writeFileSync(file, text, { mode: 0o600 });
}

/**
 * Creates what is missing in `<state>/pki` and keeps what is there (a restart reuses the CA, the serving
 * certificate and the service-account key, so issued tokens stay valid). Returns whether anything was generated.
 */
export function ensurePki(stateDir: string): { files: PkiFiles; generated: string[] } {
  const files = pkiFiles(stateDir);
  fs.mkdirSync(path.dirname(files.caCert), { recursive: true, mode: 0o700 });
  const generated: string[] = [];
  let ca: Issued;
  if (fs.existsSync(files.caCert) && fs.existsSync(files.caKey)) {
    ca = { certPem: fs.readFileSync(files.caCert, "utf8"), keyPem: fs.readFileSync(files.caKey, "utf8") };
  } else {
    ca = createCa("sreda-real-cluster-ca");
    writePrivate(files.caKey, ca.keyPem);
    fs.writeFileSync(files.caCert, ca.certPem);
    // A new CA invalidates whatever it had signed.
    for (const file of [files.apiserverCert, files.apiserverKey, files.ingressCert, files.ingressKey]) fs.rmSync(file, { force: true });
    generated.push("ca");
  }
  if (!fs.existsSync(files.apiserverCert) || !fs.existsSync(files.apiserverKey)) {
    const serving = issueServingCert(ca, "kube-apiserver", APISERVER_ALT_NAMES);
    writePrivate(files.apiserverKey, serving.keyPem);
    fs.writeFileSync(files.apiserverCert, serving.certPem);
    generated.push("apiserver");
  }
  if (!fs.existsSync(files.serviceAccountKey) || !fs.existsSync(files.serviceAccountPub)) {
    const sa = rsaKeyPair();
    writePrivate(files.serviceAccountKey, sa.keyPem);
    fs.writeFileSync(files.serviceAccountPub, sa.publicPem);
    generated.push("service-account key");
  }
  if (!fs.existsSync(files.ingressCert) || !fs.existsSync(files.ingressKey)) {
    const ingress = issueServingCert(ca, "*.lms-dev.rarus-cloud.ru", INGRESS_ALT_NAMES);
    writePrivate(files.ingressKey, ingress.keyPem);
    fs.writeFileSync(files.ingressCert, ingress.certPem);
    generated.push("ingress");
  }
  return { files, generated };
}
