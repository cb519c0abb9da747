/**
 * The machinery of the differential test (../differential.test.ts): the same request sent to the real API server
 * and to the SDK's fake cluster, each answer reduced to what the SDK depends on (a digest), and the two digests
 * compared leaf by leaf. The test file holds the sequences and the table of known differences.
 */
import fs from "node:fs";
import { createFakeCluster, createVirtualClock, type AllowRule, type FakeCluster, type Tokens } from "@sreda/sdk/testing";
import { httpRequest, kubeCall, type RealClusterState } from "../../src/index.js";
import { admin, sleep, type Obj } from "./cluster.js";
import { recordingFetch, type RecordingFetch } from "./recording-fetch.js";

/** Who sends a request: the three identities of the real control plane, or a token nobody issued. */
export type Who = "admin" | "edit" | "view" | "wrong";

export interface Step {
  /** Unique across the file: the known-differences table refers to it. */
  label: string;
  as?: Who;
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Below the API root, query included. */
  path: string;
  body?: unknown;
  /** Content type of the body: JSON (default), a server-side apply or a JSON merge patch. */
  type?: "apply" | "merge";
  /** The answer is a watch stream: read it to its end (or a few seconds) and compare its events. */
  watch?: boolean;
  /**
   * What controllers do takes time: the request is repeated until this holds (real: every 250 ms of wall time;
   * fake: after advancing its clock 250 ms), then the last answers are compared.
   */
  until?: (answer: Answer) => boolean;
  /** The label of an earlier step whose object's resourceVersion this answer's is compared with. */
  sameVersionAs?: string;
  /** Compare the object's status.conditions (type=status reason). */
  conditions?: boolean;
  /** Replaces the default digest of the body (lists of generated objects, reviews). */
  view?: (body: any) => unknown;
}

export interface Answer {
  code: number;
  /** The texts of the `Warning: 299 - "…"` headers. */
  warnings: string[];
  /** Parsed JSON, or the text when it is not JSON; for a watch, its events. */
  body: any;
}

export interface Side {
  readonly name: "real" | "fake";
  send(step: Step): Promise<Answer>;
  /** Lets controllers work for `ms`: the real side waits, the fake advances its clock. */
  pass(ms: number): Promise<void>;
}

const CONTENT_TYPES = { apply: "application/apply-patch+yaml", merge: "application/merge-patch+json" } as const;
const WATCH_READ_MS = 3000;

function parseWarnings(header: string | null): string[] {
  if (!header) return [];
  return [...header.matchAll(/\d{3} [^ ]+ ("(?:[^"\\]|\\.)*")/g)].map((m) => JSON.parse(m[1]!) as string);
}

/** Reads a response to its end; a watch for at most WATCH_READ_MS (then aborted) and split into its events. */
async function answerOf(response: Response, watch: boolean, abort: AbortController): Promise<Answer> {
  const code = response.status;
  const warnings = parseWarnings(response.headers.get("warning"));
  let text = "";
  const timer = watch ? setTimeout(() => abort.abort(), WATCH_READ_MS) : undefined;
  try {
    text = await response.text();
  } catch {
    // aborted: what arrived before is lost with text(); a watch that does not end is compared as such
    text = "<not ended>";
  } finally {
    clearTimeout(timer);
  }
  if (watch && code === 200) {
    const events =
      text === "<not ended>"
        ? [text]
        : text
            .split("\n")
            .filter((l) => l.trim() !== "")
            .map((l) => JSON.parse(l) as unknown);
    return { code, warnings, body: events };
  }
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // plain text (404 page not found)
  }
  return { code, warnings, body };
}

function requestOf(base: string, step: Step, token: string, signal: AbortSignal): Request {
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: "application/json" };
  if (step.body !== undefined) headers["content-type"] = step.type ? CONTENT_TYPES[step.type] : "application/json";
  return new Request(base + step.path, {
    method: step.method,
    headers,
    signal,
    ...(step.body !== undefined ? { body: JSON.stringify(step.body) } : {}),
  });
}

const WRONG_TOKEN = "not-a-token-anyone-issued";

export interface Sides {
  real: Side;
  fake: Side;
  cluster: FakeCluster;
  close(): void;
}

/** The rules of a ClusterRole as the real server aggregated them, as the fake's RBAC rules in `namespaces`. */
async function clusterRoleRules(state: RealClusterState, role: string, namespaces: string[]): Promise<AllowRule[]> {
  const cr = await kubeCall<Obj>(admin(state), "GET", `/apis/rbac.authorization.k8s.io/v1/clusterroles/${role}`);
  return (cr["rules"] as Obj[])
    .filter((r) => Array.isArray(r["resources"]))
    .map((r) => ({ verbs: r["verbs"], apiGroups: r["apiGroups"] ?? [""], resources: r["resources"], namespaces, role }));
}

