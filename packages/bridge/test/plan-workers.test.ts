/**
 * Dry runs built in worker threads answer exactly as in the request's thread: the same bytes, the same 422 with
 * its problems; a worker that dies fails only its own requests and is replaced.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exampleInput, startHarness, type Harness } from "./support/harness.js";

const post = (h: Harness, body: unknown) => h.raw("/v1/plans", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("POST /v1/plans on plan workers", () => {
  let inThread: Harness;
  let onWorkers: Harness;
  beforeAll(async () => {
    inThread = await startHarness();
    onWorkers = await startHarness({ config: { planWorkers: 2 } });
  });
  afterAll(async () => {
    await inThread.close();
    await onWorkers.close();
  });

  it("uses the workers it was given", () => {
    expect(onWorkers.bridge.app.bridge.planWorkers?.size).toBe(2);
    expect(inThread.bridge.app.bridge.planWorkers).toBeUndefined();
  });

  it("answers byte for byte as the request's thread does, with the same content type", async () => {
    const [a, b] = await Promise.all([post(inThread, exampleInput()), post(onWorkers, exampleInput())]);
    expect(b.status).toBe(200);
    expect(b.headers.get("content-type")).toBe(a.headers.get("content-type"));
    expect(b.text).toBe(a.text);
    expect(b.json.plan.steps.length).toBeGreaterThan(0);
  });

  it("refuses bad input with the same 422 and problems", async () => {
    const input = exampleInput();
    input.variables = [
      { name: "LMS_X", value: "1" },
      { name: "LMS_X", value: "2" },
    ];
    const [a, b] = await Promise.all([post(inThread, input), post(onWorkers, input)]);
    expect(b.status).toBe(422);
    expect(b.json.code).toBe("INVALID_INPUT");
    expect(b.json.details.problems).toEqual(a.json.details.problems);
    expect(b.json.details.problems.length).toBeGreaterThan(0);
  });

  it("answers many concurrent requests, each with its own customer's plan", async () => {
    const answers = await Promise.all(
      Array.from({ length: 24 }, (_, i) => {
        const input = exampleInput();
        input.client.id = `C${100 + i}`;
        return post(onWorkers, input);
      }),
    );
    expect(answers.map((a) => a.json.plan.clientId)).toEqual(Array.from({ length: 24 }, (_, i) => `C${100 + i}`));
  });

  it("replaces a worker that dies: its requests fail with 500, the next ones succeed", async () => {
    const workers = onWorkers.bridge.app.bridge.planWorkers!;
    const pending = post(onWorkers, exampleInput());
    const dying = workers.threads[0]!;
    await dying.terminate();
    const failedOrDone = await pending;
    expect([200, 500]).toContain(failedOrDone.status);
    const next = await Promise.all([post(onWorkers, exampleInput()), post(onWorkers, exampleInput())]);
    expect(next.map((r) => r.status)).toEqual([200, 200]);
    expect(workers.size).toBe(2);
    expect(workers.threads).not.toContain(dying);
  });
});
