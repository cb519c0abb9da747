/**
 * A customer's generated secrets are created once and never rotated by accident: when the caller (1C) does
 * not supply them, they are read back from the Secrets a previous run created; only what exists nowhere is
 * generated, and the caller is told so it can keep them.
 */
import { getTemplate, type RequestTemplate } from "@sreda/templates";
import { SredaError } from "../core/errors.js";
import { ClientSecrets } from "../core/models.js";
import { renderText } from "../core/render.js";
import { generateClientSecrets, type RandomSource } from "../core/secrets.js";
import type { KubeClient } from "./client.js";
import { isKubeError } from "./errors.js";

type SecretField = keyof ClientSecrets;
export type SecretSource = "supplied" | "cluster" | "generated";

/** Where each generated secret lives in the cluster: the template of its Secret and the key. */
const LOCATIONS: Record<SecretField, { template: string; key: string; decode: (bytes: string) => string }> = {
  // rsa-secret's data is base64(PEM) as the template writes it, so the stored bytes are the PEM itself.
  rsaPrivateKeyPem: { template: "rsa-secret", key: "rsa_key", decode: (b64) => Buffer.from(b64, "base64").toString("utf8") },
  keysSecretSeed: { template: "lms-secrets", key: "LMS_KEYS_SECRET_SEED", decode: (b64) => Buffer.from(b64, "base64").toString("utf8") },
  postgresPassword: { template: "db-setup-secret", key: "postgres-user-password", decode: (b64) => Buffer.from(b64, "base64").toString("utf8") },
  clickhousePassword: { template: "db-setup-secret", key: "clickhouse-user-password", decode: (b64) => Buffer.from(b64, "base64").toString("utf8") },
};

export interface ResolvedClientSecrets {
  secrets: ClientSecrets;
  sources: Record<SecretField, SecretSource>;
  /** True when something was generated: the caller must store `secrets`. */
  generated: boolean;
}

/**
 * Supplied values first, then the cluster's, then new ones. A stored value that fails validation is an error,
 * never silently replaced; a Secret that cannot be read (403, network) is an error too, never "missing".
 */
export async function resolveClientSecrets(
  kube: KubeClient,
  options: {
    namespace: string;
    clientId: string;
    supplied?: Partial<ClientSecrets>;
    /** The input's template overrides, so a renamed Secret is looked up under its new name. */
    templates?: readonly RequestTemplate[];
    random?: RandomSource;
    signal?: AbortSignal;
  },
): Promise<ResolvedClientSecrets> {
  const { namespace, clientId, supplied = {}, signal } = options;
  const values: Partial<ClientSecrets> = {};
  const sources = {} as Record<SecretField, SecretSource>;
  for (const field of Object.keys(LOCATIONS) as SecretField[]) {
    if (supplied[field] !== undefined && ClientSecrets.shape[field].safeParse(supplied[field]).success) {
      values[field] = supplied[field];
      sources[field] = "supplied";
    }
  }

  const missing = (Object.keys(LOCATIONS) as SecretField[]).filter((f) => !(f in values));
  const byTemplate = new Map<string, Promise<Record<string, string> | undefined>>();
  const readSecret = (templateId: string) => {
    let pending = byTemplate.get(templateId);
    if (!pending) {
      const template = options.templates?.find((t) => t.id === templateId) ?? getTemplate(templateId);
      if (!template?.name) throw new Error(`template ${templateId} has no name`);
      const name = renderText(templateId, template.name, { "client-id": clientId, "client-slug": clientId.toLowerCase() });
      pending = kube
        .get<{ data?: Record<string, string> }>(`/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets/${encodeURIComponent(name)}`, { signal })
        .then((secret) => secret.data ?? {})
        .catch((error: unknown) => {
          if (isKubeError(error, "NotFound")) return undefined;
          throw error;
        });
      byTemplate.set(templateId, pending);
    }
    return pending;
  };
  await Promise.all(
    missing.map(async (field) => {
      const location = LOCATIONS[field];
      const data = await readSecret(location.template);
      const stored = data?.[location.key];
      if (stored === undefined) return;
      const value = location.decode(stored);
      if (!ClientSecrets.shape[field].safeParse(value).success) {
        // Replacing it would rotate a customer's secret behind everyone's back: stop and say where it is.
        throw new SredaError(
          "INVALID_STORED_SECRET",
          `В кластере в секрете шаблона ${location.template} (ключ ${location.key}) лежит значение, которое не проходит проверку; передайте секреты клиента явно или исправьте секрет`,
          { template: location.template, key: location.key, namespace },
        );
      }
      values[field] = value;
      sources[field] = "cluster";
    }),
  );

  let generated = false;
  if (Object.keys(values).length < Object.keys(LOCATIONS).length) {
    const fresh = generateClientSecrets(options.random ? { random: options.random } : {});
    for (const field of Object.keys(LOCATIONS) as SecretField[]) {
      if (!(field in values)) {
        values[field] = fresh[field];
        sources[field] = "generated";
        generated = true;
      }
    }
  }
  return { secrets: ClientSecrets.parse(values), sources, generated };
}
