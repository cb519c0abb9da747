/**
 * The bridge with a fake cluster behind it, over real HTTP: provisioning from start to Ready (secrets handed out
 * once), diffs, live status, concurrency (409), cancel, and what a down cluster or a wrong cluster token becomes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getTemplate } from "@sreda/sdk";
import { createFakeCluster } from "@sreda/sdk/testing";
import type { KubeClientFactory } from "../src/cluster.js";
import { PlanResponse } from "../src/schemas.js";
import {
  closedPortUrl,
  FAKE_CLUSTER_URL,
  fakeFactory,
  provisioningRequest,
  registerRequestSecrets,
  startClusterHarness,
  waitForOperation,
  waitUntil,
  type ClusterHarness,
} from "./support/cluster.js";
import { recordOperations, startHarness } from "./support/harness.js";
import { LeakScanner } from "./support/leaks.js";

const scanner = new LeakScanner();
registerRequestSecrets(scanner);
scanner.secret("wrong-cluster-token-5f2a9c");

let h: ClusterHarness;
/** The secrets the bridge generated for C42, as 1C would have kept them. */
let keptSecrets: Record<string, string> | undefined;

beforeAll(async () => {
  h = await startClusterHarness({ scanner });
});

afterAll(async () => {
  recordOperations(h);
  await h.close();
  h.fake.close();
  scanner.expectClean();
});

describe("provisioning a new customer", () => {
  it("starts with 202 and a Location, runs every step, ends Ready; the secrets are handed out exactly once", async () => {
    const started = await h.client.POST("/v1/provisionings", { body: provisioningRequest() as never });
    expect(started.response.status).toBe(202);
    const id = started.data!.operation.id;
    expect(started.response.headers.get("location")).toBe(`/v1/provisionings/${id}`);
    expect(started.data!.operation).toMatchObject({ clientId: "C42", namespace: "lms-dev", cluster: FAKE_CLUSTER_URL, secretsDelivered: false });
    expect(started.data!.operation.secrets).toBeUndefined();

    const { final, seen } = await waitForOperation(h, id);
    expect(final.status, JSON.stringify(final.error)).toBe("succeeded");
    expect(final.steps.map((s: { status: string }) => s.status)).toEqual(Array(9).fill("created"));
    expect(final.environment).toMatchObject({ phase: "Ready" });
    expect(final.secretSources).toEqual({
      rsaPrivateKeyPem: "generated",
      keysSecretSeed: "generated",
      postgresUserPassword: "generated",
      clickhouseUserPassword: "generated",
    });
    expect(final.events.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(["started", "secrets-generated", "step-started", "step-succeeded", "environment"]),
    );

    const withSecrets = seen.filter((op) => op.secrets);
    expect(withSecrets).toHaveLength(1);
    keptSecrets = withSecrets[0].secrets;
    expect(Object.keys(keptSecrets!).sort()).toEqual(["clickhouseUserPassword", "keysSecretSeed", "postgresUserPassword", "rsaPrivateKeyPem"]);
    expect(final.secretsDelivered).toBe(true);
    const again = await h.client.GET("/v1/provisionings/{id}", { params: { path: { id } } });
    expect(again.data!.operation.secrets).toBeUndefined();

    // What went to the cluster is what was handed out.
    const secret = h.fake.getObject("Secret", "lms-dev", "lms-db-setup-c42") as { data: Record<string, string> };
    expect(Buffer.from(secret.data["postgres-user-password"]!, "base64").toString()).toBe(keptSecrets!["postgresUserPassword"]);
  });

  it("a second run with the kept secrets converges: every object unchanged", async () => {
    const started = await h.client.POST("/v1/provisionings", { body: { ...provisioningRequest(), secrets: keptSecrets } as never });
    const { final, seen } = await waitForOperation(h, started.data!.operation.id);
    expect(final.status).toBe("succeeded");
    expect(final.steps.map((s: { status: string }) => s.status)).toEqual(Array(9).fill("unchanged"));
    expect(seen.some((op) => op.secrets)).toBe(false);
    expect(final.secretSources.postgresUserPassword).toBe("supplied");
  });

  it("a run without secrets reads them back from the cluster instead of making new ones", async () => {
    const started = await h.client.POST("/v1/provisionings", { body: provisioningRequest() as never });
    const { final, seen } = await waitForOperation(h, started.data!.operation.id);
    expect(final.status).toBe("succeeded");
    expect(final.secretSources).toEqual({
      rsaPrivateKeyPem: "cluster",
      keysSecretSeed: "cluster",
      postgresUserPassword: "cluster",
      clickhouseUserPassword: "cluster",
    });
    expect(seen.find((op) => op.secrets)?.secrets).toEqual(keptSecrets);
  });
});

