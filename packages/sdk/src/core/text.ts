/**
 * Bounded text for the input models: every string has a length limit and every array a size limit, sized to real
 * use, so a hostile request costs the validator milliseconds, not seconds. The limits live in the zod schemas and so
 * appear in the bridge's OpenAPI document and 1C's generated contract. Length checks abort before any pattern runs,
 * so no regular expression ever sees more than the limit.
 */
import { z } from "zod";

/** No C0 control character and no DEL: what a name, a host or a one-line value can never hold. */
const SINGLE_LINE = /^[^\u0000-\u001f\u007f]*$/;
/** Tab, line feed and carriage return allowed (a PEM, a multi-line value); NUL and the other controls never. */
const MULTI_LINE = /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/;

const CONTROL_MESSAGE = "недопустимые управляющие символы (например, \\u0000)";
/** A one-line string holding something besides spaces. */
const NON_BLANK_LINE = /^[^\u0000-\u001f\u007f]*[^\u0000-\u0020\u007f][^\u0000-\u001f\u007f]*$/;

/** A string of at most `max` characters, for a field whose own pattern (a name, a host) already rules out control characters. */
export function bounded(max: number): z.ZodString {
  return z.string().max(max, { abort: true, error: `не длиннее ${max} символов` });
}

/** A one-line string of at most `max` characters, without control characters (free text: names, titles). */
export function singleLine(max: number): z.ZodString {
  return z
    .string()
    .max(max, { abort: true, error: `не длиннее ${max} символов` })
    .regex(SINGLE_LINE, CONTROL_MESSAGE);
}

/**
 * A one-line string with at least one character that is not a space, trimmed: a name that must be given. One
 * pattern says both (no control characters, not blank), so the OpenAPI document states the rule the validator keeps.
 */
export function requiredLine(max: number, blankMessage: string): z.ZodString {
  return z
    .string()
    .max(max, { abort: true, error: `не длиннее ${max} символов` })
    .regex(NON_BLANK_LINE, { error: (issue) => (SINGLE_LINE.test(String(issue.input)) ? blankMessage : CONTROL_MESSAGE) })
    .trim();
}

/** A string of at most `max` characters that may span lines (tabs and line breaks), without other control characters. */
export function multiLine(max: number): z.ZodString {
  return z
    .string()
    .max(max, { abort: true, error: `не длиннее ${max} символов` })
    .regex(MULTI_LINE, CONTROL_MESSAGE);
}

/** An array of at most `max` items; the size is checked before any item is. */
export function boundedArray<T extends z.ZodType>(item: T, max: number, what: string): z.ZodArray<T> {
  return z.array(item).max(max, { abort: true, error: `не больше ${max} ${what}` });
}

/** The limits, in one place for the documentation and the tests. */
export const LIMITS = {
  contacts: 50,
  phonesPerContact: 20,
  emailsPerContact: 20,
  variables: 200,
  variableValue: 64 * 1024,
  templates: 50,
  templateBody: 256 * 1024,
  secret: 16 * 1024,
  pem: 256 * 1024,
  name: 253,
  text: 500,
} as const;
