/**
 * A customer's generated secrets when the input file leaves them out — as the bridge does: read back from the
 * Secrets of a previous run, generated only when they exist nowhere (`resolveCustomerSecrets`, never rotated by
 * accident). Newly generated ones are written to `--secrets-out` (mode 0600) before anything is applied, so they are
 * kept even if the run fails half-way. A secret is never printed: only which ones came from where.
 */
import { open } from "node:fs/promises";
import { resolve } from "node:path";
import {
  describeEnvironment,
  generateCustomerSecrets,
  resolveCustomerSecrets,
  type CustomerSecrets,
  type KubeClient,
  type ResolvedCustomerSecrets,
  type SecretSources,
} from "@sreda/sdk";
import { UsageError } from "./exit-codes.js";
import type { LoadedInput } from "./input.js";
import type { Output, SredaIo } from "./output.js";

/** For a plan without a cluster (`sreda plan`): the file's secrets, the rest generated and thrown away (the plan is redacted). */
export function offlineSecrets(input: LoadedInput): { secrets: CustomerSecrets; placeholders: string[] } {
  if (input.complete) return { secrets: input.secrets as CustomerSecrets, placeholders: [] };
  const fresh = generateCustomerSecrets();
  const secrets = { ...fresh, ...input.secrets };
  return { secrets, placeholders: (Object.keys(fresh) as (keyof CustomerSecrets)[]).filter((f) => input.secrets[f] === undefined) };
}

/** The file's secrets, completed from the cluster or newly generated. */
export async function clusterSecrets(kube: KubeClient, input: LoadedInput, signal: AbortSignal): Promise<ResolvedCustomerSecrets> {
  if (input.complete) {
    const secrets = input.secrets as CustomerSecrets;
    const sources = Object.fromEntries(Object.keys(secrets).map((f) => [f, "supplied"])) as SecretSources;
    return { secrets, sources, generated: false };
  }
  // Where this input's templates keep them (a Secret or key renamed by an override included).
  return resolveCustomerSecrets(kube, { environment: describeEnvironment(input.data), supplied: input.secrets, signal });
}

/** `{"secrets": {…}}`, mode 0600 (also when the file existed): merge it into the input file to keep the secrets. */
async function writeSecretsFile(path: string, secrets: CustomerSecrets): Promise<void> {
  const handle = await open(path, "w", 0o600);
  try {
    await handle.chmod(0o600);
    await handle.writeFile(`${JSON.stringify({ secrets }, null, 2)}\n`);
  } finally {
    await handle.close();
  }
}

/** The fields of each source, for the notes: `{ generated: ["postgresUserPassword"], cluster: […] }`. */
function fieldsBySource(sources: SecretSources): Record<string, string[]> {
  const by: Record<string, string[]> = {};
  for (const [field, source] of Object.entries(sources)) (by[source] ??= []).push(field);
  return by;
}

/**
 * Writes newly generated secrets to `--secrets-out` and says where each secret came from (names only), as a JSON
 * line `{"type":"secrets", …}` and a note for people.
 */
export async function keepSecrets(resolved: ResolvedCustomerSecrets, secretsOut: string | undefined, io: SredaIo, output: Output): Promise<void> {
  const by = fieldsBySource(resolved.sources);
  let written: string | null = null;
  if (resolved.generated && secretsOut !== undefined) {
    written = resolve(io.cwd, secretsOut);
    try {
      await writeSecretsFile(written, resolved.secrets);
    } catch (error) {
      throw new UsageError(`cannot write --secrets-out ${secretsOut}: ${(error as Error).message}`);
    }
  }
  output.json({ type: "secrets", sources: resolved.sources, generated: resolved.generated, writtenTo: written });
  const parts: string[] = [];
  if (by["cluster"]) parts.push(`${by["cluster"].join(", ")} read from the cluster`);
  if (by["generated"]) parts.push(`${by["generated"].join(", ")} generated`);
  if (parts.length === 0) return;
  let where = "";
  if (written) where = `; written to ${secretsOut} (mode 600): merge it into the input file to keep them`;
  else if (resolved.generated) where = "; they are kept only in the cluster's Secrets (use --secrets-out FILE to keep a copy)";
  else if (secretsOut !== undefined) where = `; nothing generated, ${secretsOut} not written`;
  output.note(`${output.paint.dim("secrets:")} ${parts.join("; ")}${where}`);
}