describe("a template override that renames a Secret and its key", () => {
  // Before the plan described where secrets are kept, the bridge looked them up under the shipped names: a renamed
  // Secret read as "missing" and the customer's secrets were silently regenerated.
  const templates = (() => {
    const rename = (id: string, pairs: [string, string][]) => {
      const template = structuredClone(getTemplate(id)!);
      for (const [from, to] of pairs) {
        template.body = template.body!.replaceAll(from, to);
        if (template.name) template.name = template.name.replaceAll(from, to);
      }
      return template;
    };
    return [
      rename("rsa-secret", [
        ["rsa-secret-{{client-slug}}", "lms-keys-{{client-slug}}"],
        ['"rsa_key"', '"private.pem"'],
      ]),
      rename("lms-deployment", [["rsa-secret-{{client-slug}}", "lms-keys-{{client-slug}}"]]),
    ];
  })();

  it("keeps every secret on a run without them: read back under the new names (provisioning and diff)", async () => {
    const body = { ...provisioningRequest({ clientId: "C71" }), templates };
    const first = await waitForOperation(h, (await h.client.POST("/v1/provisionings", { body: body as never })).data!.operation.id);
    expect(first.final.status).toBe("succeeded");
    const kept = first.seen.find((op) => op.secrets)!.secrets;
    expect(h.fake.getObject("Secret", "lms-dev", "lms-keys-c71")).toBeDefined();

    const second = await waitForOperation(h, (await h.client.POST("/v1/provisionings", { body: body as never })).data!.operation.id);
    expect(second.final.status).toBe("succeeded");
    expect(second.final.secretSources).toEqual({
      rsaPrivateKeyPem: "cluster",
      keysSecretSeed: "cluster",
      postgresUserPassword: "cluster",
      clickhouseUserPassword: "cluster",
    });
    expect(second.seen.find((op) => op.secrets)?.secrets).toEqual(kept);
    expect(second.final.steps.map((s: { status: string }) => s.status)).toEqual(Array(9).fill("unchanged"));

    const diff = await h.client.POST("/v1/plans", { body: { ...body, diff: true } as never });
    expect(diff.data!.secretSources.rsaPrivateKeyPem).toBe("cluster");
    expect(diff.data!.diff!.filter((d) => d.action !== "unchanged")).toEqual([]);
  });
});

