/**
 * The last line of defence against secrets in logs, error bodies and operation records.
 *
 * The first lines are structural: the bridge never logs a body, never puts the request into an operation record,
 * and the SDK redacts plans and its Kubernetes errors. But text from outside can still carry a secret back to us —
 * a Kubernetes `Invalid` message echoes the offending value, a proxy may echo a header — so every string that
 * leaves the bridge for a log line, an error body or the journal goes through the request's `Redactor`, which
 * knows the secret values of that request (and their base64 forms, as Secrets store them).
 *
 * What is secret is decided by the SDK's macro catalog (the macros marked `secret`, by their input paths), not by
 * key names: `environment.imagePullSecret` names a Secret and is not one. What is scrubbed is free text only;
 * identifiers (`id`, `name`, `kind`, `clientId`, `namespace`, `stepId`, …) are never touched, so a password that
 * happens to be a word of a step id (`postgres`) cannot break the record.
 */
import { macroCatalog } from "@sreda/sdk";

export const REDACTED = "<redacted>";

/** Keys whose values are secret wherever they appear in a log entry (`token`, `adminPassword`, `rsaPrivateKeyPem`, …). */
const SECRET_KEY = /(token|password|passwd|secret|seed|private.?key|authorization|cookie|ca.?cert)/i;

/**
 * Keys whose string values are identifiers or fixed vocabulary, never free text: they are not scrubbed (a secret
 * equal to a part of them would break lookups, e.g. a step found by its id) and they carry no outside text.
 */
const STRUCTURAL_KEYS: ReadonlySet<string> = new Set([
  "id",
  "name",
  "kind",
  "clientId",
  "namespace",
  "stepId",
  "operationId",
  "requestId",
  "code",
  "status",
  "stage",
  "type",
  "phase",
  "cluster",
  "location",
  "path",
  "route",
  "method",
  "container",
  "at",
  "since",
  "createdAt",
  "updatedAt",
  "finishedAt",
]);

/** The input paths of the catalog's secret macros (`databases.postgres.adminPassword`, `secrets.keysSecretSeed`, …). */
const SECRET_INPUT_PATHS: readonly string[] = macroCatalog.filter((m) => m.secret && m.inputPath).map((m) => m.inputPath!);

/** Shorter values are not scrubbed from text: a 3-letter "secret" would mangle every message. */
const MIN_LENGTH = 6;
/** Values longer than this are searched for one by one, not through the one regular expression of all values. */
const MAX_PATTERN_LENGTH = 4096;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

function at(input: unknown, path: string): unknown {
  let value = input;
  for (const part of path.split(".")) value = isRecord(value) ? value[part] : undefined;
  return value;
}

export class Redactor {
  private readonly values = new Set<string>();
  private pattern: { long: string[]; short: RegExp | undefined } | undefined;

  /** Remembers a secret value (its base64 form, and for a PEM each of its body lines). */
  add(value: unknown): this {
    if (typeof value !== "string" || value.length < MIN_LENGTH) return this;
    this.remember(value);
    // A PEM is often quoted line by line (a JSON string with \n escapes, or one line in a message). The lines are
    // remembered as they are, never fed back to add(): a line may itself hold "-----BEGIN" (a hostile value).
    if (value.includes("-----BEGIN")) for (const line of value.split(/\r?\n/)) if (line.length >= 32 && !line.startsWith("-----")) this.remember(line);
    return this;
  }

  private remember(value: string): void {
    for (const form of [value, value.trim(), Buffer.from(value, "utf8").toString("base64")]) {
      if (form.length >= MIN_LENGTH && !this.values.has(form)) {
        this.values.add(form);
        this.pattern = undefined;
      }
    }
  }

  /** Remembers every string value given (a `CustomerSecrets`, a list of values). */
  addAll(values: Record<string, unknown> | Iterable<unknown> | undefined): this {
    if (!values) return this;
    for (const value of Symbol.iterator in values ? (values as Iterable<unknown>) : Object.values(values)) this.add(value);
    return this;
  }

  /**
   * Remembers the secret values of a request body, before it is validated (so read defensively): the values of the
   * catalog's secret macros (`databases.*.adminPassword`, `environment.sms4b.token`, `secrets.*`), every known
   * secret under `secrets` (and each `customers[].secrets` of a fleet request), the cluster's token and CA certificate (also of each `environments[]` entry of a status
   * request), and the values of secret variables. Names of Secrets (`imagePullSecret`, `tlsSecret`) are not secrets.
   */
  addFromRequest(body: unknown): this {
    if (!isRecord(body)) return this;
    for (const path of SECRET_INPUT_PATHS) this.add(at(body, path));
    if (isRecord(body["secrets"])) this.addAll(body["secrets"]);
    // A fleet request: each customer's known secrets.
    if (Array.isArray(body["customers"])) for (const c of body["customers"]) if (isRecord(c) && isRecord(c["secrets"])) this.addAll(c["secrets"]);
    const clusters = [
      body["cluster"],
      ...(Array.isArray(body["environments"]) ? body["environments"].map((e) => (isRecord(e) ? e["cluster"] : undefined)) : []),
    ];
    for (const cluster of clusters) {
      if (!isRecord(cluster)) continue;
      this.add(cluster["token"]);
      this.add(cluster["caCert"]);
    }
    if (Array.isArray(body["variables"])) {
      for (const variable of body["variables"]) if (isRecord(variable) && variable["secret"] === true) this.add(variable["value"]);
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
    this.pattern ??= this.compile();
    // Long values (a PEM, a big secret variable) would make one alternation too large for the regex engine:
    // they are cut out by plain search first, longest first, then the short ones in one pass.
    for (const long of this.pattern.long) if (out.includes(long)) out = out.split(long).join(REDACTED);
    if (this.pattern.short) out = out.replace(this.pattern.short, REDACTED);
    return out;
  }

  private compile(): { long: string[]; short: RegExp | undefined } {
    const sorted = [...this.values].sort((a, b) => b.length - a.length);
    const short = sorted.filter((v) => v.length <= MAX_PATTERN_LENGTH);
    return {
      long: sorted.filter((v) => v.length > MAX_PATTERN_LENGTH),
      short: short.length ? new RegExp(short.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "g") : undefined,
    };
  }

  /**
   * A deep copy with every free-text string scrubbed (strings under `STRUCTURAL_KEYS` are kept as they are); with
   * `byKey` (log entries) also every value under a secret-looking key replaced. Not `byKey` for operation views:
   * `secretSources.postgresUserPassword: "generated"` is not a secret.
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
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      out[key] = typeof v === "string" && STRUCTURAL_KEYS.has(key) ? v : scrubValue(v, redactor, secretKey || (byKey && SECRET_KEY.test(key)), byKey);
    }
    return out;
  }
  return value;
}
