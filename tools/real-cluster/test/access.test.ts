/**
 * Access on the real API server: Kubernetes' own aggregated ClusterRoles (`edit` may provision, `view` is refused in
 * preflight before any write, in operator words), a token the server does not know (401), and TLS — the cluster's CA
 * given, not given, another CA given, and verification switched off.
 */
import { applyPlan, createKubeClient, createProvisioningPlan, isKubeError, KubeNetworkError, KubeStatusError, preflight, type KubeRetryInfo } from "@sreda/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCa } from "../src/pki.js";
import { caPem, createNamespace, deleteNamespace, provisioningInput, recordedClient, useRealCluster } from "./support/cluster.js";
import { writes } from "./support/recording-fetch.js";

const cluster = useRealCluster("access.test.ts");
const NS = "rc-access";

beforeAll(async () => {
  if (cluster.state) await createNamespace(cluster.state, NS);
});
afterAll(() => deleteNamespace(cluster.state, NS));

describe("RBAC with Kubernetes' own edit and view roles", () => {
  it("provisions with the sreda-edit token (ClusterRole edit bound in the namespace): preflight clean, every step created", async (ctx) => {
    const s = cluster.get(ctx);
    const plan = createProvisioningPlan(provisioningInput(s, "C401", NS));
    const { kube, recorder } = recordedClient(s, "sredaEdit");
    expect(await preflight(plan, kube)).toEqual([]);
    const result = await applyPlan(plan, kube, { jobPollIntervalMs: 250 });
    expect(result.status).toBe("succeeded");
    expect(result.steps.every((x) => x.outcome === "created")).toBe(true);
    expect(recorder.log.filter((r) => r.status === 403)).toEqual([]);
    recorder.close();
  });

  it("refuses the sreda-view token in preflight, before any write, naming every missing right in operator words", async (ctx) => {
    const s = cluster.get(ctx);
    const plan = createProvisioningPlan(provisioningInput(s, "C402", NS));
    const { kube, recorder } = recordedClient(s, "sredaView");
    const result = await applyPlan(plan, kube);
    expect(result.status).toBe("preflight-failed");
    expect(writes(recorder.log)).toEqual([]);
    expect(result.steps.every((x) => x.outcome === "skipped" && x.message === "не выполнялся: предварительная проверка не пройдена")).toBe(true);
    // view may read and watch, but not read or list Secrets, change anything, create and delete Jobs, delete the
    // objects of the rules these settings turn off (pruning them), or touch leases (the customer's lock: its GET was
    // refused first, and preflight said why).
    expect(result.preflight.map((p) => p.message)).toEqual([
      `нет прав изменять ConfigMap в пространстве ${NS}`,
      `нет прав изменять Deployment в пространстве ${NS}`,
      `нет прав изменять Ingress в пространстве ${NS}`,
      `нет прав изменять Lease в пространстве ${NS}`,
      `нет прав изменять Secret в пространстве ${NS}`,
      `нет прав изменять Service в пространстве ${NS}`,
      `нет прав получать список Secret в пространстве ${NS}`,
      `нет прав создавать Job в пространстве ${NS}`,
      `нет прав создавать Lease в пространстве ${NS}`,
      `нет прав удалять HorizontalPodAutoscaler в пространстве ${NS}`,
      `нет прав удалять Job в пространстве ${NS}`,
      `нет прав удалять NetworkPolicy в пространстве ${NS}`,
      `нет прав удалять PodDisruptionBudget в пространстве ${NS}`,
      `нет прав читать Lease в пространстве ${NS}`,
      `нет прав читать Secret в пространстве ${NS}`,
    ]);
    expect(recorder.log.filter((r) => r.path.includes("/leases")).map((r) => `${r.method} ${r.status}`)).toEqual(["GET 403"]);
    expect(new Set(result.preflight.map((p) => p.code))).toEqual(new Set(["Forbidden"]));
    // The Secrets the templates expect were read and refused (403): reported through the permission check, not as missing.
    expect(recorder.log.filter((r) => /secrets\/(repository-token|tls)$/.test(r.path)).map((r) => r.status)).toEqual([403, 403]);
    recorder.close();
  });
});

