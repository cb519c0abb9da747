/**
 * A customer's generated secrets are created once and never rotated by accident: when the caller (1C) does
 * not supply them, they are read back from the Secrets a previous run created; only what exists nowhere is
 * generated, and the caller is told so it can keep them.
 */
import { z } from "zod";
import type { EnvironmentDescription, SecretLocation } from "../core/environment.js";
import { SredaError } from "../core/errors.js";
import { generatedSecretMacros } from "../core/macros.js";
import { CustomerSecrets } from "../core/models.js";
import { generateCustomerSecrets, type RandomSource } from "../core/secrets.js";
import type { KubeClient } from "./client.js";
import { isKubeError } from "./errors.js";
import { MANAGED_BY_SELECTOR } from "./inventory.js";

type SecretField = keyof CustomerSecrets;

/** Where a secret came from: the caller's, read back from the cluster, or generated now. */
export const SecretSource = z.enum(["supplied", "cluster", "generated"]);
export type SecretSource = z.infer<typeof SecretSource>;

/** Where each of a customer's secrets came from. */
export const SecretSources = z.object({
  rsaPrivateKeyPem: SecretSource,
  keysSecretSeed: SecretSource,
  postgresUserPassword: SecretSource,
  clickhouseUserPassword: SecretSource,
} satisfies Record<SecretField, unknown>);
export type SecretSources = z.infer<typeof SecretSources>;

const FIELDS = Object.keys(CustomerSecrets.shape) as SecretField[];

export interface ResolvedCustomerSecrets {
  secrets: CustomerSecrets;
  sources: SecretSources;
  /** True when something was generated: the caller must store `secrets`. */
  generated: boolean;
}

/** The secret as the macro put it: `data` holds the macro's value, `stringData` was stored base64-encoded. */
function storedSecret(field: SecretField, location: SecretLocation, stored: string): string {
  const macroValue = location.field === "data" ? stored : Buffer.from(stored, "base64").toString("utf8");
  const macro = generatedSecretMacros.find((g) => g.field === field)!;
  return macro.fromMacroValue(macroValue);
}

/**
 * Supplied values first, then the cluster's — read where the plan's environment description says each is kept, so
 * a Secret or key renamed by a template override is read under its new name —, then new ones. A stored value that
 * fails validation is an error, never silently replaced; a Secret that cannot be read (403, network) is an error
 * too, never "missing".
 */
export async function resolveCustomerSecrets(
  kube: KubeClient,
  options: {
    /** The environment the secrets are for: `plan.environment`, or `describeEnvironment(input)` before a plan. */
    environment: EnvironmentDescription;
    supplied?: Partial<CustomerSecrets>;
    random?: RandomSource;
    signal?: AbortSignal;
  },
): Promise<ResolvedCustomerSecrets> {
  return resolveWith(options.environment, options.supplied ?? {}, secretReader(kube, options.environment.namespace, options.signal), options.random);
}

/** Reads a Secret's data by name (undefined when it does not exist); each name once. */
type SecretReader = (name: string) => Promise<Record<string, string> | undefined>;

function secretReader(kube: KubeClient, namespace: string, signal: AbortSignal | undefined, known?: ReadonlyMap<string, Record<string, string>>): SecretReader {
  const bySecret = new Map<string, Promise<Record<string, string> | undefined>>();
  return (name) => {
    let pending = bySecret.get(name);
    if (!pending) {
      const listed = known?.get(name);
      pending = listed
        ? Promise.resolve(listed)
        : kube
            .get<{ data?: Record<string, string> }>(`/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets/${encodeURIComponent(name)}`, { signal })
            .then((secret) => secret.data ?? {})
            .catch((error: unknown) => {
              if (isKubeError(error, "NotFound")) return undefined;
              throw error;
            });
      bySecret.set(name, pending);
    }
    return pending;
  };
}

