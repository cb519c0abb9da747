/**
 * From the command line to a Kubernetes client: the connection flags read, the target worked out (./kubeconfig.ts),
 * the SDK's client made with it. Also the check that the customer's namespace exists, for the commands that only
 * read (the executor's preflight does it for the others).
 */
import { createKubeClient, isKubeError, type KubeClient } from "@sreda/sdk";
import { booleanOption, stringOption, type OptionValues } from "./args.js";
import { PreflightError } from "./exit-codes.js";
import { resolveClusterTarget, type ClusterTarget, type ConnectionFlags } from "./kubeconfig.js";
import type { SredaIo } from "./output.js";
import { CLI_VERSION } from "./version.js";

export interface Connection {
  kube: KubeClient;
  target: ClusterTarget;
}

/** The connection flags of a command line. */
function connectionFlags(values: OptionValues): ConnectionFlags {
  return {
    kubeconfig: stringOption(values, "kubeconfig"),
    context: stringOption(values, "context"),
    server: stringOption(values, "server"),
    token: stringOption(values, "token"),
    certificateAuthority: stringOption(values, "certificate-authority"),
    clientCertificate: stringOption(values, "client-certificate"),
    clientKey: stringOption(values, "client-key"),
    insecureSkipTlsVerify: booleanOption(values, "insecure-skip-tls-verify"),
  };
}

/** The client for this command line; `fallbackServer`: the input file's environment.apiRootUrl. */
export async function connect(values: OptionValues, io: SredaIo, fallbackServer?: string): Promise<Connection> {
  const target = await resolveClusterTarget(connectionFlags(values), { env: io.env, cwd: io.cwd, fallbackServer });
  const kube = createKubeClient({
    apiRootUrl: target.apiRootUrl,
    // A client certificate may authenticate alone; otherwise the token ("" for a kubeconfig user without credentials).
    ...(target.token !== undefined || target.clientCert === undefined ? { token: target.token ?? "" } : {}),
    ...(target.caCert !== undefined ? { caCert: target.caCert } : {}),
    ...(target.clientCert !== undefined && target.clientKey !== undefined ? { clientCert: target.clientCert, clientKey: target.clientKey } : {}),
    insecureSkipTlsVerify: target.insecureSkipTlsVerify,
    userAgent: `sreda-cli/${CLI_VERSION}`,
  });
  return { kube, target };
}

/**
 * The namespace exists: NotFound is a preflight failure (exit code 3). A token that may not read Namespace objects
 * (403) proves nothing, so it passes.
 */
export async function checkNamespace(kube: KubeClient, namespace: string, signal: AbortSignal): Promise<void> {
  try {
    await kube.get(`/api/v1/namespaces/${encodeURIComponent(namespace)}`, { signal });
  } catch (error) {
    if (isKubeError(error, "NotFound")) throw new PreflightError(`namespace "${namespace}" not found on ${kube.apiRootUrl}`);
    if (isKubeError(error, "Forbidden")) return;
    throw error;
  }
}