describe("diff", () => {
  it("shows every object as create for a customer not yet provisioned", async () => {
    const res = await h.client.POST("/v1/plans", { body: { ...provisioningRequest({ clientId: "C43" }), diff: true } as never });
    expect(res.response.status).toBe(200);
    const body = PlanResponse.parse(res.data);
    expect(body.diff!.map((d) => d.action)).toEqual(Array(9).fill("create"));
    expect(body.secretSources.postgresUserPassword).toBe("generated");
  });

  it("shows a provisioned customer unchanged, secrets compared by value", async () => {
    const res = await h.client.POST("/v1/plans", { body: { ...provisioningRequest(), secrets: keptSecrets, diff: true } as never });
    expect(res.data!.diff!.filter((d) => d.action !== "unchanged")).toEqual([]);
    // Without secrets: read back from the cluster, the same answer.
    const back = await h.client.POST("/v1/plans", { body: { ...provisioningRequest(), diff: true } as never });
    expect(back.data!.diff!.every((d) => d.action === "unchanged")).toBe(true);
    expect(back.data!.secretSources.postgresUserPassword).toBe("cluster");
  });

  it("names the changed fields, never the values", async () => {
    const request = provisioningRequest();
    request["environment"].replicas = 3;
    request["variables"] = request["variables"].map((v: { name: string }) => (v.name === "LMS_SERVER_DEBUG" ? { ...v, value: "true" } : v));
    const res = await h.client.POST("/v1/plans", {
      body: { ...request, secrets: { ...keptSecrets, postgresUserPassword: "AnotherPostgresPassword42" }, diff: true } as never,
    });
    scanner.secret("AnotherPostgresPassword42");
    const byStep = Object.fromEntries(res.data!.diff!.map((d) => [d.stepId, d]));
    // The pod template carries the hash of the ConfigMap/Secrets it reads, so the variable change rolls the pods.
    expect(byStep["lms-deployment"]).toMatchObject({
      action: "change",
      changedPaths: ["$.spec.replicas", '$.spec.template.metadata.annotations["sreda.io/config-hash"]'],
    });
    expect(byStep["lms-config"]).toMatchObject({ action: "change", changedPaths: ["$.data.LMS_SERVER_DEBUG"] });
    expect(byStep["db-setup-secret"]).toMatchObject({ action: "change", changedPaths: ['$.data["postgres-user-password"]'] });
    expect(byStep["lms-service"]!.action).toBe("unchanged");
    expect(JSON.stringify(res.data)).not.toContain("AnotherPostgresPassword42");
  });
});

describe("turning a platform rule off", () => {
  it("lists the budget to delete in the diff first, then prunes it on the next provisioning — C44's only", async () => {
    const withBudget = (clientId: string) => {
      const request = provisioningRequest({ clientId });
      request["environment"].disruptionBudget = { enabled: true };
      return request;
    };
    for (const clientId of ["C44", "C45"]) {
      const on = await waitForOperation(h, (await h.client.POST("/v1/provisionings", { body: withBudget(clientId) as never })).data!.operation.id);
      expect(on.final.status, JSON.stringify(on.final.error)).toBe("succeeded");
    }
    expect(h.fake.getObject("PodDisruptionBudget", "lms-dev", "lms-disruption-budget-c44")).toBeDefined();

    const diff = await h.client.POST("/v1/plans", { body: { ...provisioningRequest({ clientId: "C44" }), diff: true } as never });
    expect(diff.data!.diff!.filter((d) => d.action !== "unchanged")).toEqual([
      { stepId: "", kind: "PodDisruptionBudget", name: "lms-disruption-budget-c44", action: "delete", changedPaths: [] },
    ]);
    expect(h.fake.getObject("PodDisruptionBudget", "lms-dev", "lms-disruption-budget-c44")).toBeDefined();

    const off = await waitForOperation(
      h,
      (await h.client.POST("/v1/provisionings", { body: provisioningRequest({ clientId: "C44" }) as never })).data!.operation.id,
    );
    expect(off.final.status).toBe("succeeded");
    expect(off.final.pruned).toEqual([
      {
        kind: "PodDisruptionBudget",
        name: "lms-disruption-budget-c44",
        outcome: "deleted",
        message: "PodDisruptionBudget lms-disruption-budget-c44 удалён: его больше нет в плане",
      },
    ]);
    expect(off.final.events.some((e: { type: string }) => e.type === "object-pruned")).toBe(true);
    expect(h.fake.getObject("PodDisruptionBudget", "lms-dev", "lms-disruption-budget-c44")).toBeUndefined();
    expect(h.fake.getObject("PodDisruptionBudget", "lms-dev", "lms-disruption-budget-c45")).toBeDefined();
  });
});