async function resolveWith(
  environment: EnvironmentDescription,
  supplied: Partial<CustomerSecrets>,
  readSecret: SecretReader,
  random: RandomSource | undefined,
  generate = true,
): Promise<ResolvedCustomerSecrets> {
  const { namespace } = environment;
  const values: Partial<CustomerSecrets> = {};
  const sources = {} as SecretSources;
  for (const field of FIELDS) {
    if (supplied[field] !== undefined && CustomerSecrets.shape[field].safeParse(supplied[field]).success) {
      values[field] = supplied[field];
      sources[field] = "supplied";
    }
  }
  await Promise.all(
    FIELDS.filter((f) => !(f in values)).map(async (field) => {
      const location = environment.secretLocations[field];
      if (!location) return;
      const stored = (await readSecret(location.secret))?.[location.key];
      if (stored === undefined) return;
      const value = storedSecret(field, location, stored);
      if (!CustomerSecrets.shape[field].safeParse(value).success) {
        // Replacing it would rotate a customer's secret behind everyone's back: stop and say where it is.
        throw new SredaError(
          "INVALID_STORED_SECRET",
          `В кластере в секрете ${location.secret} (шаблон ${location.template}, ключ ${location.key}) лежит значение, которое не проходит проверку; передайте секреты клиента явно или исправьте секрет`,
          { template: location.template, secret: location.secret, key: location.key, namespace },
        );
      }
      values[field] = value;
      sources[field] = "cluster";
    }),
  );

  let generated = false;
  const missing = FIELDS.filter((f) => !(f in values));
  if (missing.length > 0 && !generate) {
    throw new SredaError("SECRETS_NOT_FOUND", `Секретов клиента ${environment.clientId} нет ни во входных данных, ни в кластере: ${missing.join(", ")}`, {
      missing,
      namespace,
    });
  }
  if (missing.length > 0) {
    const fresh = generateCustomerSecrets(random ? { random } : {});
    for (const field of FIELDS) {
      if (!(field in values)) {
        values[field] = fresh[field];
        sources[field] = "generated";
        generated = true;
      }
    }
  }
  return { secrets: CustomerSecrets.parse(values), sources, generated };
}

/**
 * Many customers of one namespace at once (a rollout): one list of the namespace's Secrets of Sreda's instead of a
 * read per customer — a Secret the list lacks (not labelled: a template override) is read by name. Each customer's
 * answer is its `ResolvedCustomerSecrets` or the error that customer alone met: a stored value that fails
 * validation, or — with `generate: false` — SECRETS_NOT_FOUND (`details.missing`) for secrets found nowhere, so a
 * caller that would drop new secrets (a rollout, a drift check) does not pay for an RSA key per new customer.
 */
export async function resolveFleetSecrets(
  kube: KubeClient,
  customers: ReadonlyArray<{ environment: EnvironmentDescription; supplied?: Partial<CustomerSecrets> }>,
  options: { random?: RandomSource; signal?: AbortSignal; generate?: boolean } = {},
): Promise<Array<ResolvedCustomerSecrets | SredaError>> {
  const namespace = customers[0]?.environment.namespace;
  if (namespace === undefined) return [];
  if (customers.some((c) => c.environment.namespace !== namespace))
    throw new SredaError("INVALID_INPUT", `Секреты клиентов читаются в одном пространстве имён за раз: ${namespace} и другие`, { namespace });
  const list = await kube.list<{ items?: { metadata?: { name?: string }; data?: Record<string, string> }[] }>(
    `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets`,
    { labelSelector: MANAGED_BY_SELECTOR, ...(options.signal ? { signal: options.signal } : {}) },
  );
  const known = new Map((list.items ?? []).map((s) => [s.metadata?.name ?? "", s.data ?? {}]));
  return Promise.all(
    customers.map(({ environment, supplied }) =>
      resolveWith(environment, supplied ?? {}, secretReader(kube, environment.namespace, options.signal, known), options.random, options.generate).catch(
        (error: unknown) => {
          if (error instanceof SredaError) return error;
          throw error;
        },
      ),
    ),
  );
}
