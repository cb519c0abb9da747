/**
 * The operations journal: a JSON-lines file so that a restart loses no record. It holds operation records only —
 * never a request, a credential or a secret (the secrets generated for a customer live in memory until their one
 * reader takes them).
 *
 * Format: one `{"v":1,"operation":{…}}` per line, appended on every change; the last line of an id wins. On open
 * the file is read (a torn last line from a crash is skipped) and, once the store has recorded cut-off operations
 * as interrupted, compacted to the retained records. It is compacted again whenever it grows past twenty lines per
 * retained operation (at least a thousand).
 */
import { appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Logger } from "./logger.js";
import type { OperationRecord } from "./operation-store.js";

/** What the journal compacts to: the records the store keeps, oldest change first. */
export interface RetainedRecords {
  readonly size: number;
  records(): OperationRecord[];
}

export class OperationJournal {
  private lines = 0;

  constructor(
    readonly path: string,
    private readonly logger?: Logger,
  ) {}

  /** The records of the file (none when it does not exist), in the order of their last change; unreadable lines are counted. */
  read(): { records: OperationRecord[]; skipped: number } {
    let text = "";
    try {
      text = readFileSync(this.path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    const byId = new Map<string, OperationRecord>();
    let skipped = 0;
    for (const line of text.split("\n")) {
      if (line.trim() === "") continue;
      try {
        const entry = JSON.parse(line) as { v?: number; operation?: OperationRecord };
        if (entry.v !== 1 || !entry.operation?.id) throw new Error("not a journal entry");
        byId.delete(entry.operation.id); // re-insert: Map order = order of last change
        byId.set(entry.operation.id, upgraded(entry.operation));
      } catch {
        skipped++;
      }
    }
    return { records: [...byId.values()], skipped };
  }

  /** Rewrites the journal with the retained records (write a temporary file, then rename: never half a journal). */
  compact(records: readonly OperationRecord[]): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    const lines = records.map((record) => JSON.stringify({ v: 1, operation: record }));
    writeFileSync(tmp, lines.length > 0 ? `${lines.join("\n")}\n` : "", { mode: 0o600 });
    renameSync(tmp, this.path);
    this.lines = lines.length;
  }

  /** Appends the record's new state; compacts when the file has grown too long. A failed write is logged, not thrown. */
  append(record: OperationRecord, retained: RetainedRecords): void {
    try {
      appendFileSync(this.path, `${JSON.stringify({ v: 1, operation: record })}\n`, { mode: 0o600 });
      this.lines++;
      if (this.lines > Math.max(1_000, retained.size * 20)) this.compact(retained.records());
    } catch (error) {
      // A full disk must not stop provisioning; the record stays in memory.
      this.logger?.error("journal write failed", { path: this.path, message: error instanceof Error ? error.message : String(error) });
    }
  }
}

/** A record as the current schema has it: a journal written before pruning and status warnings lacks them (none then). */
function upgraded(record: OperationRecord): OperationRecord {
  const environment = record.environment && { ...record.environment, warnings: record.environment.warnings ?? [] };
  return { ...record, pruned: record.pruned ?? [], environment };
}
