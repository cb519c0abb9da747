/**
 * Secrets for plans that do not need the real ones. A dry run without a cluster, and the synchronous validation
 * of a provisioning request, build the plan with these placeholders in place of the secrets 1C did not send: the
 * plan's shape and validity do not depend on secret values, and every secret is masked in what is returned.
 */
import type { CustomerSecrets, ProvisioningInputData } from "@sreda/sdk";
import type { z } from "zod";
import type { KnownSecrets, ProvisioningRequest, SecretSources } from "./schemas.js";

const PLACEHOLDER_SECRETS: CustomerSecrets = {
  rsaPrivateKeyPem: "-----BEGIN PRIVATE KEY-----\nUExBQ0VIT0xERVI=\n-----END PRIVATE KEY-----\n",
  keysSecretSeed: "0".repeat(128),
  postgresUserPassword: "placeholder-postgres-password",
  clickhouseUserPassword: "placeholder-clickhouse-password",
};

export const SECRET_FIELDS = ["rsaPrivateKeyPem", "keysSecretSeed", "postgresUserPassword", "clickhouseUserPassword"] as const;

/** Supplied secrets completed with placeholders, and where each came from. */
export function withPlaceholders(supplied: z.infer<typeof KnownSecrets> | undefined): { secrets: CustomerSecrets; sources: z.infer<typeof SecretSources> } {
  const secrets = { ...PLACEHOLDER_SECRETS, ...(supplied ?? {}) } as CustomerSecrets;
  const sources = Object.fromEntries(SECRET_FIELDS.map((f) => [f, supplied?.[f] !== undefined ? "supplied" : "placeholder"])) as z.infer<typeof SecretSources>;
  return { secrets, sources };
}

/**
 * The SDK's provisioning input of a request (a provisioning, a dry run, a deprovisioning): its customer fields only —
 * what the bridge alone reads (`cluster`, `resume`, `diff`, …) is left out, since the SDK's input admits no other
 * field — with the secrets given and the variables defaulted.
 */
export function provisioningInput(
  request: Pick<ProvisioningRequest, "client" | "environment" | "databases" | "variables" | "templates">,
  secrets: CustomerSecrets,
): ProvisioningInputData {
  const { client, environment, databases, variables, templates } = request;
  return { client, environment, databases, variables: variables ?? [], secrets, ...(templates !== undefined ? { templates } : {}) };
}
