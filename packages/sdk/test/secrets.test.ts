import { createPrivateKey, createPublicKey, publicEncrypt, privateDecrypt } from "node:crypto";
import { describe, expect, it } from "vitest";
import { CustomerSecrets, SAFE_PASSWORD_ALPHABET } from "../src/core/models.js";
import { generateCustomerSecrets, generatePassword, generateRsaPrivateKeyPem, seededRandom } from "../src/core/secrets.js";

describe("generateCustomerSecrets", () => {
  const secrets = generateCustomerSecrets();

  it("produces secrets the model accepts", () => expect(CustomerSecrets.parse(secrets)).toEqual(secrets));

  it("makes a usable RSA-2048 private key in PEM", () => {
    const key = createPrivateKey(secrets.rsaPrivateKeyPem);
    expect(key.asymmetricKeyType).toBe("rsa");
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
    const encrypted = publicEncrypt(createPublicKey(key), Buffer.from("проверка"));
    expect(privateDecrypt(key, encrypted).toString()).toBe("проверка");
  });

  it("makes a 64-byte seed as 128 hex characters", () => {
    expect(secrets.keysSecretSeed).toMatch(/^[0-9a-f]{128}$/);
  });

  it("makes passwords from the safe alphabet, different each time", () => {
    const other = generateCustomerSecrets();
    for (const pw of [secrets.postgresUserPassword, secrets.clickhouseUserPassword]) {
      expect(pw).toHaveLength(32);
      expect([...pw].every((c) => SAFE_PASSWORD_ALPHABET.includes(c))).toBe(true);
      expect(encodeURIComponent(pw)).toBe(pw);
    }
    expect(other.postgresUserPassword).not.toBe(secrets.postgresUserPassword);
    expect(other.keysSecretSeed).not.toBe(secrets.keysSecretSeed);
    expect(other.rsaPrivateKeyPem).not.toBe(secrets.rsaPrivateKeyPem);
  });

  it("takes its randomness from the injected source: a fixed source gives fixed secrets", () => {
    const a = generateCustomerSecrets({ random: seededRandom(7) });
    const b = generateCustomerSecrets({ random: seededRandom(7) });
    const c = generateCustomerSecrets({ random: seededRandom(8) });
    expect(a).toEqual(b);
    expect(c.keysSecretSeed).not.toBe(a.keysSecretSeed);
    expect(c.rsaPrivateKeyPem).not.toBe(a.rsaPrivateKeyPem);
    expect(createPrivateKey(a.rsaPrivateKeyPem).asymmetricKeyDetails?.modulusLength).toBe(2048);
  }, 60_000);
});

describe("generatePassword", () => {
  it("is unbiased enough: every letter of the alphabet appears", () => {
    const pw = generatePassword(seededRandom(1), 4000);
    expect(new Set(pw).size).toBe(SAFE_PASSWORD_ALPHABET.length);
  });

  it("skips bytes that would bias the alphabet (rejection sampling)", () => {
    // 248..255 are above the largest multiple of 62 and must be dropped, not wrapped.
    const bytes = [255, 250, 248, 0, 61, 62];
    let i = 0;
    const random = (n: number) => Uint8Array.from({ length: n }, () => bytes[i++ % bytes.length]!);
    expect(generatePassword(random, 3)).toBe("A9A");
  });
});

describe("generateRsaPrivateKeyPem", () => {
  it("uses the native path without a random source (fast enough to call per customer)", () => {
    expect(generateRsaPrivateKeyPem()).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
  });
});
