/**
 * Running operations: each run in the background with its own abort signal, its outcome recorded however it ends;
 * cancellation on request; and, when the bridge stops, a grace period for running ones before the rest are
 * aborted and recorded as interrupted.
 */
import { HttpError } from "./errors.js";
import type { Logger } from "./logger.js";
import { interrupt, isFinal, type OperationRecords, type OperationStatus } from "./operation-store.js";
import type { OperationView } from "./schemas.js";

/** Why a run was aborted: the caller asked, or the bridge is stopping. */
export type AbortReason = "cancel" | "shutdown";

export class OperationRunner {
  constructor(
    private readonly store: OperationRecords,
    private readonly logger: Logger | undefined,
  ) {}

  /**
   * Runs `work` for the operation, with the operation's abort signal; records an uncaught failure as `failed`,
   * releases the key and journals when it settles. Returns at once.
   */
  run(id: string, work: (signal: AbortSignal) => Promise<void>): void {
    const { store } = this;
    const live = store.live(id);
    live.done = (async () => {
      try {
        await work(live.controller.signal);
      } catch (error) {
        this.logger?.error("operation failed unexpectedly", {
          operationId: id,
          message: live.redactor.scrub(error instanceof Error ? error.message : String(error)),
        });
        if (!isFinal(live.record.status))
          store.finish(id, "failed", { code: "INTERNAL_ERROR", message: "Внутренняя ошибка моста Sreda; подробности в журнале сервиса" });
      } finally {
        if (!isFinal(live.record.status)) store.finish(id, live.controller.signal.aborted ? statusFor(live.controller.signal.reason) : "failed");
        store.release(live);
      }
    })();
  }

  /** Asks a running operation to stop. 404 unknown, 409 already finished. */
  cancel(id: string): OperationView {
    const { store } = this;
    const live = store.live(id);
    if (isFinal(live.record.status)) {
      throw new HttpError(409, "OPERATION_FINISHED", `Операция ${id} уже завершена (${live.record.status})`, { operationId: id, status: live.record.status });
    }
    if (!live.controller.signal.aborted) {
      store.event(id, { type: "cancel-requested", message: "запрошена отмена" });
      live.controller.abort("cancel" satisfies AbortReason);
      if (!live.done) store.finish(id, "cancelled");
    }
    return store.peek(id)!;
  }

  /**
   * Waits up to `graceMs` for running operations to finish, then aborts the rest and records them as
   * `interrupted` (their cluster work is convergent: running them again picks up where they stopped).
   */
  async shutdown(graceMs: number): Promise<{ finished: number; interrupted: number }> {
    const { store } = this;
    const running = store.unfinished();
    if (running.length === 0) return { finished: 0, interrupted: 0 };
    const all = Promise.all(running.map((l) => l.done ?? Promise.resolve()));
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([all, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    let interrupted = 0;
    for (const live of running) {
      if (isFinal(live.record.status)) continue;
      interrupted++;
      live.controller.abort("shutdown" satisfies AbortReason);
      store.update(live.record.id, (r) => interrupt(r, store.iso(), "остановкой моста"));
      this.logger?.warn("operation interrupted by shutdown", { operationId: live.record.id, clientId: live.record.clientId, namespace: live.record.namespace });
      store.release(live);
    }
    // Let aborted runs unwind (their last writes land on a record that is already final).
    await Promise.race([all, new Promise<void>((resolve) => setTimeout(resolve, 2_000).unref())]);
    return { finished: running.length - interrupted, interrupted };
  }
}

function statusFor(reason: unknown): OperationStatus {
  return reason === "shutdown" ? "interrupted" : "cancelled";
}
