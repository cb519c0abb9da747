/**
 * Generation of a customer's secrets. Randomness is injected (`random`) so tests are exact. The RSA key comes
 * from node-forge: without `random` it delegates to Node's native generator (pure-JS RSA-2048 takes seconds);
 * with `random` it runs in pure JS from a PRNG seeded by that source, so a fixed source gives a fixed key.
 */
import { randomBytes } from "node:crypto";
import forge from "node-forge";
import { CustomerSecrets, SAFE_PASSWORD_ALPHABET } from "./models.js";

/** A source of random bytes: returns `n` bytes. */
export type RandomSource = (n: number) => Uint8Array;

export interface GenerateCustomerSecretsOptions {
  random?: RandomSource;
  /** Length of generated database passwords; 32 characters of a 62-letter alphabet ≈ 190 bits. */
  passwordLength?: number;
}

export const cryptoRandom: RandomSource = (n) => new Uint8Array(randomBytes(n));

/** A password from an alphabet safe in URLs, shells and SQL literals; rejection sampling keeps it unbiased. */
export function generatePassword(random: RandomSource, length = 32, alphabet = SAFE_PASSWORD_ALPHABET): string {
  const limit = 256 - (256 % alphabet.length);
  let out = "";
  while (out.length < length) {
    for (const byte of random(length * 2)) {
      if (byte < limit) out += alphabet[byte % alphabet.length];
      if (out.length === length) break;
    }
  }
  return out;
}

function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

/** RSA-2048 private key as PKCS#1 PEM. */
export function generateRsaPrivateKeyPem(random?: RandomSource): string {
  if (!random) {
    // Without a prng option node-forge delegates to Node's native generateKeyPairSync (milliseconds, not seconds).
    const keys = forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
    return forge.pki.privateKeyToPem(keys.privateKey).replace(/\r\n/g, "\n");
  }
  // Deterministic path: node-forge draws its primes from a PRNG fed by the injected source.
  const prng = forge.random.createInstance();
  prng.seedFileSync = (needed: number) => forge.util.binary.raw.encode(random(needed));
  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001, prng, algorithm: "PRIMEINC" });
  return forge.pki.privateKeyToPem(keys.privateKey).replace(/\r\n/g, "\n");
}

/** New secrets for a new customer: RSA-2048 key, 64-byte hex seed, two database passwords. */
export function generateCustomerSecrets(options: GenerateCustomerSecretsOptions = {}): CustomerSecrets {
  const random = options.random ?? cryptoRandom;
  const passwordLength = options.passwordLength ?? 32;
  return CustomerSecrets.parse({
    rsaPrivateKeyPem: generateRsaPrivateKeyPem(options.random),
    keysSecretSeed: toHex(random(64)),
    postgresUserPassword: generatePassword(random, passwordLength),
    clickhouseUserPassword: generatePassword(random, passwordLength),
  });
}

/** A deterministic random source for tests and examples (xorshift128+ from a numeric seed). Not for production. */
export function seededRandom(seed: number): RandomSource {
  let s0 = BigInt(seed) | 1n;
  let s1 = BigInt(seed) * 0x9e3779b97f4a7c15n + 0x632be59bd9b4e019n;
  const mask = (1n << 64n) - 1n;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      let x = s0;
      const y = s1;
      s0 = y;
      x ^= (x << 23n) & mask;
      s1 = x ^ y ^ (x >> 17n) ^ (y >> 26n);
      out[i] = Number((s1 + y) & mask & 0xffn);
    }
    return out;
  };
}
