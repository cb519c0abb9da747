/**
 * The command line: configuration from the environment, the bridge, a banner for people, and signals. SIGINT or
 * SIGTERM stops gracefully (running provisionings get the grace period); a second one stops at once.
 */
import { normalizeClusterUrl } from "./allowed-clusters.js";
import { defaultKubeClientFactory, type KubeClientFactory } from "./cluster.js";
import { loadConfig, ConfigError, type BridgeConfig } from "./config.js";
import { createLogger, type Logger } from "./logger.js";
import { Redactor } from "./redact.js";
import { startBridge, type RunningBridge } from "./server.js";

/** A cluster started next to the bridge for development (the embedded fake cluster). */
export interface DevCluster {
  url: string;
  token: string;
  namespaces: string[];
  /** The CA of a cluster served over https (the real control plane); the bridge trusts it for this URL only. */
  caCert?: string;
  /** The in-memory fake (default) or the real control plane of tools/real-cluster. */
  kind?: "fake" | "real";
  close(): Promise<void>;
}

export interface CliOptions {
  /** Starts a development cluster when the bridge runs in development mode. */
  devCluster?: (logger: Logger) => Promise<DevCluster>;
  env?: Record<string, string | undefined>;
  /** Where the banner goes (default stderr: stdout carries only JSON log lines). */
  print?: (text: string) => void;
  /** One more line for the banner in development mode. */
  hint?: string;
}

export async function runCli(options: CliOptions = {}): Promise<RunningBridge> {
  const print = options.print ?? ((text: string) => void process.stderr.write(`${text}\n`));
  let config: BridgeConfig;
  try {
    config = loadConfig(options.env ?? process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      print(`sreda-bridge: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger({ level: config.logLevel, redactor: new Redactor().add(config.token) });
  const cluster = config.development && options.devCluster ? await options.devCluster(logger) : undefined;
  if (config.development) {
    // The development token is known to everyone: in development mode the bridge talks to the embedded cluster
    // and to what the allow-list names, nothing else.
    config = { ...config, allowedClusters: [...(config.allowedClusters ?? []), ...(cluster ? [normalizeClusterUrl(cluster.url)!] : [])] };
  } else if (config.allowedClusters === undefined) {
    logger.warn("no cluster allow-list: the bridge will talk to any cluster a caller names; set SREDA_ALLOWED_CLUSTERS");
  }
  const bridge = await startBridge({ config, logger, ...(cluster?.caCert ? { kubeClientFactory: trustingDevCluster(cluster) } : {}) });
  logger.info("listening", { url: bridge.url, development: config.development, journal: config.journalPath ?? null });
  print(banner(config, bridge.url, cluster) + (config.development && options.hint ? `\n${options.hint}` : ""));

  let signals = 0;
  const stop = (signal: string) => {
    signals++;
    if (signals > 1) {
      logger.warn("second signal: exiting at once", { signal });
      process.exit(130);
    }
    logger.info("signal received", { signal });
    void bridge
      .close()
      .then(() => cluster?.close())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  return bridge;
}

/** The default factory, with the development cluster's CA for requests to it that bring none. */
function trustingDevCluster(cluster: DevCluster): KubeClientFactory {
  const url = normalizeClusterUrl(cluster.url);
  return (target, purpose) =>
    defaultKubeClientFactory(
      target.caCert === undefined && !target.insecureSkipTlsVerify && normalizeClusterUrl(target.apiRootUrl) === url
        ? { ...target, caCert: cluster.caCert }
        : target,
      purpose,
    );
}

function banner(config: BridgeConfig, url: string, cluster: DevCluster | undefined): string {
  const lines = [`Sreda bridge: ${url}  (OpenAPI: ${url}/openapi.json)`];
  if (config.development) {
    lines.push("Режим разработки (SREDA_TOKEN не задан): мост слушает только 127.0.0.1.");
    lines.push(`  Токен моста:        ${config.token}`);
    if (cluster) {
      lines.push(
        `  ${cluster.kind === "real" ? "Настоящий кластер: " : "Тестовый кластер:  "} ${cluster.url}  (пространства имён: ${cluster.namespaces.join(", ")})`,
      );
      lines.push(`  Токен кластера:     ${cluster.token}`);
      lines.push("  Развернуть C42:     npx tsx examples/provision-c42.ts   (в другом терминале)");
    }
  }
  lines.push(
    config.allowedClusters
      ? `Разрешённые кластеры: ${config.allowedClusters.join(", ")}`
      : "Внимание: список разрешённых кластеров не задан (SREDA_ALLOWED_CLUSTERS) — мост обратится к любому кластеру из запроса.",
  );
  lines.push("Остановка: Ctrl+C (текущие развёртывания получат время завершиться).");
  return lines.join("\n");
}
