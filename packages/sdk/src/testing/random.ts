/**
 * Seeded randomness for the fake cluster: pod name suffixes, uids, cluster IPs and fault probabilities all come
 * from here, so two runs with the same seed produce the same names and the same faults.
 * sfc32 seeded through splitmix32 (small, fast, good enough for simulation; not for secrets).
 */

/** The alphabet of k8s.io/apimachinery/pkg/util/rand.String: no vowels (no words), no 0/1/3 (no confusion). */
export const KUBE_NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  /** `length` characters of `alphabet` (default: the Kubernetes name-suffix alphabet). */
  chars(length: number, alphabet?: string): string;
  /** A version-4 UUID. */
  uuid(): string;
  /** `length` lowercase hexadecimal digits. */
  hex(length: number): string;
}

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** A deterministic generator for `seed`; `stream` derives independent sequences from one seed. */
export function createRandom(seed: number, stream = ""): Random {
  let mixed = seed >>> 0;
  for (let i = 0; i < stream.length; i++) mixed = Math.imul(mixed ^ stream.charCodeAt(i), 0x01000193) >>> 0;
  const init = splitmix32(mixed);
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  const next32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) next32();

  const random: Random = {
    next: () => next32() / 4294967296,
    int: (n) => Math.floor(random.next() * n),
    chars: (length, alphabet = KUBE_NAME_ALPHABET) => {
      let out = "";
      for (let i = 0; i < length; i++) out += alphabet[random.int(alphabet.length)];
      return out;
    },
    hex: (length) => random.chars(length, "0123456789abcdef"),
    uuid: () => {
      const h = random.hex(32).split("");
      h[12] = "4";
      h[16] = "89ab"[random.int(4)]!;
      const s = h.join("");
      return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
    },
  };
  return random;
}
