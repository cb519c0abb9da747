/**
 * Operations: kept in memory with a bounded history (./operation-store.ts), optionally journaled to a JSON-lines
 * file so that a restart loses no record (./operation-journal.ts), and run in the background with cancellation
 * and a graceful shutdown (./operation-runner.ts). `OperationStore` puts the three together; importers use it.
 */
import type { Logger } from "./logger.js";
import { HttpError } from "./errors.js";
import { OperationJournal } from "./operation-journal.js";
import { OperationRunner } from "./operation-runner.js";
import { isFinal, OperationRecords, type OperationStoreOptions } from "./operation-store.js";
import type { OperationView } from "./schemas.js";

export { isFinal, MAX_EVENTS, OPERATION_NAMES, operationLocation, operationNotFound } from "./operation-store.js";
export type { NewOperation, OperationRecord, OperationStatus, OperationStoreOptions, PauseControl } from "./operation-store.js";
export type { AbortReason } from "./operation-runner.js";

export class OperationStore extends OperationRecords {
  private readonly runner: OperationRunner;

  private constructor(options: OperationStoreOptions, journal: OperationJournal | undefined) {
    super(options, journal);
    this.runner = new OperationRunner(this, options.logger);
  }

  /** Opens the store, reading the journal (if any) and recording cut-off operations as interrupted. */
  static open(options: OperationStoreOptions = {}): OperationStore {
    const journal = options.journalPath ? new OperationJournal(options.journalPath, options.logger) : undefined;
    const store = new OperationStore(options, journal);
    if (journal) store.load(journal, options.logger);
    return store;
  }

  private load(journal: OperationJournal, logger: Logger | undefined): void {
    const { records, skipped } = journal.read();
    const interrupted = this.restore(records);
    journal.compact(this.records());
    if (skipped > 0 || interrupted > 0 || this.size > 0) {
      logger?.info("journal loaded", { operations: this.size, interrupted, skippedLines: skipped });
    }
  }

  /**
   * Runs `work` for the operation, with the operation's abort signal; records an uncaught failure as `failed`,
   * releases the key and journals when it settles. Returns at once.
   */
  run(id: string, work: (signal: AbortSignal) => Promise<void>): void {
    this.runner.run(id, work);
  }

  /** Asks a running operation to stop. 404 unknown, 409 already finished. */
  cancel(id: string): OperationView {
    return this.runner.cancel(id);
  }

  /**
   * Pauses (or resumes) a running operation that can be paused (a rollout: those running finish, no new one
   * starts). 404 unknown, 409 finished or not pausable. Pausing a paused one changes nothing.
   */
  setPaused(id: string, paused: boolean): OperationView {
    const live = this.live(id);
    if (isFinal(live.record.status))
      throw new HttpError(409, "OPERATION_FINISHED", `Операция ${id} уже завершена (${live.record.status})`, { operationId: id, status: live.record.status });
    const control = live.control;
    if (!control)
      throw new HttpError(409, "OPERATION_NOT_PAUSABLE", `Операцию ${id} (${live.record.kind}) нельзя приостановить: приостанавливается только раскатка`, {
        operationId: id,
        kind: live.record.kind,
      });
    if (control.isPaused !== paused) {
      if (paused) control.pause();
      else control.resume();
      this.update(id, (r) => {
        if (r.rollout) r.rollout.paused = paused;
        r.events.push({
          at: this.iso(),
          type: paused ? "pause-requested" : "resume-requested",
          message: paused ? "раскатка приостановлена: начатые клиенты завершатся, новые не начнутся" : "раскатка продолжена",
        });
      });
    }
    return this.peek(id)!;
  }

  /**
   * Waits up to `graceMs` for running operations to finish, then aborts the rest and records them as
   * `interrupted` (their cluster work is convergent: running them again picks up where they stopped).
   */
  shutdown(graceMs: number): Promise<{ finished: number; interrupted: number }> {
    return this.runner.shutdown(graceMs);
  }
}
