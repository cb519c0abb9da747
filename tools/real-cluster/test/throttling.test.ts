/**
 * Real 429s: a second control plane for this file only, whose API server runs the classic max-in-flight filter
 * (API Priority and Fairness off) with one read and one write in flight at a time. Anything more that arrives
 * meanwhile is answered at once with 429 and `Retry-After: 1` — in plain text, not a Status (system:masters are
 * exempt, the ServiceAccount tokens are not). Several customers provisioned at the same moment with the SDK's default client
 * (burst 40, 10/s, 10 retries with jitter above the server's ask) must all succeed, every 429 answered by a retry that waits at least the server's second.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { applyPlan, createKubeClient, createProvisioningPlan, followEnvironment, systemClock, type ApplyEvent, type KubeRetryInfo } from "@sreda/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpRequest, startRealCluster, stopRealCluster, type RealClusterState } from "../src/index.js";
import { provisioningInput, until, useRealCluster } from "./support/cluster.js";
import { recordingFetch, type RecordingFetch } from "./support/recording-fetch.js";

const shared = useRealCluster("throttling.test.ts");
const THROTTLE = ["--enable-priority-and-fairness=false", "--max-requests-inflight=1", "--max-mutating-requests-inflight=1"];
const CUSTOMERS = 6;

let throttled: RealClusterState | undefined;
let stateDir: string | undefined;
let startSeconds = 0;

beforeAll(async () => {
  // Only when the shared one could start (built): the same skip/fail rule.
  if (!shared.state) return;
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "sreda-real-cluster-throttled-"));
  const t0 = performance.now();
  throttled = await startRealCluster({ stateDir, ports: "free", extraApiServerFlags: THROTTLE });
  startSeconds = (performance.now() - t0) / 1000;
}, 180_000);

afterAll(async () => {
  if (stateDir) {
    await stopRealCluster({ stateDir, wipe: true });
    fs.rmSync(`${stateDir}.lock`, { force: true });
  }
}, 120_000);

describe("429 TooManyRequests from the API server's max-in-flight limit", () => {
  it("answers concurrent requests beyond the limit with 429 TooManyRequests and Retry-After: 1", async (ctx) => {
    shared.get(ctx);
    const s = throttled!;
    expect(s.extraApiServerFlags).toEqual(THROTTLE);
    const ca = fs.readFileSync(s.caFile, "utf8");
    const headers = { authorization: `Bearer ${s.tokens.sredaEdit}`, accept: "application/json" };
    // The RoleBinding reaches the authorizer's cache a moment after the start on a busy machine: wait for it.
    await until("sreda-edit may list ConfigMaps in lms-dev", async () =>
      (await httpRequest(`${s.apiserverUrl}/api/v1/namespaces/lms-dev/configmaps`, { ca, headers })).status === 200 ? true : undefined,
    );
    // A list asking for a resourceVersion the store has not reached waits for it (up to 3 s): it holds the one
    // read slot while the others arrive, so the refusals do not depend on how fast the handshakes are.
    const slow = httpRequest(`${s.apiserverUrl}/api/v1/namespaces/lms-dev/configmaps?resourceVersion=999999999&resourceVersionMatch=NotOlderThan`, {
      ca,
      headers,
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const answers = await Promise.all(Array.from({ length: 10 }, () => httpRequest(`${s.apiserverUrl}/api/v1/namespaces/lms-dev/configmaps`, { ca, headers })));
    expect((await slow).status).toBe(504);
    const refused = answers.filter((a) => a.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    expect(answers.every((a) => a.status === 200 || a.status === 429)).toBe(true);
    expect(refused[0]!.headers["retry-after"]).toBe("1");
    // Not a Status: the filter answers before any handler, in plain text (the fake answers a Status with
    // details.retryAfterSeconds); the header is all a client gets.
    expect(refused[0]!.headers["content-type"]).toMatch(/^text\/plain/);
    expect(refused[0]!.body.trim()).toBe("Too many requests, please try again later.");
    console.log(
      `throttled control plane started in ${startSeconds.toFixed(1)} s (${THROTTLE.join(" ")}); 10 GETs while a slow list holds the slot: ${refused.length} answered 429`,
    );
  });

  it(`rides out real 429s: ${CUSTOMERS} customers provisioned at once with the default client all succeed, each 429 retried after ≥ 1 s`, async (ctx) => {
    shared.get(ctx);
    const s = throttled!;
    const ca = fs.readFileSync(s.caFile, "utf8");
    const recorders: RecordingFetch[] = [];
    const retries: KubeRetryInfo[] = [];
    const events: ApplyEvent[] = [];
    const t0 = performance.now();
    const runs = Array.from({ length: CUSTOMERS }, (_, i) => {
      const recorder = recordingFetch({ ca });
      recorders.push(recorder);
      const kube = createKubeClient({
        apiRootUrl: s.apiserverUrl,
        token: s.tokens.sredaEdit,
        fetch: recorder.fetch,
        onRetry: (info) => retries.push(info as KubeRetryInfo),
      });
      const plan = createProvisioningPlan(provisioningInput(s, `C${601 + i}`, "lms-dev"));
      return applyPlan(plan, kube, { jobPollIntervalMs: 250, onEvent: (e) => events.push(e) }).then((result) => ({ result, kube, plan }));
    });
    const done = await Promise.all(runs);
    const seconds = (performance.now() - t0) / 1000;
    for (const { result } of done) {
      expect(result.preflight).toEqual([]);
      expect(result.steps.filter((x) => x.outcome !== "created")).toEqual([]);
      expect(result.status).toBe("succeeded");
    }
    const log = recorders.flatMap((r) => r.log);
    const tooMany = log.filter((r) => r.status === 429);
    expect(tooMany.length).toBeGreaterThan(0);
    // Every 429 was retried (none was the last word), after at least the server's Retry-After of 1 s, within the 10 retries.
    expect(retries.filter((r) => r.reason === "TooManyRequests")).toHaveLength(tooMany.length);
    expect(retries.every((r) => r.reason === "TooManyRequests" && r.delayMs >= 1000 && r.attempt <= 10)).toBe(true);
    // The executor reports its steps' retries as events (preflight's are not steps).
    const stepRetries = events.filter((e) => e.type === "step-retrying");
    expect(stepRetries.every((e) => e.type === "step-retrying" && e.reason === "TooManyRequests")).toBe(true);
    const attempts = done.flatMap(({ result }) => result.steps.map((x) => x.attempts));
    expect(attempts.reduce((a, b) => a + b, 0) - attempts.length).toBe(stepRetries.length);
    const byMethod = Object.fromEntries(["GET", "POST", "PATCH", "DELETE"].map((m) => [m, tooMany.filter((r) => r.method === m).length]));
    const maxAttempt = Math.max(0, ...retries.map((r) => r.attempt)) + 1;
    const exactSecond = retries.filter((r) => r.delayMs === 1000).length;
    console.log(
      `${CUSTOMERS} concurrent provisionings on the throttled server: all succeeded in ${seconds.toFixed(1)} s; ${log.length} requests, ${tooMany.length} answered 429 ` +
        `(${JSON.stringify(byMethod)}), ${retries.length} retries (${stepRetries.length} in steps, the rest in preflight), at most ${maxAttempt} attempts for one request; ` +
        `${exactSecond} of ${retries.length} retries waited exactly 1000 ms`,
    );

    // And the environments come up on the throttled server too.
    const { kube, plan } = done[0]!;
    const assessment = await followEnvironment(kube, {
      environment: plan.environment,
      clock: systemClock,
      timeoutMs: 90_000,
    });
    expect(assessment.phase).toBe("Ready");
    for (const recorder of recorders) recorder.close();
  });
});
