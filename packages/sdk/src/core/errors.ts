/**
 * One error hierarchy for the whole SDK: a machine-readable `code`, a human message and structured `details`.
 * Messages never contain secret values; `details.problems` carry JSON-style paths to what is wrong.
 */
export interface Problem {
  /** Where the problem is: `client.contacts[0].emails[1]`, `steps.lms-config.$.data.LMS_X`, `templates[2].body`. */
  path: string;
  message: string;
  /** Optional machine-readable sub-code (`required`, `unknown-field`, `unknown-macro`, …). */
  code?: string;
}

export type SredaErrorCode =
  | "INVALID_INPUT"
  | "TEMPLATE_INVALID_JSON"
  | "TEMPLATE_INVALID"
  | "UNKNOWN_MACRO"
  | "MISSING_MACRO_VALUE"
  | "INVALID_MACRO_VALUE"
  | "INVALID_MANIFEST"
  | "INVALID_PLAN"
  | (string & {});

/**
 * Each SredaError carries a brand per class of its chain, in the global symbol registry, and `instanceof` checks the
 * brand: it holds across copies of these classes — the ESM and the CJS build, the package entry and
 * `@sreda/sdk/testing` bundled separately (the dual-package hazard).
 */
const brandOf = (className: string): symbol => Symbol.for(`@sreda/sdk:${className}`);

export class SredaError extends Error {
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[brandOf(this.name)] === true;
  }

  override readonly name: string = "SredaError";
  readonly code: SredaErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: SredaErrorCode, message: string, details: Record<string, unknown> = {}, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.details = details;
    for (let type: Function | null = new.target; type && type !== Error; type = Object.getPrototypeOf(type) as Function | null) {
      Object.defineProperty(this, brandOf(type.name), { value: true });
    }
  }

  /** Problems listed in `details.problems`, if any. */
  get problems(): Problem[] {
    const problems = this.details["problems"];
    return Array.isArray(problems) ? (problems as Problem[]) : [];
  }

  toJSON(): { name: string; code: string; message: string; details: Record<string, unknown> } {
    return { name: this.name, code: this.code, message: this.message, details: this.details };
  }
}

/** Bad input: one error listing every problem with its path. */
export class SredaValidationError extends SredaError {
  override readonly name: string = "SredaValidationError";

  constructor(code: SredaErrorCode, message: string, problems: Problem[], details: Record<string, unknown> = {}) {
    super(code, `${message}: ${summarize(problems)}`, { ...details, problems });
  }
}

function summarize(problems: Problem[]): string {
  const shown = problems.slice(0, 5).map((p) => `${p.path}: ${p.message}`);
  const more = problems.length > 5 ? `; and ${problems.length - 5} more` : "";
  return shown.join("; ") + more;
}

/** Renders a path as `a.b[0].c` from zod-style segments. */
export function formatPath(segments: readonly PropertyKey[], root = ""): string {
  let out = root;
  for (const segment of segments) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (typeof segment === "string" && /^[A-Za-z_$][\w$]*$/.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out || "$";
}
