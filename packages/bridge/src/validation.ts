/**
 * Request validation against the contract's zod schemas, with zod's Russian messages (the operator reads them in
 * 1C) and one problem per field: `client.id`, `environment.replicas`, `client.contacts[0].emails[1]`.
 */
import { z } from "zod";
import { formatPath, type Problem } from "@sreda/sdk";
import { HttpError, MAX_PROBLEMS } from "./errors.js";

const russian = z.locales.ru();

/** An unknown key as the answer names it: the caller chose it, so at most 64 characters of it come back. */
const shortKey = (key: string) => (key.length > 64 ? `${key.slice(0, 63)}…` : key);

/**
 * One problem per field, built only up to MAX_PROBLEMS (60,000 unknown keys must not become 60,000 objects); the
 * rest are counted. The list keeps `total` for `details.moreProblems`.
 */
function problemsOf(error: z.ZodError): Problem[] & { total?: number } {
  const problems: Problem[] & { total?: number } = [];
  let total = 0;
  const add = (problem: () => Problem) => {
    if (total++ < MAX_PROBLEMS) problems.push(problem());
  };
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys)
        add(() => ({ path: formatPath([...issue.path, shortKey(key)]), message: `неизвестное поле «${shortKey(key)}»`, code: "unknown-field" }));
      continue;
    }
    const message = issue.path.length === 0 && issue.code === "invalid_type" ? "ожидался JSON-объект" : issue.message;
    add(() => ({ path: formatPath(issue.path), message, code: issue.code }));
  }
  problems.total = total;
  return problems;
}

/** The parsed value, or a 422 `INVALID_INPUT` listing the problems (at most MAX_PROBLEMS, see HttpError.invalid). */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input, { error: russian.localeError as z.core.$ZodErrorMap });
  if (result.success) return result.data;
  throw HttpError.invalid("Входные данные не прошли проверку", problemsOf(result.error));
}
