/**
 * Operations in memory: their records by id, the running one per exclusive key, a bounded history of finished
 * ones, and the secrets waiting for their one reader. Every change is scrubbed of the request's secrets and handed
 * to the journal (./operation-journal.ts), when there is one. Running an operation is ./operation-runner.ts.
 */
import { randomUUID } from "node:crypto";
import type { CustomerSecrets } from "@sreda/sdk";
import { HttpError } from "./errors.js";
import type { Logger } from "./logger.js";
import type { OperationJournal } from "./operation-journal.js";
import { Redactor } from "./redact.js";
import type { OperationKind, OperationView } from "./schemas.js";

/** What is kept and journaled: the public view without the secrets themselves. */
export type OperationRecord = Omit<OperationView, "secrets">;
export type OperationStatus = OperationRecord["status"];

const FINAL: ReadonlySet<OperationStatus> = new Set(["succeeded", "failed", "cancelled", "interrupted"]);
export const isFinal = (status: OperationStatus) => FINAL.has(status);

/** Events kept per operation (the oldest are dropped). */
export const MAX_EVENTS = 200;

/** One kept operation: its record and what only this process knows of it. */
export interface Live {
  record: OperationRecord;
  /** Exclusive key: cluster | namespace | customer. */
  key: string;
  controller: AbortController;
  /** Settles when the run ends (however it ends). */
  done: Promise<void> | undefined;
  /** Secrets for the operation's reader: handed out once, then deleted. Never journaled. */
  pendingSecrets: CustomerSecrets | undefined;
  /** The secret values of the request that started it: every text going into the record is scrubbed with it. */
  redactor: Redactor;
  /** Pause and resume, for the kinds that can (a rollout). */
  control?: PauseControl | undefined;
}

/** What pausing a running operation needs: the SDK's RolloutControl has it. */
export interface PauseControl {
  pause(): void;
  resume(): void;
  readonly isPaused: boolean;
}

export interface OperationStoreOptions {
  journalPath?: string | undefined;
  /** Finished operations kept (default 200). Running ones are never dropped. */
  historyLimit?: number;
  now?: () => number;
  logger?: Logger;
}

/** Each kind of operation as a message names it. */
export const OPERATION_NAMES: Record<OperationKind, string> = {
  provisioning: "развёртывание",
  suspend: "приостановка",
  resume: "возобновление",
  deprovision: "удаление среды",
  rollout: "раскатка",
};

/** Where an operation is read: a provisioning where it always was, the others under /v1/operations. */
export function operationLocation(record: Pick<OperationRecord, "id" | "kind">): string {
  return record.kind === "provisioning" ? `/v1/provisionings/${record.id}` : `/v1/operations/${record.id}`;
}

export interface NewOperation {
  /** Default "provisioning". */
  kind?: OperationKind;
  key: string;
  clientId: string;
  namespace: string;
  cluster: string;
  steps: Array<{ id: string; title: string; kind: string; name: string }>;
  redactor?: Redactor;
  /** A rollout's progress from the start. */
  rollout?: OperationRecord["rollout"];
}

/** How long a deferred journal write may wait (a rollout's many small changes are written together). */
const JOURNAL_DEFER_MS = 1_000;

export class OperationRecords {
  private readonly ops = new Map<string, Live>();
  private readonly runningByKey = new Map<string, string>();
  private readonly journalDue = new Set<string>();
  private journalTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly historyLimit: number;
  protected readonly now: () => number;
  protected readonly logger: Logger | undefined;

  protected constructor(
    options: OperationStoreOptions,
    private readonly journal: OperationJournal | undefined,
  ) {
    this.historyLimit = options.historyLimit ?? 200;
    this.now = options.now ?? Date.now;
    this.logger = options.logger;
  }

  /** The current time as the records write it. */
  iso(): string {
    return new Date(this.now()).toISOString();
  }

  /**
   * Takes in records read from the journal: every one still queued or running is recorded as interrupted — the
   * process that ran it is gone — and the history is trimmed. Returns how many were interrupted.
   */
  protected restore(records: readonly OperationRecord[]): number {
    for (const record of records) {
      this.ops.delete(record.id);
      this.ops.set(record.id, { record, key: "", controller: new AbortController(), done: undefined, pendingSecrets: undefined, redactor: new Redactor() });
    }
    let interrupted = 0;
    for (const live of this.ops.values()) {
      if (isFinal(live.record.status)) continue;
      interrupt(live.record, this.iso(), "перезапуском моста");
      interrupted++;
    }
    this.evict();
    return interrupted;
  }