describe("environment status", () => {
  it("reports many environments at once, each on its own", async () => {
    const down = await closedPortUrl();
    const ref = (id: string, apiRootUrl = FAKE_CLUSTER_URL, token = "sreda-dev-token") => ({
      client: { id, organizationName: "ignored" },
      environment: { namespace: "lms-dev", apiRootUrl },
      cluster: { token },
    });
    const res = await h.client.POST("/v1/environments/status", {
      body: { environments: [ref("C42"), ref("C77"), ref("C78", down), ref("C79", FAKE_CLUSTER_URL, "wrong-cluster-token-5f2a9c")] },
    });
    expect(res.response.status).toBe(200);
    const [c42, c77, c78, c79] = res.data!.environments;
    expect(c42).toMatchObject({ clientId: "C42", status: { phase: "Ready" } });
    expect(c77).toMatchObject({ clientId: "C77", status: { phase: "Pending" } });
    expect(c78).toMatchObject({ clientId: "C78", error: { code: "CLUSTER_UNREACHABLE" } });
    expect(c79).toMatchObject({ clientId: "C79", error: { code: "CLUSTER_UNAUTHORIZED" } });
    expect(c79!.error!.message).toMatch(/токен/);
  });

  it("422 for an empty list", async () => {
    const res = await h.client.POST("/v1/environments/status", { body: { environments: [] } });
    expect(res.response.status).toBe(422);
    expect(res.error!.details.problems![0]!.path).toBe("environments");
  });
});

describe("when the cluster is down", () => {
  it("a diff is 502 CLUSTER_UNREACHABLE", async () => {
    const res = await h.client.POST("/v1/plans", { body: { ...provisioningRequest({ clusterUrl: await closedPortUrl() }), diff: true } as never });
    expect(res.response.status).toBe(502);
    expect(res.error).toMatchObject({ code: "CLUSTER_UNREACHABLE" });
    expect(res.error!.message).toMatch(/недоступен/);
  });

  it("a provisioning is accepted and fails with the same code", async () => {
    const started = await h.client.POST("/v1/provisionings", { body: provisioningRequest({ clusterUrl: await closedPortUrl(), clientId: "C50" }) as never });
    expect(started.response.status).toBe(202);
    const { final } = await waitForOperation(h, started.data!.operation.id);
    expect(final).toMatchObject({ status: "failed", error: { code: "CLUSTER_UNREACHABLE" } });
  });
});

describe("when the cluster rejects the token", () => {
  const wrong = { clusterToken: "wrong-cluster-token-5f2a9c", clientId: "C51" };

  it("a diff is 502 CLUSTER_UNAUTHORIZED, not 401 (which would mean the bridge's own token)", async () => {
    const res = await h.client.POST("/v1/plans", { body: { ...provisioningRequest(wrong), diff: true } as never });
    expect(res.response.status).toBe(502);
    expect(res.error).toMatchObject({ code: "CLUSTER_UNAUTHORIZED", details: { clusterStatus: 401 } });
  });

  it("a provisioning fails reading secrets, or in preflight when all secrets are supplied", async () => {
    const a = await h.client.POST("/v1/provisionings", { body: provisioningRequest(wrong) as never });
    expect((await waitForOperation(h, a.data!.operation.id)).final).toMatchObject({ status: "failed", error: { code: "CLUSTER_UNAUTHORIZED" } });
    const b = await h.client.POST("/v1/provisionings", { body: provisioningRequest({ ...wrong, withSecrets: true }) as never });
    const { final } = await waitForOperation(h, b.data!.operation.id);
    expect(final).toMatchObject({ status: "failed", error: { code: "PREFLIGHT_FAILED" } });
    expect(final.error.message).toMatch(/токен/);
    expect(final.steps.every((s: { status: string }) => s.status === "skipped")).toBe(true);
  });
});

describe("a failing environment", () => {
  it("ends failed with the failing step, its reason and its pod's last log lines", async () => {
    const request = provisioningRequest({ clientId: "C60", withSecrets: true });
    request["environment"].images = { clickhouseClient: "registry.example/clickhouse-client-fail:1" };
    const started = await h.client.POST("/v1/provisionings", { body: request as never });
    const { final } = await waitForOperation(h, started.data!.operation.id);
    expect(final.status).toBe("failed");
    expect(final.error.code).toBe("APPLY_FAILED");
    const job = final.steps.find((s: { id: string }) => s.id === "clickhouse-setup-job");
    expect(job).toMatchObject({ status: "failed", reason: "BackoffLimitExceeded" });
    expect(job.logs?.length).toBeGreaterThan(0);
    expect(final.steps.find((s: { id: string }) => s.id === "lms-deployment").status).toBe("skipped");
  });
});

