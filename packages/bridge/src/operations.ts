/**
 * Operations: kept in memory with a bounded history (./operation-store.ts), optionally journaled to a JSON-lines
 * file so that a restart loses no record (./operation-journal.ts), and run in the background with cancellation
 * and a graceful shutdown (./operation-runner.ts). `OperationStore` puts the three together; importers use it.
 */
import type { Logger } from "./logger.js";
import { OperationJournal } from "./operation-journal.js";
import { OperationRunner } from "./operation-runner.js";
import { OperationRecords, type OperationStoreOptions } from "./operation-store.js";
import type { OperationView } from "./schemas.js";

export { isFinal, MAX_EVENTS, OPERATION_NAMES, operationLocation, operationNotFound } from "./operation-store.js";
export type { NewOperation, OperationRecord, OperationStatus, OperationStoreOptions } from "./operation-store.js";
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
   * Waits up to `graceMs` for running operations to finish, then aborts the rest and records them as
   * `interrupted` (their cluster work is convergent: running them again picks up where they stopped).
   */
  shutdown(graceMs: number): Promise<{ finished: number; interrupted: number }> {
    return this.runner.shutdown(graceMs);
  }
}
