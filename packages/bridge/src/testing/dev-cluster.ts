/**
 * The embedded development cluster: the SDK's fake cluster served over HTTP on 127.0.0.1, on wall-clock time,
 * with namespaces lms-dev and lms-prod and their `repository-token` and `tls` Secrets seeded.
 */
import { createFakeCluster, createVirtualClock, type Timings } from "@sreda/sdk/testing";
import type { DevCluster } from "../cli.js";

export const DEV_CLUSTER_PORT = 8788;
const DEV_CLUSTER_TOKEN = "sreda-dev-token";

export async function startDevCluster(options: { port?: number; timings?: Partial<Timings> } = {}): Promise<DevCluster> {
  const fake = createFakeCluster({ clock: createVirtualClock({ realtime: true }), ...(options.timings ? { timings: options.timings } : {}) });
  const listening = await fake.listen({ port: options.port ?? DEV_CLUSTER_PORT, host: "127.0.0.1" });
  return {
    url: listening.url,
    token: DEV_CLUSTER_TOKEN,
    namespaces: ["lms-dev", "lms-prod"],
    close: async () => {
      await listening.close();
      fake.close();
    },
  };
}