  /** The kept records, oldest change first (what the journal compacts to). */
  records(): OperationRecord[] {
    return [...this.ops.values()].map((live) => live.record);
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

  /**
   * 409 `PROVISIONING_IN_PROGRESS` (the code of any kind, kept for compatibility) when an operation of this bridge
   * holds `key`: it names the operation, its kind and where to read it.
   */
  refuseIfRunning(key: string, who: { clientId: string; namespace: string }): void {
    const running = this.runningByKey.get(key);
    const live = running === undefined ? undefined : this.ops.get(running);
    if (!live) return;
    const { kind } = live.record;
    throw new HttpError(
      409,
      "PROVISIONING_IN_PROGRESS",
      `Для клиента ${who.clientId} в ${who.namespace} уже выполняется ${OPERATION_NAMES[kind]} ${live.record.id}`,
      {
        operationId: live.record.id,
        kind,
        location: operationLocation(live.record),
      },
    );
  }

  /** Creates a queued operation; 409 `PROVISIONING_IN_PROGRESS` when one for the same key is still running. */
  create(init: NewOperation): OperationRecord {
    this.refuseIfRunning(init.key, init);
    const at = this.iso();
    const record: OperationRecord = {
      id: randomUUID(),
      kind: init.kind ?? "provisioning",
      status: "queued",
      stage: "queued",
      clientId: init.clientId,
      namespace: init.namespace,
      cluster: init.cluster,
      createdAt: at,
      updatedAt: at,
      steps: init.steps.map((s) => ({ ...s, status: "pending", message: "ожидает", attempts: 0 })),
      pruned: [],
      events: [],
      environment: null,
      secretsDelivered: false,
      ...(init.rollout ? { rollout: init.rollout } : {}),
    };
    const live: Live = {
      record,
      key: init.key,
      controller: new AbortController(),
      done: undefined,
      pendingSecrets: undefined,
      redactor: init.redactor ?? new Redactor(),
    };
    this.ops.set(record.id, live);
    this.runningByKey.set(init.key, record.id);
    this.journal?.append(live.record, this);
    return record;
  }

  /**
   * Changes the record (its free texts are scrubbed of the request's secrets; ids, names and the rest of its
   * structure never are) and journals it. A finished record is not
   * changed (a run unwinding after a shutdown or cancel must not rewrite its outcome) unless `force`.
   */
  update(id: string, mutate: (record: OperationRecord) => void, options: { force?: boolean; deferJournal?: boolean } = {}): void {
    const live = this.ops.get(id);
    if (!live || (isFinal(live.record.status) && !options.force)) return;
    mutate(live.record);
    scrubTexts(live.record, live.redactor);
    live.record.updatedAt = this.iso();
    if (live.record.events.length > MAX_EVENTS) live.record.events.splice(0, live.record.events.length - MAX_EVENTS);
    if (options.deferJournal) this.journalSoon(id);
    else this.journalNow(live);
  }

  private journalNow(live: Live): void {
    this.journalDue.delete(live.record.id);
    this.journal?.append(live.record, this);
  }

  /** Journals within JOURNAL_DEFER_MS, once for all the changes meanwhile (a record of a thousand customers is large). */
  private journalSoon(id: string): void {
    if (!this.journal) return;
    this.journalDue.add(id);
    this.journalTimer ??= setTimeout(() => {
      this.journalTimer = undefined;
      for (const due of [...this.journalDue]) {
        const live = this.ops.get(due);
        if (live) this.journalNow(live);
      }
    }, JOURNAL_DEFER_MS).unref();
  }

  /** Lets the operation be paused and resumed while it runs. */
  setControl(id: string, control: PauseControl): void {
    const live = this.ops.get(id);
    if (live) live.control = control;
  }

  /** Appends one event (and journals). */
  event(id: string, event: { type: string; message: string; stepId?: string }, at: number = this.now(), options: { deferJournal?: boolean } = {}): void {
    this.update(
      id,
      (r) => {
        r.events.push({ at: new Date(at).toISOString(), type: event.type, ...(event.stepId ? { stepId: event.stepId } : {}), message: event.message });
      },
      options,
    );
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
    if (live) this.release(live);
    if (live) live.control = undefined;
    if (live) {
      const { clientId, namespace, error: failure } = live.record;
      this.logger?.info("operation finished", { operationId: id, status, clientId, namespace, ...(failure ? { code: failure.code } : {}) });
    }
    this.evict();
  }

  /** Frees the operation's key, if it still holds it. */
  release(live: Live): void {
    if (this.runningByKey.get(live.key) === live.record.id) this.runningByKey.delete(live.key);
  }

  /** Keeps secrets for the operation's reader (memory only). */
  offerSecrets(id: string, secrets: CustomerSecrets): void {
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

  /** The kept operation `id`; 404 `OPERATION_NOT_FOUND` when there is none. */
  live(id: string): Live {
    const live = this.ops.get(id);
    if (!live) throw operationNotFound(id);
    return live;
  }

  /** Every operation not finished yet (queued or running). */
  unfinished(): Live[] {
    return [...this.ops.values()].filter((l) => !isFinal(l.record.status));
  }
}

export function operationNotFound(id: string): HttpError {
  return new HttpError(404, "OPERATION_NOT_FOUND", `Операция ${id} не найдена (история хранит последние операции; после перезапуска без журнала она пуста)`, {
    operationId: id,
  });
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

/** Records the operation as cut off (by a restart or a shutdown): its unfinished steps cancelled. */
export function interrupt(record: OperationRecord, at: string, by: string): void {
  record.status = "interrupted";
  record.finishedAt = at;
  record.updatedAt = at;
  record.error = {
    code: "INTERRUPTED",
    message: `Операция прервана ${by}; запустите ${record.kind === "provisioning" ? "развёртывание" : "операцию"} снова — уже сделанное не повторится, остальное будет выполнено`,
  };
  record.stage = "done";
  for (const step of record.steps) {
    if (step.status === "running" || step.status === "pending") {
      step.status = "cancelled";
      step.message = "прервано";
    }
  }
  if (record.rollout) interruptRollout(record.rollout);
  record.events.push({ at, type: "interrupted", message: `операция прервана ${by}` });
}

/** A cut-off rollout's customers: those running were cut off, those waiting never started. */
function interruptRollout(rollout: NonNullable<OperationRecord["rollout"]>): void {
  for (const customer of rollout.customers) {
    if (customer.state === "running") Object.assign(customer, { state: "cancelled", message: "прервано" });
    else if (customer.state === "pending") Object.assign(customer, { state: "not-started", message: "не начат: раскатка прервана" });
  }
  const count = (state: string) => rollout.customers.filter((c) => c.state === state).length;
  rollout.summary = {
    total: rollout.customers.length,
    pending: 0,
    running: 0,
    succeeded: count("succeeded"),
    failed: count("failed"),
    upToDate: count("up-to-date"),
    notStarted: count("not-started"),
    cancelled: count("cancelled"),
  };
}