describe("one provisioning per customer at a time", () => {
  let manual: ClusterHarness;
  beforeAll(async () => {
    // A manual clock: nothing advances unless the test says so, so a run stays running for as long as needed.
    manual = await startClusterHarness({ scanner, manualClock: true });
  });
  afterAll(async () => {
    recordOperations(manual);
    await manual.close();
    manual.fake.close();
  });

  it("the second is 409 with the running operation's id; another customer is not held up", async () => {
    const first = await manual.client.POST("/v1/provisionings", { body: provisioningRequest({ withSecrets: true }) as never });
    expect(first.response.status).toBe(202);
    const id = first.data!.operation.id;
    const second = await manual.client.POST("/v1/provisionings", { body: provisioningRequest({ withSecrets: true }) as never });
    expect(second.response.status).toBe(409);
    expect(second.error).toMatchObject({ code: "PROVISIONING_IN_PROGRESS", details: { operationId: id, location: `/v1/provisionings/${id}` } });
    const other = await manual.client.POST("/v1/provisionings", { body: provisioningRequest({ withSecrets: true, clientId: "C44" }) as never });
    expect(other.response.status).toBe(202);
    // The status call says which operation is running.
    const status = await manual.client.POST("/v1/environments/status", {
      body: {
        environments: [{ client: { id: "C42" }, environment: { namespace: "lms-dev", apiRootUrl: FAKE_CLUSTER_URL }, cluster: { token: "sreda-dev-token" } }],
      },
    });
    expect(status.data!.environments[0]!.operationId).toBe(id);
  });

  it("cancel stops a running provisioning; a finished one cannot be cancelled", async () => {
    const started = await manual.client.POST("/v1/provisionings", { body: provisioningRequest({ withSecrets: true, clientId: "C45" }) as never });
    const id = started.data!.operation.id;
    // Wait until it is under way; the manual clock never lets it finish (a Job waits, or the rate limiter does).
    await waitUntil(manual, id, (op) => op.status === "running");
    const cancel = await manual.client.POST("/v1/provisionings/{id}/cancel", { params: { path: { id } } });
    expect(cancel.response.status).toBe(202);
    // Time moves again, so the stopped run can give the customer's Lease back (its requests wait on the clock).
    const { final } = await waitForOperation(manual, id, { advanceMs: 100 });
    expect(final.status).toBe("cancelled");
    expect(final.steps.some((s: { status: string }) => s.status === "cancelled")).toBe(true);
    expect(final.events.map((e: { type: string }) => e.type)).toContain("cancel-requested");
    const again = await manual.client.POST("/v1/provisionings/{id}/cancel", { params: { path: { id } } });
    expect(again.response.status).toBe(409);
    expect(again.error!.code).toBe("OPERATION_FINISHED");
    // The customer is free again.
    const next = await manual.client.POST("/v1/provisionings", { body: provisioningRequest({ withSecrets: true, clientId: "C45" }) as never });
    expect(next.response.status).toBe(202);
  });

  it("the same cluster spelt differently (host case, default port, trailing slash) is the same customer: 409", async () => {
    const spelt = (apiRootUrl: string) => {
      const request = provisioningRequest({ withSecrets: true, clientId: "C47" });
      request["cluster"] = { ...request["cluster"], apiRootUrl };
      return request;
    };
    const first = await manual.client.POST("/v1/provisionings", { body: spelt("https://Rancher.FAKE.test:443/k8s/clusters/c-test") as never });
    expect(first.response.status).toBe(202);
    const id = first.data!.operation.id;
    expect(first.data!.operation.cluster).toBe(FAKE_CLUSTER_URL);
    const second = await manual.client.POST("/v1/provisionings", { body: spelt("https://rancher.fake.test/k8s/clusters/c-test/") as never });
    expect(second.response.status).toBe(409);
    expect(second.error).toMatchObject({ code: "PROVISIONING_IN_PROGRESS", details: { operationId: id } });
    // The status call finds the running operation however its cluster is spelt.
    const status = await manual.client.POST("/v1/environments/status", {
      body: {
        environments: [
          {
            client: { id: "C47" },
            environment: { namespace: "lms-dev", apiRootUrl: "https://RANCHER.fake.test:443/k8s/clusters/c-test/" },
            cluster: { token: "sreda-dev-token" },
          },
        ],
      },
    });
    expect(status.data!.environments[0]!.operationId).toBe(id);
  });

  it("a shutdown refuses new provisionings and reports not ready", async () => {
    manual.bridge.app.bridge.beginShutdown();
    const res = await manual.client.POST("/v1/provisionings", { body: provisioningRequest({ withSecrets: true, clientId: "C46" }) as never });
    expect(res.response.status).toBe(503);
    expect(res.error!.code).toBe("SHUTTING_DOWN");
    expect((await manual.raw("/readyz", { auth: false })).status).toBe(503);
  });
});

