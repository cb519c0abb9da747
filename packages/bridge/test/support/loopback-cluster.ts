/**
 * The fake cluster of @sreda/sdk/testing as a real HTTP server on 127.0.0.1 (wall-clock time, fast timings), for
 * tests whose bridge uses its default Kubernetes client — the production path, real sockets — and whose
 * allow-list names this cluster only.
 */
import { createFakeCluster, createVirtualClock, type FakeCluster } from "@sreda/sdk/testing";
import type { BridgeConfig } from "../../src/config.js";

export const LOOPBACK_CLUSTER_TOKEN = "sreda-dev-token";

export interface LoopbackCluster {
  fake: FakeCluster;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `127.0.0.1:<port>`, as the outbound watch names it. */
  origin: string;
  token: string;
  close(): Promise<void>;
}

export async function startLoopbackCluster(): Promise<LoopbackCluster> {
  const fake = createFakeCluster({
    clock: createVirtualClock({ realtime: true }),
    timings: { schedule: 20, pull: 20, start: 20, ready: 50, jobRun: 100, terminate: 20, crash: 50 },
  });
  const listening = await fake.listen({ host: "127.0.0.1", port: 0 });
  return {
    fake,
    url: listening.url,
    origin: new URL(listening.url).host,
    token: LOOPBACK_CLUSTER_TOKEN,
    close: async () => {
      await listening.close();
      fake.close();
    },
  };
}

/**
 * The bridge configuration that allows these API roots only (`allowedClusters`, `SREDA_ALLOWED_CLUSTERS`): URL
 * prefixes, spelt as `loadConfig` leaves them (WHATWG-serialized, so `http://127.0.0.1:8788` becomes
 * `http://127.0.0.1:8788/` and cannot match port 87880); a request naming any other cluster is refused with
 * 403 CLUSTER_NOT_ALLOWED before a connection is made.
 */
export function allowClusters(...apiRootUrls: string[]): Partial<BridgeConfig> {
  return { allowedClusters: apiRootUrls.map((url) => new URL(url).href.replace(/\/?$/, "/")) };
}
