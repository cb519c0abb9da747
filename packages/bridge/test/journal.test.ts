/**
 * Operations across restarts: the journal keeps every record (never a secret), a run cut off by a restart shows as
 * interrupted, running it again converges; a graceful shutdown lets running provisionings finish within the grace
 * period; the history is bounded.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { createFakeCluster, createVirtualClock } from "@sreda/sdk/testing";
import { OperationStore } from "../src/operations.js";
import { Redactor } from "../src/redact.js";
import { provisioningRequest, registerRequestSecrets, startClusterHarness, waitForOperation } from "./support/cluster.js";
import { recordOperations } from "./support/harness.js";
import { LeakScanner } from "./support/leaks.js";

const scanner = new LeakScanner();
registerRequestSecrets(scanner);
const dirs: string[] = [];
let journal: string;

beforeEach(() => {
  const dir = mkdtempSync(join(tmpdir(), "sreda-journal-"));
  dirs.push(dir);
  journal = join(dir, "operations.jsonl");
});

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  scanner.expectClean();
});

function scanJournal(path: string): void {
  scanner.record(`journal ${path}`, readFileSync(path, "utf8"));
}

describe("a rollout in the journal", () => {
  it("is written at most once a second for its many small changes, and a restart shows it interrupted: those running cut off, the rest not started", async () => {
    const store = OperationStore.open({ journalPath: journal });
    const rollout = {
      canary: 1,
      concurrency: 2,
      maxFailures: 1,
      paused: false,
      summary: { total: 3, pending: 3, running: 0, succeeded: 0, failed: 0, upToDate: 0, notStarted: 0, cancelled: 0 },
      customers: ["C1", "C2", "C3"].map((clientId) => ({ clientId, state: "pending" as const, canary: clientId === "C1", message: "ожидает" })),
    };
    const record = store.create({ kind: "rollout", key: "k|lms-dev|*rollout", clientId: "", namespace: "lms-dev", cluster: "https://c", steps: [], rollout });
    const lines = () => readFileSync(journal, "utf8").trim().split("\n").length;
    const before = lines();
    for (let i = 0; i < 50; i++)
      store.update(
        record.id,
        (r) => {
          r.rollout!.customers[0]!.state = i === 49 ? "succeeded" : "running";
          r.rollout!.customers[1]!.state = "running";
        },
        { deferJournal: true },
      );
    expect(lines()).toBe(before); // not yet: coalesced
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(lines()).toBe(before + 1); // once, with the last state
    const restarted = OperationStore.open({ journalPath: journal });
    const after = restarted.peek(record.id)!;
    expect(after.status).toBe("interrupted");
    expect(after.rollout!.customers.map((c) => [c.clientId, c.state])).toEqual([
      ["C1", "succeeded"],
      ["C2", "cancelled"],
      ["C3", "not-started"],
    ]);
    expect(after.rollout!.summary).toMatchObject({ total: 3, pending: 0, running: 0, succeeded: 1, cancelled: 1, notStarted: 1 });
  });
});

describe("a restart", () => {
  it("shows a cut-off provisioning as interrupted, and running it again converges", async () => {
    // One cluster outlives two bridges. Its clock is manual: the first bridge's run stops where the test wants.
    const fake = createFakeCluster({ clock: createVirtualClock({ auto: false }) });
    const first = await startClusterHarness({ scanner, existingFake: fake, config: { journalPath: journal } });
    const started = await first.client.POST("/v1/provisionings", { body: provisioningRequest() as never });
    const id = started.data!.operation.id;
    // Time moves only when the test says: step by step until the first objects exist.
    while (!first.operations.peek(id)!.steps.some((s) => s.status === "created")) await fake.clock.advance(100);
    // 1C polls and keeps the generated secrets.
    const polled = await first.client.GET("/v1/provisionings/{id}", { params: { path: { id } } });
    const kept = polled.data!.operation.secrets!;
    expect(kept).toBeDefined();
    // No grace: the run is interrupted at once. Time moves while the bridge closes, so the stopped run gives the
    // customer's Lease back, as a bridge that stops does (its requests wait on the clock).
    let closed = false;
    const closing = first.bridge.close({ graceMs: 0 }).finally(() => (closed = true));
    while (!closed) await fake.clock.advance(100);
    expect(await closing).toEqual({ finished: 0, interrupted: 1 });
    recordOperations(first);

    const second = await startClusterHarness({ scanner, existingFake: fake, config: { journalPath: journal } });
    const after = await second.client.GET("/v1/provisionings/{id}", { params: { path: { id } } });
    expect(after.response.status).toBe(200);
    const op = after.data!.operation;
    expect(op).toMatchObject({ status: "interrupted", stage: "done", error: { code: "INTERRUPTED" }, secretsDelivered: true });
    expect(op.secrets).toBeUndefined();
    const created = op.steps.filter((s) => s.status === "created").map((s) => s.id);
    expect(created.length).toBeGreaterThan(0);
    expect(op.steps.some((s) => s.status === "cancelled")).toBe(true);

    // Again, with the kept secrets: what the first run did stays as it is, the rest is done.
    const rerun = await second.client.POST("/v1/provisionings", { body: { ...provisioningRequest(), secrets: kept } as never });
    expect(rerun.response.status).toBe(202);
    const { final } = await waitForOperation(second, rerun.data!.operation.id, { advanceMs: 1_000, timeoutMs: 30_000 });
    expect(final.status, JSON.stringify(final.error)).toBe("succeeded");
    for (const step of final.steps) expect(created.includes(step.id) ? ["unchanged"] : ["created", "unchanged"], step.id).toContain(step.status);
    expect(final.environment.phase).toBe("Ready");

    recordOperations(second);
    await second.close();
    fake.close();
    scanJournal(journal);
    // The journal holds both operations, and no secret (scanned above, checked in afterAll).
    const ids = new Set(
      readFileSync(journal, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).operation.id),
    );
    expect(ids).toEqual(new Set([id, rerun.data!.operation.id]));
  });

  it("records a crash (no shutdown at all) as interrupted, skipping a torn last line", () => {
    const store = OperationStore.open({ journalPath: journal });
    const op = store.create({
      key: "k",
      clientId: "C42",
      namespace: "lms-dev",
      cluster: "https://c",
      steps: [{ id: "a", title: "A", kind: "Secret", name: "a" }],
    });
    store.update(op.id, (r) => {
      r.status = "running";
      r.steps[0]!.status = "running";
    });
    appendFileSync(journal, '{"v":1,"operation":{"id":"torn'); // the process died mid-write
    const reopened = OperationStore.open({ journalPath: journal });
    expect(reopened.peek(op.id)).toMatchObject({ status: "interrupted", error: { code: "INTERRUPTED" }, steps: [{ status: "cancelled" }] });
    // Compacted: one line per operation, the torn one gone.
    const lines = readFileSync(journal, "utf8").trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!).operation.status).toBe("interrupted");
  });
});

describe("graceful shutdown", () => {
  it("lets a running provisioning finish within the grace period", async () => {
    // A manual clock keeps the run going until the shutdown has begun; then the test lets time pass.
    const h = await startClusterHarness({ scanner, manualClock: true, config: { journalPath: journal } });
    const started = await h.client.POST("/v1/provisionings", { body: provisioningRequest({ withSecrets: true }) as never });
    let done = false;
    const closing = h.bridge.close({ graceMs: 20_000 }).finally(() => (done = true));
    expect((await h.raw("/readyz", { auth: false })).json.status).toBe("shutting-down");
    // Still answering while it drains: 1C keeps polling.
    expect((await h.client.GET("/v1/provisionings/{id}", { params: { path: { id: started.data!.operation.id } } })).response.status).toBe(200);
    while (!done) await h.fake.clock.advance(500);
    expect(await closing).toEqual({ finished: 1, interrupted: 0 });
    const record = OperationStore.open({ journalPath: journal }).peek(started.data!.operation.id);
    expect(record?.status, JSON.stringify(record?.error)).toBe("succeeded");
    recordOperations(h);
    h.fake.close();
    scanJournal(journal);
  });

  it("records what did not finish within the grace period as interrupted", async () => {
    const h = await startClusterHarness({ scanner, manualClock: true, config: { journalPath: journal } });
    const started = await h.client.POST("/v1/provisionings", { body: provisioningRequest({ withSecrets: true }) as never });
    expect(await h.bridge.close({ graceMs: 50 })).toEqual({ finished: 0, interrupted: 1 });
    expect(OperationStore.open({ journalPath: journal }).peek(started.data!.operation.id)).toMatchObject({
      status: "interrupted",
      error: { code: "INTERRUPTED" },
    });
    recordOperations(h);
    h.fake.close();
  });
});

describe("the operation store", () => {
  const step = [{ id: "a", title: "A", kind: "Secret", name: "a" }];

  it("never journals secrets, and hands them out once", () => {
    const store = OperationStore.open({ journalPath: journal });
    const op = store.create({ key: "k", clientId: "C42", namespace: "lms-dev", cluster: "https://c", steps: step });
    store.offerSecrets(op.id, {
      rsaPrivateKeyPem: "-----BEGIN PRIVATE KEY-----\nQUJD\n-----END PRIVATE KEY-----\n",
      keysSecretSeed: "a".repeat(128),
      postgresUserPassword: "StoreTestPassword123",
      clickhouseUserPassword: "StoreTestPassword456",
    });
    expect(store.read(op.id)?.secrets?.postgresUserPassword).toBe("StoreTestPassword123");
    expect(store.read(op.id)?.secrets).toBeUndefined();
    expect(store.peek(op.id)?.secretsDelivered).toBe(true);
    expect(readFileSync(journal, "utf8")).not.toMatch(/StoreTestPassword|BEGIN PRIVATE KEY/);
  });

  it("scrubs the request's secret values from everything it records", () => {
    const redactor = new Redactor().add("cluster-said-hunter22");
    const store = OperationStore.open({ journalPath: journal });
    const op = store.create({ key: "k", clientId: "C42", namespace: "lms-dev", cluster: "https://c", steps: step, redactor });
    store.event(op.id, { type: "step-failed", message: 'Secret "x" is invalid: data: Invalid value: "cluster-said-hunter22"' });
    expect(store.peek(op.id)!.events[0]!.message).toBe('Secret "x" is invalid: data: Invalid value: "<redacted>"');
    expect(readFileSync(journal, "utf8")).not.toContain("hunter22");
  });

  it("keeps a bounded history of finished operations, never dropping running ones", () => {
    const store = OperationStore.open({ journalPath: journal, historyLimit: 3 });
    const running = store.create({ key: "running", clientId: "C1", namespace: "ns", cluster: "https://c", steps: step });
    const finished: string[] = [];
    for (let i = 0; i < 6; i++) {
      const op = store.create({ key: `k${i}`, clientId: `C${i + 2}`, namespace: "ns", cluster: "https://c", steps: step });
      store.finish(op.id, "succeeded");
      finished.push(op.id);
    }
    expect(store.ids()).toEqual([running.id, ...finished.slice(3)]);
    expect(OperationStore.open({ journalPath: journal, historyLimit: 3 }).ids()).toEqual(expect.arrayContaining(finished.slice(3)));
  });

  it("409 for a second operation on the same key while the first runs", () => {
    const store = OperationStore.open();
    const op = store.create({ key: "same", clientId: "C42", namespace: "lms-dev", cluster: "https://c", steps: step });
    expect(() => store.create({ key: "same", clientId: "C42", namespace: "lms-dev", cluster: "https://c", steps: step })).toThrow(
      expect.objectContaining({ status: 409, code: "PROVISIONING_IN_PROGRESS", details: expect.objectContaining({ operationId: op.id }) }),
    );
    store.finish(op.id, "failed");
    expect(() => store.create({ key: "same", clientId: "C42", namespace: "lms-dev", cluster: "https://c", steps: step })).not.toThrow();
  });

  it("starts empty from a missing journal file and creates it", () => {
    const store = OperationStore.open({ journalPath: join(journal, "..", "sub", "dir", "j.jsonl") });
    expect(store.size).toBe(0);
    writeFileSync(journal, "");
    expect(OperationStore.open({ journalPath: journal }).size).toBe(0);
  });
});