describe("a token the API server does not know", () => {
  it("answers 401: KubeStatusError Unauthorized, preflight Unauthorized in operator words, nothing written, the token nowhere", async (ctx) => {
    const s = cluster.get(ctx);
    const token = "sreda-real-cluster-wrong-token-0123456789";
    const kube = createKubeClient({ apiRootUrl: s.apiserverUrl, token, caCert: caPem(s) });
    const error = await kube.get(`/api/v1/namespaces/${NS}`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeStatusError);
    expect(error).toMatchObject({ status: 401, code: "Unauthorized", reason: "Unauthorized" });
    const plan = createProvisioningPlan(provisioningInput(s, "C403", NS));
    const result = await applyPlan(plan, kube);
    expect(result.status).toBe("preflight-failed");
    expect(result.preflight).toEqual([
      { code: "Unauthorized", message: "токен доступа к кластеру отклонён (401 Unauthorized): проверьте токен в настройках среды" },
    ]);
    expect(JSON.stringify(result)).not.toContain(token);
    expect(JSON.stringify(error)).not.toContain(token);
    expect(String(error)).not.toContain(token);
  });
});

describe("TLS to the API server", () => {
  it("verifies the server with the cluster's CA (caCert)", async (ctx) => {
    const s = cluster.get(ctx);
    const kube = createKubeClient({ apiRootUrl: s.apiserverUrl, token: s.tokens.sredaEdit, caCert: caPem(s) });
    const version = await kube.get<{ gitVersion: string }>("/version");
    expect(version.gitVersion).toBe("v1.35.4");
    expect(await kube.get<{ metadata: { name: string } }>(`/api/v1/namespaces/${NS}`)).toMatchObject({ metadata: { name: NS } });
  });

  it("fails without the CA with a TLS KubeNetworkError that is not retried, and preflight says the cluster is unreachable", async (ctx) => {
    const s = cluster.get(ctx);
    const retries: KubeRetryInfo[] = [];
    const kube = createKubeClient({ apiRootUrl: s.apiserverUrl, token: s.tokens.sredaEdit, onRetry: (info) => retries.push(info as KubeRetryInfo) });
    const t0 = performance.now();
    const error = await kube.get("/version").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeNetworkError);
    const network = error as KubeNetworkError;
    expect(network.tls).toBe(true);
    expect(network.causeCode).toBe("UNABLE_TO_VERIFY_LEAF_SIGNATURE");
    expect(isKubeError(network, "NetworkError")).toBe(true);
    expect(retries).toEqual([]);
    expect(performance.now() - t0).toBeLessThan(5_000);
    const problems = await preflight(createProvisioningPlan(provisioningInput(s, "C404", NS)), kube);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.code).toBe("Unreachable");
    expect(problems[0]!.message).toMatch(
      /^кластер недоступен: Kubernetes API GET \/api\/v1\/namespaces\/rc-access: no answer — .*unable to verify the first certificate/,
    );
  });

  it("fails with another CA than the one that signed the server's certificate", async (ctx) => {
    const s = cluster.get(ctx);
    const other = createCa("not-the-cluster-ca");
    const kube = createKubeClient({ apiRootUrl: s.apiserverUrl, token: s.tokens.sredaEdit, caCert: other.certPem });
    const error = await kube.get("/version").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeNetworkError);
    expect((error as KubeNetworkError).tls).toBe(true);
    expect((error as KubeNetworkError).causeCode).toBe("UNABLE_TO_VERIFY_LEAF_SIGNATURE");
  });

  it("connects with insecureSkipTlsVerify, and warns the process that verification is off", async (ctx) => {
    const s = cluster.get(ctx);
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on("warning", onWarning);
    try {
      const kube = createKubeClient({ apiRootUrl: s.apiserverUrl, token: s.tokens.sredaEdit, insecureSkipTlsVerify: true });
      expect((await kube.get<{ gitVersion: string }>("/version")).gitVersion).toBe("v1.35.4");
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.map((w) => (w as Error & { code?: string }).code)).toContain("SREDA_INSECURE_TLS");
    } finally {
      process.off("warning", onWarning);
    }
  });
});
