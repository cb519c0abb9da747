/**
 * Request validation against the contract's zod schemas, with zod's Russian messages (the operator reads them in
 * 1C) and one problem per field: `client.id`, `environment.replicas`, `client.contacts[0].emails[1]`.
 */
import { z } from "zod";
import { formatPath, type Problem } from "@sreda/sdk";
import { HttpError } from "./errors.js";

const russian = z.locales.ru();

export function problemsOf(error: z.ZodError): Problem[] {
  const problems: Problem[] = [];
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) problems.push({ path: formatPath([...issue.path, key]), message: `неизвестное поле «${key}»`, code: "unknown-field" });
      continue;
    }
    const message = issue.path.length === 0 && issue.code === "invalid_type" ? "ожидался JSON-объект" : issue.message;
    problems.push({ path: formatPath(issue.path), message, code: issue.code });
  }
  return problems;
}

/** The parsed value, or a 422 `INVALID_INPUT` listing every problem. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input, { error: russian.localeError as z.core.$ZodErrorMap });
  if (result.success) return result.data;
  throw HttpError.invalid("Входные данные не прошли проверку", problemsOf(result.error));
}