/**
 * Both sides, for one namespace that exists on both (the real one prepared by createNamespace). The fake knows the
 * real tokens, as the same users, with the real `edit`/`view` ClusterRoles' rules bound in the namespace; its clock
 * is manual, so only `pass` moves its controllers.
 */
export async function createSides(state: RealClusterState, namespace: string): Promise<Sides> {
  const serviceAccount = (name: string) => `system:serviceaccount:sreda-system:${name}`;
  const tokens: Tokens = {
    [state.tokens.admin]: { user: "admin", groups: ["system:masters", "system:authenticated"] },
    [state.tokens.sredaEdit]: { user: serviceAccount("sreda-edit"), allow: await clusterRoleRules(state, "edit", [namespace]) },
    [state.tokens.sredaView]: { user: serviceAccount("sreda-view"), allow: await clusterRoleRules(state, "view", [namespace]) },
  };
  const tokenOf = (who: Who | undefined): string =>
    who === "wrong" ? WRONG_TOKEN : who === "edit" ? state.tokens.sredaEdit : who === "view" ? state.tokens.sredaView : state.tokens.admin;

  const recorder: RecordingFetch = recordingFetch({ ca: fs.readFileSync(state.caFile, "utf8") });
  const real: Side = {
    name: "real",
    async send(step) {
      const abort = new AbortController();
      return answerOf(await recorder.fetch(requestOf(state.apiserverUrl, step, tokenOf(step.as), abort.signal)), step.watch === true, abort);
    },
    async pass(ms) {
      await sleep(ms);
    },
  };

  const clock = createVirtualClock({ auto: false });
  const cluster = createFakeCluster({ clock, tokens, namespaces: ["default", namespace], defaultSecrets: false });
  const fake: Side = {
    name: "fake",
    async send(step) {
      const abort = new AbortController();
      return answerOf(await cluster.fetch(requestOf("https://fake.cluster.test", step, tokenOf(step.as), abort.signal)), step.watch === true, abort);
    },
    async pass(ms) {
      await clock.advance(ms);
    },
  };
  return {
    real,
    fake,
    cluster,
    close() {
      recorder.close();
      cluster.close();
    },
  };
}

/**
 * Compacts etcd's history before revision 3, as the API server's compactor does with older history every five
 * minutes: a watch of an uncached resource (Events) from resourceVersion 1 then gets 410 on any cluster, however
 * young. (Cached resources replay from the watch cache, which on a young API server still starts near revision 1.)
 */
export async function compactEtcdHistory(state: RealClusterState): Promise<void> {
  const res = await httpRequest(`http://127.0.0.1:${state.ports.etcdClient}/v3/kv/compaction`, { method: "POST", body: JSON.stringify({ revision: "3" }) });
  if (res.status !== 200 && !res.body.includes("required revision has been compacted")) throw new Error(`etcd compaction: ${res.status} ${res.body}`);
}

/** Sends a step, repeating it while `until` says no (real: up to 60 s; fake: up to 10 virtual minutes). */
export async function run(side: Side, step: Step): Promise<Answer> {
  const limit = side.name === "real" ? 240 : 2400;
  for (let i = 0; ; i++) {
    const answer = await side.send(step);
    if (!step.until || step.until(answer)) return answer;
    if (i >= limit)
      throw new Error(`${side.name}: "${step.label}" did not reach its condition; last answer ${answer.code} ${JSON.stringify(answer.body).slice(0, 500)}`);
    await side.pass(250);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Digests

const isRecord = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Values that differ on every run, whatever the server: uids, times, resourceVersions inside messages. */
export function normalise(text: string): string {
  return text
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<uid>")
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, "<time>")
    .replace(/too old resource version: \d+ \(\d+\)/g, "too old resource version: <rv> (<rv>)")
    .replace(/ResourceVersion in record \(\d+\)/g, "ResourceVersion in record (<rv>)");
}

function normaliseDeep(value: unknown): unknown {
  if (typeof value === "string") return normalise(value);
  if (Array.isArray(value)) return value.map(normaliseDeep);
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normaliseDeep(v)]));
  return value;
}

/** What of a Status the SDK reads: kind, code, reason, message, and the details' name/group/kind/causes/retry. */
function statusDigest(s: Obj): Obj {
  const out: Obj = { kind: s["kind"], apiVersion: s["apiVersion"], status: s["status"], reason: s["reason"], code: s["code"], message: s["message"] };
  const d = isRecord(s["details"]) ? s["details"] : {};
  const details: Obj = {};
  for (const key of ["name", "group", "kind", "retryAfterSeconds"]) if (d[key] !== undefined) details[key] = d[key];
  if (Array.isArray(d["causes"])) details["causes"] = d["causes"].map((c: Obj) => ({ reason: c["reason"], field: c["field"] }));
  if (Object.keys(details).length > 0) out["details"] = details;
  return out;
}

