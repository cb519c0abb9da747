/**
 * The last line of defence against secrets in logs, error bodies and operation records.
 *
 * The first lines are structural: the bridge never logs a body, never puts the request into an operation record,
 * and the SDK redacts plans and its Kubernetes errors. But text from outside can still carry a secret back to us —
 * a Kubernetes `Invalid` message echoes the offending value, a proxy may echo a header — so every string that
 * leaves the bridge for a log line, an error body or the journal goes through the request's `Redactor`, which
 * knows the secret values of that request (and their base64 forms, as Secrets store them).
 */
export const REDACTED = "<redacted>";

/** Keys whose values are secret wherever they appear (`token`, `adminPassword`, `rsaPrivateKeyPem`, …). */
export const SECRET_KEY = /(token|password|passwd|secret|seed|private.?key|authorization|cookie|ca.?cert)/i;

/** Shorter values are not scrubbed from text: a 3-letter "secret" would mangle every message. */
const MIN_LENGTH = 6;

export class Redactor {
  private readonly values = new Set<string>();
  private pattern: RegExp | undefined;

  /** Remembers a secret value (and its base64 form). */
  add(value: unknown): this {
    if (typeof value !== "string" || value.length < MIN_LENGTH) return this;
    for (const form of [value, value.trim(), Buffer.from(value, "utf8").toString("base64")]) {
      if (form.length >= MIN_LENGTH && !this.values.has(form)) {
        this.values.add(form);
        this.pattern = undefined;
      }
    }
    // A PEM is often quoted line by line (a JSON string with \n escapes, or one line in a message).
    if (value.includes("-----BEGIN")) for (const line of value.split(/\r?\n/)) if (line.length >= 32 && !line.startsWith("-----")) this.add(line);
    return this;
  }

  /** Remembers every string under a secret-looking key, and every value of `{ secret: true, value }` variables. */
  addFrom(input: unknown, underSecretKey = false): this {
    if (typeof input === "string") {
      if (underSecretKey) this.add(input);
      return this;
    }
    if (Array.isArray(input)) {
      for (const item of input) this.addFrom(item, underSecretKey);
      return this;
    }
    if (input && typeof input === "object") {
      const record = input as Record<string, unknown>;
      if (record["secret"] === true && typeof record["value"] === "string") this.add(record["value"]);
      for (const [key, value] of Object.entries(record)) this.addFrom(value, underSecretKey || SECRET_KEY.test(key));
    }
    return this;
  }

  get size(): number {
    return this.values.size;
  }

  /** The text with every known secret value replaced by `<redacted>`, and any `Bearer …` credential too. */
  scrub(text: string): string {
    let out = text.replace(/\bBearer\s+[^\s"'<>,;]+/gi, `Bearer ${REDACTED}`);
    if (this.values.size === 0) return out;
    this.pattern ??= new RegExp(
      [...this.values]
        .sort((a, b) => b.length - a.length)
        .map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
        .join("|"),
      "g",
    );
    out = out.replace(this.pattern, REDACTED);
    return out;
  }

  /**
   * A deep copy with every string scrubbed; with `byKey` (log entries) also every value under a secret-looking key
   * replaced. Not for operation views: `secretSources.postgresPassword: "generated"` is not a secret.
   */
  scrubDeep<T>(value: T, options: { byKey?: boolean } = {}): T {
    return scrubValue(value, this, false, options.byKey ?? false) as T;
  }
}

function scrubValue(value: unknown, redactor: Redactor, secretKey: boolean, byKey: boolean): unknown {
  if (typeof value === "string") return secretKey ? REDACTED : redactor.scrub(value);
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, redactor, secretKey, byKey));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) out[key] = scrubValue(v, redactor, secretKey || (byKey && SECRET_KEY.test(key)), byKey);
    return out;
  }
  return value;
}
