/**
 * Two `sreda` processes for one customer, and Ctrl+C: while one provisions (its setup Jobs take 20 s here), a second
 * is refused at once with exit code 4 (the customer's Lease in the cluster says who holds it); Ctrl+C (SIGINT) stops
 * the first cleanly — the run cancelled through its AbortSignal, the lock released — with exit code 5; a third run
 * then gets the lock and finishes.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { FAST_TIMINGS, runCli, startTestCluster, writeInput, type TestCluster } from "./support/harness.js";

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster({ timings: { ...FAST_TIMINGS, jobRun: 20_000 } });
});

afterAll(async () => {
  await cluster?.close();
});

it("a second run for the same customer: exit code 4; Ctrl+C on the first: cancelled cleanly, exit code 5", async () => {
  const input = writeInput(cluster.dir, "c50.input.json", (i) => (i["client"].id = "C50"));
  const args = ["apply", "-f", input, "--kubeconfig", cluster.kubeconfig];
  let interrupt: (() => void) | undefined;
  let jobStarted!: () => void;
  const jobRunning = new Promise<void>((resolve) => (jobStarted = resolve));
  const firstRun = runCli(args, {
    dir: cluster.dir,
    onStdout: (text, kill) => {
      if (!interrupt && /"type":"step-started"[^\n]*"kind":"Job"/.test(text)) {
        interrupt = () => kill("SIGINT");
        jobStarted();
      }
    },
  });
  await jobRunning;

  const second = await runCli(args, { dir: cluster.dir });
  expect(second.code, second.stderr).toBe(4);
  expect(second.json().at(-1)).toMatchObject({ type: "error", exitCode: 4, code: "LOCKED" });

  interrupt!();
  const first = await firstRun;
  expect(first.code, first.stderr).toBe(5);
  expect(first.stderr).toContain("interrupted: cancelling");
  expect(first.json().at(-1)).toMatchObject({ type: "result", command: "apply", status: "cancelled", exitCode: 5 });

  // The lock was released: a third run gets it and finishes (the cancelled run's Jobs are followed or run again).
  const third = await runCli([...args, "--wait=false"], { dir: cluster.dir });
  expect(third.code, third.stderr).toBe(0);
  expect(third.json().at(-1)).toMatchObject({ type: "result", status: "succeeded", exitCode: 0 });
}, 90_000);