/** The parts of the body the step sent, as the server answered them (defaults it added are not compared). */
function project(sent: unknown, got: unknown): unknown {
  if (Array.isArray(sent)) return Array.isArray(got) ? sent.map((s, i) => project(s, got[i])) : got;
  if (isRecord(sent)) return isRecord(got) ? Object.fromEntries(Object.keys(sent).map((k) => [k, project(sent[k], got[k])])) : got;
  return got;
}

const conditionsOf = (o: Obj): string[] =>
  ((o["status"]?.conditions ?? []) as Obj[]).map((c) => `${c["type"]}=${c["status"]}${c["reason"] ? ` ${c["reason"]}` : ""}`).sort();

/** What of an object the SDK reads. */
function objectDigest(o: Obj, step: Step, earlier: ReadonlyMap<string, Answer>): Obj {
  const m: Obj = o["metadata"] ?? {};
  const metadata: Obj = {
    name: m["name"],
    namespace: m["namespace"],
    labels: m["labels"],
    annotations: m["annotations"],
    ownerReferences: (m["ownerReferences"] as Obj[] | undefined)?.map((r) => ({
      apiVersion: r["apiVersion"],
      kind: r["kind"],
      name: r["name"],
      controller: r["controller"],
      blockOwnerDeletion: r["blockOwnerDeletion"],
    })),
    generation: m["generation"],
    deletionTimestamp: m["deletionTimestamp"] !== undefined ? "set" : undefined,
    finalizers: m["finalizers"],
    // Sorted: the server orders entries by time in seconds, and whether a controller's write falls in the same second
    // as ours is timing, not behaviour.
    managedFields: (m["managedFields"] as Obj[] | undefined)?.map((f) => [f["manager"], f["operation"], f["subresource"]].filter(Boolean).join(" ")).sort(),
  };
  const out: Obj = { kind: o["kind"], apiVersion: o["apiVersion"], metadata };
  if (isRecord(step.body)) {
    const { apiVersion: _a, kind: _k, metadata: _m, status: _s, ...sent } = step.body;
    out["sent"] = project(sent, o);
  }
  if (step.conditions) out["conditions"] = conditionsOf(o);
  if (step.sameVersionAs !== undefined) {
    const before = earlier.get(step.sameVersionAs)?.body?.metadata?.resourceVersion;
    out["resourceVersion"] = m["resourceVersion"] === before ? "unchanged" : "changed";
  }
  return out;
}

function bodyDigest(body: unknown, step: Step, earlier: ReadonlyMap<string, Answer>): unknown {
  if (!isRecord(body)) return body;
  if (body["kind"] === "Status") return statusDigest(body);
  if (step.view) return step.view(body);
  if (typeof body["kind"] === "string" && body["kind"].endsWith("List") && Array.isArray(body["items"])) {
    return { kind: body["kind"], apiVersion: body["apiVersion"], items: (body["items"] as Obj[]).map((i) => i["metadata"]?.name) };
  }
  return objectDigest(body, step, earlier);
}

/** The comparable form of an answer. */
export function digest(answer: Answer, step: Step, earlier: ReadonlyMap<string, Answer>): Obj {
  const out: Obj = { code: answer.code, warnings: answer.warnings };
  if (step.watch && Array.isArray(answer.body)) {
    out["events"] = answer.body.map((e: any) =>
      isRecord(e)
        ? { type: e["type"], object: isRecord(e["object"]) && e["object"]["kind"] === "Status" ? statusDigest(e["object"]) : e["object"]?.metadata?.name }
        : e,
    );
  } else {
    out["body"] = bodyDigest(answer.body, step, earlier);
  }
  return normaliseDeep(out) as Obj;
}

export interface Difference {
  label: string;
  /** Dotted path in the digest: `body.message`, `body.details.causes`, `warnings`. */
  path: string;
  real: unknown;
  fake: unknown;
}

/** Leaves of a digest by path; arrays are leaves (compared whole), objects are walked. */
function leaves(value: unknown, path: string, out: Map<string, unknown>): Map<string, unknown> {
  if (isRecord(value)) {
    for (const [k, v] of Object.entries(value)) if (v !== undefined) leaves(v, path === "" ? k : `${path}.${k}`, out);
    if (Object.keys(value).length === 0) out.set(path, {});
  } else out.set(path, value);
  return out;
}

export function differences(label: string, real: Obj, fake: Obj): Difference[] {
  const r = leaves(real, "", new Map());
  const f = leaves(fake, "", new Map());
  const out: Difference[] = [];
  for (const path of [...new Set([...r.keys(), ...f.keys()])].sort()) {
    if (JSON.stringify(r.get(path)) !== JSON.stringify(f.get(path))) out.push({ label, path, real: r.get(path), fake: f.get(path) });
  }
  return out;
}
