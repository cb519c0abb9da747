/**
 * The dependency graph of a plan, run with bounded parallelism: a step starts when every step it depends on has
 * succeeded, is skipped when one of them did not, and nothing new starts once the run is aborted.
 */
import type { PlanStep } from "../core/plan.js";

interface GraphCallbacks {
  /** Runs one step; resolves when it succeeded, rejects when it failed. */
  run: (step: PlanStep) => Promise<void>;
  /** A step that will not run because `blockedBy` did not succeed. */
  skipped: (step: PlanStep, blockedBy: string[]) => void;
  /** A step that will not run because the run was aborted. */
  cancelled: (step: PlanStep) => void;
}

export async function runGraph(steps: readonly PlanStep[], concurrency: number, signal: AbortSignal | undefined, on: GraphCallbacks): Promise<void> {
  const pending = new Map(steps.map((s) => [s.id, s]));
  const running = new Map<string, Promise<void>>();
  const succeeded = new Set<string>();
  const concluded = new Set<string>();
  const start = (step: PlanStep) => {
    pending.delete(step.id);
    const task = on
      .run(step)
      .then(
        () => void succeeded.add(step.id),
        () => undefined,
      )
      .finally(() => {
        concluded.add(step.id);
        running.delete(step.id);
      });
    running.set(step.id, task);
  };

  while (pending.size > 0 || running.size > 0) {
    if (signal?.aborted) {
      for (const step of pending.values()) on.cancelled(step);
      pending.clear();
    }
    for (const step of [...pending.values()]) {
      const blockedBy = step.dependsOn.filter((d) => concluded.has(d) && !succeeded.has(d));
      if (blockedBy.length > 0) {
        pending.delete(step.id);
        concluded.add(step.id);
        on.skipped(step, blockedBy);
        continue;
      }
      if (running.size >= concurrency) break;
      if (step.dependsOn.every((d) => succeeded.has(d))) start(step);
    }
    if (running.size === 0) {
      // Nothing running and nothing could start: what is left can never run (a plan is validated, so this is
      // defensive); conclude it rather than spin.
      for (const step of pending.values()) on.skipped(step, []);
      pending.clear();
      break;
    }
    await Promise.race(running.values());
  }
}
