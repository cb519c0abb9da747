/**
 * Operations: kept in memory with a bounded history, and optionally journaled to a JSON-lines file so that a
 * restart loses no record. The journal holds operation records only — never a request, a credential or a secret
 * (the secrets generated for a customer live in memory until their one reader takes them).
 *
 * Journal format: one `{"v":1,"operation":{…}}` per line, appended on every change; the last line of an id wins.
 * On open the file is read (a torn last line from a crash is skipped), every operation that was still queued or
 * running is recorded as `interrupted` — the process that ran it is gone — and the file is compacted to the
 * retained records. It is compacted again whenever it grows past twenty lines per retained operation.
 */
import { appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { randomUUID } from "node:crypto";
import type { ClientSecrets } from "@sreda/sdk";
import { HttpError } from "./errors.js";
import type { Logger } from "./logger.js";
import { Redactor } from "./redact.js";
import type { OperationView } from "./schemas.js";

/** What is kept and journaled: the public view without the secrets themselves. */
export type OperationRecord = Omit<OperationView, "secrets">;
export type OperationStatus = OperationRecord["status"];

const FINAL: ReadonlySet<OperationStatus> = new Set(["succeeded", "failed", "cancelled", "interrupted"]);
export const isFinal = (status: OperationStatus) => FINAL.has(status);

/** Events kept per operation (the oldest are dropped). */
export const MAX_EVENTS = 200;

interface Live {
  record: OperationRecord;
  /** Exclusive key: cluster | namespace | customer. */
  key: string;
  controller: AbortController;
  /** Settles when the run ends (however it ends). */
  done: Promise<void> | undefined;
  /** Secrets for the operation's reader: handed out once, then deleted. Never journaled. */
  pendingSecrets: ClientSecrets | undefined;
  /** The secret values of the request that started it: every text going into the record is scrubbed with it. */
  redactor: Redactor;
}

export interface OperationStoreOptions {
  journalPath?: string | undefined;
  /** Finished operations kept (default 200). Running ones are never dropped. */
  historyLimit?: number;
  now?: () => number;
  logger?: Logger;
}

export interface NewOperation {
  key: string;
  clientId: string;
  namespace: string;
  cluster: string;
  steps: Array<{ id: string; title: string; kind: string; name: string }>;
  redactor?: Redactor;
}

/** Why a run was aborted: the caller asked, or the bridge is stopping. */
export type AbortReason = "cancel" | "shutdown";

export class OperationStore {
  private readonly ops = new Map<string, Live>();
  private readonly runningByKey = new Map<string, string>();
  private readonly journalPath: string | undefined;
  private readonly historyLimit: number;
  private readonly now: () => number;
  private readonly logger: Logger | undefined;
  private journalLines = 0;

  private constructor(options: OperationStoreOptions) {
    this.journalPath = options.journalPath;
    this.historyLimit = options.historyLimit ?? 200;
    this.now = options.now ?? Date.now;
    this.logger = options.logger;
  }

  /** Opens the store, reading the journal (if any) and recording cut-off operations as interrupted. */
  static open(options: OperationStoreOptions = {}): OperationStore {
    const store = new OperationStore(options);
    if (store.journalPath) store.load(store.journalPath);
    return store;
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }

  private load(path: string): void {
    let text = "";
    try {
      text = readFileSync(path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    let skipped = 0;
    for (const line of text.split("\n")) {
      if (line.trim() === "") continue;
      try {
        const entry = JSON.parse(line) as { v?: number; operation?: OperationRecord };
        if (entry.v !== 1 || !entry.operation?.id) throw new Error("not a journal entry");
        const previous = this.ops.get(entry.operation.id);
        this.ops.delete(entry.operation.id); // re-insert: Map order = order of last change
        this.ops.set(entry.operation.id, {
          record: entry.operation,
          key: previous?.key ?? "",
          controller: new AbortController(),
          done: undefined,
          pendingSecrets: undefined,
          redactor: new Redactor(),
        });
      } catch {
        skipped++;
      }
    }
    let interrupted = 0;
    for (const live of this.ops.values()) {
      if (isFinal(live.record.status)) continue;
      interrupt(live.record, this.iso(), "перезапуском моста");
      interrupted++;
    }
    this.evict();
    this.compact();
    if (skipped > 0 || interrupted > 0 || this.ops.size > 0) {
      this.logger?.info("journal loaded", { operations: this.ops.size, interrupted, skippedLines: skipped });
    }
  }

  /** Rewrites the journal with the retained records (write a temporary file, then rename: never half a journal). */
  private compact(): void {
    if (!this.journalPath) return;
    mkdirSync(dirname(this.journalPath), { recursive: true });
    const tmp = `${this.journalPath}.${process.pid}.tmp`;
    const lines = [...this.ops.values()].map((live) => JSON.stringify({ v: 1, operation: live.record }));
    writeFileSync(tmp, lines.length > 0 ? `${lines.join("\n")}\n` : "", { mode: 0o600 });
    renameSync(tmp, this.journalPath);
    this.journalLines = lines.length;
  }

  private journal(live: Live): void {
    if (!this.journalPath) return;
    try {
      appendFileSync(this.journalPath, `${JSON.stringify({ v: 1, operation: live.record })}\n`, { mode: 0o600 });
      this.journalLines++;
      if (this.journalLines > Math.max(1_000, this.ops.size * 20)) this.compact();
    } catch (error) {
      // A full disk must not stop provisioning; the record stays in memory.
      this.logger?.error("journal write failed", { path: this.journalPath, message: error instanceof Error ? error.message : String(error) });
    }
  }

  /** Drops the oldest finished operations beyond the history limit. */
  private evict(): void {
    let finished = [...this.ops.values()].filter((l) => isFinal(l.record.status)).length;
    for (const [id, live] of this.ops) {
      if (finished <= this.historyLimit) break;
      if (!isFinal(live.record.status)) continue;
      this.ops.delete(id);
      finished--;
    }
  }

  /** The running operation holding `key`, if any. */
  runningFor(key: string): string | undefined {
    return this.runningByKey.get(key);
  }

  /** Creates a queued operation; 409 `PROVISIONING_IN_PROGRESS` when one for the same key is still running. */
  create(init: NewOperation): OperationRecord {
    const running = this.runningByKey.get(init.key);
    if (running) {
      throw new HttpError(409, "PROVISIONING_IN_PROGRESS", `Для клиента ${init.clientId} в ${init.namespace} уже выполняется развёртывание ${running}`, {
        operationId: running,
        location: `/v1/provisionings/${running}`,
      });
    }
    const at = this.iso();
    const record: OperationRecord = {
      id: randomUUID(),
      kind: "provisioning",
      status: "queued",
      stage: "queued",
      clientId: init.clientId,
      namespace: init.namespace,
      cluster: init.cluster,
      createdAt: at,
      updatedAt: at,
      steps: init.steps.map((s) => ({ ...s, status: "pending", message: "ожидает", attempts: 0 })),
      events: [],
      environment: null,
      secretsDelivered: false,
    };
    const live: Live = { record, key: init.key, controller: new AbortController(), done: undefined, pendingSecrets: undefined, redactor: init.redactor ?? new Redactor() };
    this.ops.set(record.id, live);
    this.runningByKey.set(init.key, record.id);
    this.journal(live);
    return record;
  }

  /**
   * Runs `work` for the operation, with the operation's abort signal; records an uncaught failure as `failed`,
   * releases the key and journals when it settles. Returns at once.
   */
  run(id: string, work: (signal: AbortSignal) => Promise<void>): void {
    const live = this.must(id);
    live.done = (async () => {
      try {
        await work(live.controller.signal);
      } catch (error) {
        this.logger?.error("operation failed unexpectedly", { operationId: id, message: live.redactor.scrub(error instanceof Error ? error.message : String(error)) });
        if (!isFinal(live.record.status)) this.finish(id, "failed", { code: "INTERNAL_ERROR", message: "Внутренняя ошибка моста Sreda; подробности в журнале сервиса" });
      } finally {
        if (!isFinal(live.record.status)) this.finish(id, live.controller.signal.aborted ? statusFor(live.controller.signal.reason) : "failed");
        if (this.runningByKey.get(live.key) === id) this.runningByKey.delete(live.key);
      }
    })();
  }

  /**
   * Changes the record (its free texts are scrubbed of the request's secrets; ids, names and the rest of its
   * structure never are) and journals it. A finished record is not
   * changed (a run unwinding after a shutdown or cancel must not rewrite its outcome) unless `force`.
   */
  update(id: string, mutate: (record: OperationRecord) => void, options: { force?: boolean } = {}): void {
    const live = this.ops.get(id);
    if (!live || (isFinal(live.record.status) && !options.force)) return;
    mutate(live.record);
    scrubTexts(live.record, live.redactor);
    live.record.updatedAt = this.iso();
    if (live.record.events.length > MAX_EVENTS) live.record.events.splice(0, live.record.events.length - MAX_EVENTS);
    this.journal(live);
  }

  /** Appends one event (and journals). */
  event(id: string, event: { type: string; message: string; stepId?: string }, at: number = this.now()): void {
    this.update(id, (r) => {
      r.events.push({ at: new Date(at).toISOString(), type: event.type, ...(event.stepId ? { stepId: event.stepId } : {}), message: event.message });
    });
  }

  /** Marks the operation finished. */
  finish(id: string, status: OperationStatus, error?: OperationRecord["error"]): void {
    if (!this.ops.has(id) || isFinal(this.ops.get(id)!.record.status)) return;
    this.update(id, (r) => {
      r.status = status;
      r.stage = "done";
      r.finishedAt = this.iso();
      if (error) r.error = error;
      for (const step of r.steps) {
        if (step.status === "running" || step.status === "pending") {
          step.status = status === "succeeded" ? step.status : status === "failed" ? "skipped" : "cancelled";
          if (status === "interrupted") step.message = "прервано";
          else if (status === "cancelled") step.message = "отменено";
        }
      }
    });
    const live = this.ops.get(id);
    if (live && this.runningByKey.get(live.key) === id) this.runningByKey.delete(live.key);
    if (live) {
      const { clientId, namespace, error: failure } = live.record;
      this.logger?.info("operation finished", { operationId: id, status, clientId, namespace, ...(failure ? { code: failure.code } : {}) });
    }
    this.evict();
  }

  /** Keeps secrets for the operation's reader (memory only). */
  offerSecrets(id: string, secrets: ClientSecrets): void {
    const live = this.ops.get(id);
    if (live) live.pendingSecrets = secrets;
  }

  /** The public view; the first call after secrets were offered includes them, and wipes them. */
  read(id: string): OperationView | undefined {
    const live = this.ops.get(id);
    if (!live) return undefined;
    const secrets = live.pendingSecrets;
    if (!secrets) return structuredClone(live.record);
    live.pendingSecrets = undefined;
    this.update(
      id,
      (r) => {
        r.secretsDelivered = true;
      },
      { force: true },
    );
    return { ...structuredClone(live.record), secrets };
  }

  /** The public view without handing out secrets. */
  peek(id: string): OperationView | undefined {
    const live = this.ops.get(id);
    return live ? structuredClone(live.record) : undefined;
  }

  /** Asks a running operation to stop. 404 unknown, 409 already finished. */
  cancel(id: string): OperationView {
    const live = this.ops.get(id);
    if (!live) throw operationNotFound(id);
    if (isFinal(live.record.status)) {
      throw new HttpError(409, "OPERATION_FINISHED", `Операция ${id} уже завершена (${live.record.status})`, { operationId: id, status: live.record.status });
    }
    if (!live.controller.signal.aborted) {
      this.event(id, { type: "cancel-requested", message: "запрошена отмена" });
      live.controller.abort("cancel" satisfies AbortReason);
      if (!live.done) this.finish(id, "cancelled");
    }
    return this.peek(id)!;
  }

  get runningCount(): number {
    return this.runningByKey.size;
  }

  get size(): number {
    return this.ops.size;
  }

  /** Ids of every kept operation, oldest first. */
  ids(): string[] {
    return [...this.ops.keys()];
  }

  /**
   * Waits up to `graceMs` for running operations to finish, then aborts the rest and records them as
   * `interrupted` (their cluster work is convergent: running them again picks up where they stopped).
   */
  async shutdown(graceMs: number): Promise<{ finished: number; interrupted: number }> {
    const running = [...this.ops.values()].filter((l) => !isFinal(l.record.status));
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
      this.update(live.record.id, (r) => interrupt(r, this.iso(), "остановкой моста"));
      this.logger?.warn("operation interrupted by shutdown", { operationId: live.record.id, clientId: live.record.clientId, namespace: live.record.namespace });
      if (this.runningByKey.get(live.key) === live.record.id) this.runningByKey.delete(live.key);
    }
    // Let aborted runs unwind (their last writes land on a record that is already final).
    await Promise.race([all, new Promise<void>((resolve) => setTimeout(resolve, 2_000).unref())]);
    return { finished: running.length - interrupted, interrupted };
  }

  private must(id: string): Live {
    const live = this.ops.get(id);
    if (!live) throw operationNotFound(id);
    return live;
  }
}

export function operationNotFound(id: string): HttpError {
  return new HttpError(404, "OPERATION_NOT_FOUND", `Операция ${id} не найдена (история хранит последние операции; после перезапуска без журнала она пуста)`, { operationId: id });
}

/**
 * Scrubs the texts of a record in place: step messages, reasons and logs, event messages, the error's message and
 * details, the environment's assessment. Never ids, names, kinds, the customer, the namespace or the cluster: a
 * secret equal to a word of a step id (`postgres` in `postgres-setup-job`) must not make the step unfindable.
 */
function scrubTexts(record: OperationRecord, redactor: Redactor): void {
  for (const step of record.steps) {
    step.message = redactor.scrub(step.message);
    if (step.reason !== undefined) step.reason = redactor.scrub(step.reason);
    if (step.logs) step.logs = step.logs.map((line) => redactor.scrub(line));
  }
  for (const event of record.events) event.message = redactor.scrub(event.message);
  if (record.error) {
    record.error.message = redactor.scrub(record.error.message);
    if (record.error.details) record.error.details = redactor.scrubDeep(record.error.details);
  }
  if (record.environment) record.environment = redactor.scrubDeep(record.environment);
}

function statusFor(reason: unknown): OperationStatus {
  return reason === "shutdown" ? "interrupted" : "cancelled";
}

function interrupt(record: OperationRecord, at: string, by: string): void {
  record.status = "interrupted";
  record.finishedAt = at;
  record.updatedAt = at;
  record.error = {
    code: "INTERRUPTED",
    message: `Операция прервана ${by}; запустите развёртывание снова — уже сделанное не повторится, остальное будет выполнено`,
  };
  record.stage = "done";
  for (const step of record.steps) {
    if (step.status === "running" || step.status === "pending") {
      step.status = "cancelled";
      step.message = "прервано";
    }
  }
  record.events.push({ at, type: "interrupted", message: `операция прервана ${by}` });
}