describe("secret values that look like names", () => {
  it("an admin password equal to a word of the step ids leaves the steps and their ids intact", async () => {
    const request = provisioningRequest({ clientId: "C70", withSecrets: true });
    request["databases"].postgres.adminPassword = "postgres";
    const started = await h.client.POST("/v1/provisionings", { body: request as never });
    expect(started.response.status).toBe(202);
    expect(started.data!.operation.steps.map((s: { id: string }) => s.id)).toContain("postgres-setup-job");
    const { final } = await waitForOperation(h, started.data!.operation.id);
    expect(final.status, JSON.stringify(final.error)).toBe("succeeded");
    const ids = final.steps.map((s: { id: string }) => s.id);
    expect(ids).toContain("postgres-setup-job");
    expect(ids.join(" ")).not.toContain("<redacted>");
    expect(final.steps.map((s: { status: string }) => s.status)).toEqual(Array(final.steps.length).fill("created"));
    expect(final.events.filter((e: { stepId?: string }) => e.stepId).every((e: { stepId: string }) => ids.includes(e.stepId))).toBe(true);
  });

  it("the name of the image pull Secret is not a secret: a preflight message names it", async () => {
    const fake = createFakeCluster({ defaultSecrets: false });
    const bare = await startHarness({ scanner, kubeClientFactory: fakeFactory(fake), clock: fake.clock });
    try {
      const request = provisioningRequest({ clientId: "C71", withSecrets: true });
      request["environment"] = { ...request["environment"], imagePullSecret: "repository-token", tlsSecret: "tls" };
      const started = await bare.client.POST("/v1/provisionings", { body: request as never });
      expect(started.response.status).toBe(202);
      const { final } = await waitForOperation({ ...bare, fake }, started.data!.operation.id);
      expect(final).toMatchObject({ status: "failed", error: { code: "PREFLIGHT_FAILED" } });
      expect(final.error.message).toContain("нет секрета repository-token");
      expect(final.error.message).not.toContain("<redacted>");
      expect(JSON.stringify(final.error.details)).toContain('"name":"repository-token"');
      recordOperations(bare);
    } finally {
      await bare.close();
      fake.close();
    }
  });
});

describe("a cluster client that cannot be made", () => {
  it("holds nothing: the customer is not blocked and no queued record is left behind", async () => {
    const fake = createFakeCluster();
    const working = fakeFactory(fake);
    let calls = 0;
    const flaky: KubeClientFactory = (target, purpose) => {
      if (calls++ === 0) throw new Error("cannot make a client");
      return working(target, purpose);
    };
    const f = await startHarness({ scanner, kubeClientFactory: flaky, clock: fake.clock });
    try {
      const request = provisioningRequest({ clientId: "C72", withSecrets: true });
      const first = await f.client.POST("/v1/provisionings", { body: request as never });
      expect(first.response.status).toBe(500);
      expect(f.operations.size).toBe(0);
      const second = await f.client.POST("/v1/provisionings", { body: request as never });
      expect(second.response.status, JSON.stringify(second.error)).toBe(202);
      const { final } = await waitForOperation({ ...f, fake }, second.data!.operation.id);
      expect(final.status, JSON.stringify(final.error)).toBe("succeeded");
      recordOperations(f);
    } finally {
      await f.close();
      fake.close();
    }
  });
});
