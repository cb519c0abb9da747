/**
 * The input file: a ProvisioningInput as JSON (examples/c42-lms-dev.input.json), whose `secrets` may be left out in
 * part or whole — they are then read back from the cluster or generated (./secrets.ts). Read, `--namespace` put in
 * place of environment.namespace, and validated at once, so that every problem is reported with its path before
 * anything else is done.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import {
  createProvisioningPlan,
  CustomerSecrets,
  formatPath,
  ProvisioningInput,
  SredaValidationError,
  type ProvisioningInputData,
  type ProvisioningPlan,
} from "@sreda/sdk";
import { UsageError } from "./exit-codes.js";
import type { SredaIo } from "./output.js";

/** A ProvisioningInput whose secrets may be missing. */
const InputWithoutSecrets = ProvisioningInput.extend({ secrets: CustomerSecrets.partial().optional() });

export interface LoadedInput {
  /** As given on the command line ("-" for standard input). */
  file: string;
  /** The JSON as read (namespace overridden), without `secrets`: what the plan is made of, with secrets added. */
  data: Omit<ProvisioningInputData, "secrets">;
  clientId: string;
  namespace: string;
  apiRootUrl: string;
  /** The secrets the file gives. */
  secrets: Partial<CustomerSecrets>;
  /** Whether the file gives all of them. */
  complete: boolean;
}

async function readText(file: string, io: SredaIo): Promise<string> {
  if (file === "-") {
    const chunks: Buffer[] = [];
    for await (const chunk of io.stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
    return Buffer.concat(chunks).toString("utf8");
  }
  try {
    return await readFile(resolve(io.cwd, file), "utf8");
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "ENOENT") throw new UsageError(`the input file "${file}" does not exist`);
    if (code === "EISDIR") throw new UsageError(`the input file "${file}" is a directory`);
    throw new UsageError(`cannot read the input file "${file}": ${(error as Error).message}`);
  }
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`${file}: not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * The JSON object of a file (`what` names it in the error: "a ProvisioningInput"), with `environment`'s fields
 * replaced by `environment` (`-n`'s namespace; rollout's `--image`).
 */
export async function readInputObject(
  file: string,
  io: SredaIo,
  what: string,
  environment: Record<string, string | undefined> = {},
): Promise<Record<string, unknown>> {
  const raw = parseJson(await readText(file, io), file);
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw new UsageError(`${file}: expected a JSON object (${what})`);
  const json = { ...(raw as Record<string, unknown>) };
  const overrides = Object.entries(environment).filter(([, value]) => value !== undefined);
  if (overrides.length > 0) {
    const current = json["environment"];
    json["environment"] = { ...(current !== null && typeof current === "object" ? current : {}), ...Object.fromEntries(overrides) };
  }
  return json;
}

/** zod's issues as a UsageError: every problem with its path. */
export function invalidInput(file: string, issues: readonly { path: readonly PropertyKey[]; message: string; code: string }[]): UsageError {
  const problems = issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message, code: issue.code }));
  return new UsageError(`${file}: the input is not valid (${problems.length} ${problems.length === 1 ? "problem" : "problems"})`, problems);
}

/** Reads, overrides the namespace, validates: a UsageError lists every problem with its path. */
export async function loadInput(file: string, io: SredaIo, namespace: string | undefined): Promise<LoadedInput> {
  const json = await readInputObject(file, io, "a ProvisioningInput", { namespace });
  const parsed = InputWithoutSecrets.safeParse(json);
  if (!parsed.success) throw invalidInput(file, parsed.error.issues);
  const { secrets: _secrets, ...data } = json;
  const secrets = parsed.data.secrets ?? {};
  return {
    file,
    data: data as Omit<ProvisioningInputData, "secrets">,
    clientId: parsed.data.client.id,
    namespace: parsed.data.environment.namespace,
    apiRootUrl: parsed.data.environment.apiRootUrl,
    secrets,
    complete: CustomerSecrets.safeParse(secrets).success,
  };
}

/** The plan of the input with these secrets; the SDK's validation problems (templates, settings) as a UsageError. */
export function planOf(input: LoadedInput, secrets: CustomerSecrets): ProvisioningPlan {
  try {
    return createProvisioningPlan({ ...input.data, secrets });
  } catch (error) {
    if (error instanceof SredaValidationError) {
      const n = error.problems.length;
      throw new UsageError(`${input.file}: no plan can be made of the input (${n} ${n === 1 ? "problem" : "problems"})`, error.problems);
    }
    throw error;
  }
}
