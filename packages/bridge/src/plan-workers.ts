/**
 * Plan workers: the dry run's CPU work (render, validate, redact, serialize) on other cores, so that the bridge's
 * main thread — HTTP, request validation, operations, the journal — is not the ceiling of `POST /v1/plans`. A small
 * pool of worker_threads, each task to the least busy worker; a worker that dies fails its tasks (500) and is
 * replaced. Everything with state stays in the main thread, which is why this is worker_threads, not node:cluster.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { HttpError } from "./errors.js";
import type { DryRun, PlanTask, PlanTaskResult } from "./plan-answer.js";

/** One worker per core beyond the main thread's, at most four; none on a single core. */
export function defaultPlanWorkers(cores = availableParallelism()): number {
  return Math.max(0, Math.min(4, cores - 1));
}

interface Slot {
  worker: Worker;
  tasks: Set<number>;
}

interface Waiting {
  slot: Slot;
  resolve: (body: Buffer) => void;
  reject: (error: Error) => void;
}

export class PlanWorkers {
  private readonly slots: Slot[] = [];
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  private closed = false;

  constructor(
    size: number,
    private readonly script: { url: URL; execArgv: string[] } = planWorkerScript(),
  ) {
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  get size(): number {
    return this.slots.length;
  }

  /** The worker threads now serving (a stopped one is replaced by a new one). */
  get threads(): readonly Worker[] {
    return this.slots.map((slot) => slot.worker);
  }

  /** The dry run's JSON answer as UTF-8 bytes; bad input rejects with the same 422 as in the main thread. */
  run(request: DryRun): Promise<Buffer> {
    if (this.closed) return Promise.reject(new Error("plan workers are closed"));
    const slot = this.slots.reduce((best, s) => (s.tasks.size < best.tasks.size ? s : best));
    const id = this.nextId++;
    return new Promise<Buffer>((resolve, reject) => {
      this.waiting.set(id, { slot, resolve, reject });
      slot.tasks.add(id);
      const task: PlanTask = { id, request };
      slot.worker.postMessage(task);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  private spawn(): Slot {
    const worker = new Worker(this.script.url, { execArgv: this.script.execArgv });
    // Idle workers must not keep the process alive; a request in flight holds its socket open anyway.
    worker.unref();
    const slot: Slot = { worker, tasks: new Set() };
    worker.on("message", (result: PlanTaskResult) => this.settle(result));
    worker.on("error", (error) => this.failAll(slot, error));
    worker.on("exit", (code) => {
      this.failAll(slot, new Error(`plan worker exited with code ${code}`));
      const index = this.slots.indexOf(slot);
      if (!this.closed && index >= 0) this.slots[index] = this.spawn();
    });
    return slot;
  }

  private settle(result: PlanTaskResult): void {
    const waiting = this.waiting.get(result.id);
    if (!waiting) return;
    this.waiting.delete(result.id);
    waiting.slot.tasks.delete(result.id);
    if ("body" in result) waiting.resolve(Buffer.from(result.body.buffer, result.body.byteOffset, result.body.byteLength));
    else if ("problems" in result) waiting.reject(HttpError.invalid("Входные данные не прошли проверку", result.problems));
    else waiting.reject(Object.assign(new Error(result.failure.message), { name: result.failure.name, stack: result.failure.stack }));
  }

  private failAll(slot: Slot, error: Error): void {
    for (const id of slot.tasks) {
      this.waiting.get(id)?.reject(error);
      this.waiting.delete(id);
    }
    slot.tasks.clear();
  }
}

/**
 * The worker's script beside this module: `plan-worker.js` in the build (dist/, or its parent for dist/testing/), or
 * the TypeScript source run through tsx when the bridge itself runs from source.
 */
function planWorkerScript(): { url: URL; execArgv: string[] } {
  for (const candidate of ["./plan-worker.js", "../plan-worker.js"]) {
    const url = new URL(candidate, import.meta.url);
    if (existsSync(url)) return { url, execArgv: [] };
  }
  const source = new URL("./plan-worker.ts", import.meta.url);
  if (existsSync(source)) return { url: source, execArgv: ["--import", "tsx"] };
  throw new Error("plan-worker.js not found beside the bridge's modules");
}
