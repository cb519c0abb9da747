/**
 * Watch streams: newline-delimited JSON `{"type": …, "object": …}` over a chunked response, like the API server's
 * watch cache serves them (k8s.io/apiserver/pkg/storage/cacher):
 * - no resourceVersion (or "0"): synthetic ADDED events for the current objects, then changes;
 * - resourceVersion=N: every change after N from the bounded history; older than the history (evicted, or from
 *   before the fake's first resourceVersion, 1000) → one ERROR event carrying a 410 `Expired` Status ("too old resource version: N (M)" from the watch cache; for Events, which
 *   are not cached, etcd's "The resourceVersion for the provided watch is too old.") and the end of the stream;
 * - label/field selectors filter, and an object moving out of the selection arrives as DELETED (into it: ADDED);
 * - `timeoutSeconds` ends the stream on the virtual clock (default: random 30–60 min, like --min-request-timeout);
 * - `allowWatchBookmarks`: a BOOKMARK with the current resourceVersion every minute;
 * - `sendInitialEvents=true`: the ADDED events end with a BOOKMARK annotated `k8s.io/initial-events-end`.
 */
import type { VirtualClock } from "./clock.js";
import type { Random } from "./random.js";
import { apiVersionOf, type ResourceType } from "./resources.js";
import { matchesFields, matchesSelector, type FieldRequirement, type Selector } from "./selectors.js";
import { statusBody } from "./status.js";
import type { Store, StoreEvent } from "./store.js";
import type { Obj } from "./util.js";

interface WatchParams {
  rt: ResourceType;
  namespace: string | undefined;
  labelSelector: Selector;
  fieldSelector: FieldRequirement[];
  resourceVersion: string | undefined;
  timeoutSeconds: number | undefined;
  allowBookmarks: boolean;
  sendInitialEvents: boolean;
  /** The silent-watch fault: open, deliver nothing, end at the timeout. */
  silent: boolean;
  signal: AbortSignal | undefined;
}

interface WatchDeps {
  store: Store;
  clock: VirtualClock;
  random: Random;
}

export interface OpenWatch {
  stream: ReadableStream<Uint8Array>;
  close(): void;
}

const BOOKMARK_INTERVAL_MS = 60_000;

export function openWatch(deps: WatchDeps, params: WatchParams, onClose: () => void): OpenWatch {
  const { store, clock } = deps;
  const { rt, namespace } = params;
  const encoder = new TextEncoder();
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  let closed = false;
  const cleanups: (() => void)[] = [];

  const selected = (obj: Obj | undefined): boolean => {
    if (!obj) return false;
    if (rt.namespaced && namespace !== undefined && obj.metadata?.namespace !== namespace) return false;
    return matchesSelector(params.labelSelector, obj.metadata?.labels) && matchesFields(params.fieldSelector, obj);
  };

  const send = (type: string, object: unknown): void => {
    if (closed || !controller) return;
    controller.enqueue(encoder.encode(`${JSON.stringify({ type, object })}\n`));
  };

  const close = (): void => {
    if (closed) return;
    closed = true;
    for (const cleanup of cleanups.splice(0)) cleanup();
    try {
      controller?.close();
    } catch {
      // already closed or errored by the consumer
    }
    onClose();
  };

  const deliver = (event: StoreEvent): void => {
    if (event.rt !== rt) return;
    const now = selected(event.object);
    if (event.type === "ADDED") {
      if (now) send("ADDED", event.object);
    } else if (event.type === "DELETED") {
      if (now || selected(event.previous)) send("DELETED", event.object);
    } else {
      const before = selected(event.previous);
      if (before && now) send("MODIFIED", event.object);
      else if (!before && now) send("ADDED", event.object);
      else if (before && !now) send("DELETED", event.object);
    }
  };

  const bookmark = (initialEnd: boolean): void => {
    const metadata: Obj = { resourceVersion: String(store.resourceVersion) };
    if (initialEnd) metadata.annotations = { "k8s.io/initial-events-end": "true" };
    send("BOOKMARK", { kind: rt.kind, apiVersion: apiVersionOf(rt), metadata });
  };

  const start = (): void => {
    const timeoutMs = params.timeoutSeconds !== undefined ? params.timeoutSeconds * 1000 : (1800 + deps.random.int(1800)) * 1000;
    cleanups.push(clock.setTimer(timeoutMs, close));
    if (params.silent) return;
    const rv = params.resourceVersion;
    const fromState = rv === undefined || rv === "" || rv === "0" || params.sendInitialEvents;
    if (!fromState) {
      const n = Number(rv);
      if (!Number.isInteger(n) || n < 0) {
        send("ERROR", statusBody(400, "BadRequest", `invalid resource version: strconv.ParseUint: parsing "${rv}": invalid syntax`));
        close();
        return;
      }
      const oldest = store.oldestResumable();
      if (n < oldest - 1) {
        // Events have no watch cache: their watches go to etcd, which words it differently.
        const message = rt.kind === "Event" ? "The resourceVersion for the provided watch is too old." : `too old resource version: ${n} (${oldest - 1})`;
        send("ERROR", statusBody(410, "Expired", message));
        close();
        return;
      }
      for (const event of store.since(n)) deliver(event);
    } else {
      for (const obj of store.list(rt, rt.namespaced ? namespace : undefined)) if (selected(obj)) send("ADDED", obj);
      if (params.sendInitialEvents && params.allowBookmarks) bookmark(true);
    }
    cleanups.push(store.subscribe(deliver));
    if (params.allowBookmarks) {
      const schedule = (): void => {
        const cancel = clock.setTimer(
          BOOKMARK_INTERVAL_MS,
          () => {
            bookmark(false);
            schedule();
          },
          { background: true },
        );
        cleanups.push(cancel);
      };
      schedule();
    }
  };

  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      start();
    },
    cancel() {
      close();
    },
  });
  if (params.signal) {
    if (params.signal.aborted) close();
    else {
      const onAbort = (): void => close();
      params.signal.addEventListener("abort", onAbort, { once: true });
      cleanups.push(() => params.signal?.removeEventListener("abort", onAbort));
    }
  }
  return { stream, close };
}
