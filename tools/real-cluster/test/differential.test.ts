/**
 * The fake cluster (@sreda/sdk/testing) against the real API server (issue 10): the same requests, in the same
 * order, to both; every answer is reduced to what the SDK reads (code, Warning headers, the Status' reason, message
 * and details, the object's metadata, the fields we sent, conditions; ./support/differential.ts `digest`) and the
 * two are compared. The only differences allowed are those of KNOWN_DIFFERENCES (also in the fake's README, "Known
 * differences from a real API server"): an unlisted one fails, and so does a listed one that no longer occurs.
 */
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNamespace, deleteNamespace, useRealCluster, type Obj } from "./support/cluster.js";
import { compactEtcdHistory, createSides, differences, digest, run, type Answer, type Difference, type Sides, type Step } from "./support/differential.js";
import type { RealClusterState } from "../src/index.js";

const cluster = useRealCluster("differential.test.ts");
const NS = "rc-differential";

const core = (resource: string, rest = "") => `/api/v1/namespaces/${NS}/${resource}${rest}`;
const apps = (resource: string, rest = "") => `/apis/apps/v1/namespaces/${NS}/${resource}${rest}`;
const batch = (resource: string, rest = "") => `/apis/batch/v1/namespaces/${NS}/${resource}${rest}`;
const networking = (rest = "") => `/apis/networking.k8s.io/v1/namespaces/${NS}/networkpolicies${rest}`;
const policy = (rest = "") => `/apis/policy/v1/namespaces/${NS}/poddisruptionbudgets${rest}`;
const autoscaling = (rest = "") => `/apis/autoscaling/v2/namespaces/${NS}/horizontalpodautoscalers${rest}`;
const q = (selector: string) => encodeURIComponent(selector);

const configMap = (name: string, labels?: Record<string, string>, data: Record<string, string> = { key: "value" }) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, ...(labels ? { labels } : {}) },
  data,
});

function deployment(
  name: string,
  options: { labels?: Record<string, string>; selector?: Record<string, string>; image?: string | null; replicas?: number } = {},
): Obj {
  const labels = options.labels ?? { app: name };
  const container: Obj = { name: "web", ...(options.image === null ? {} : { image: options.image ?? "nginx:1.29" }) };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, labels: { app: name }, annotations: { "sreda.io/test": "differential" } },
    spec: {
      // -1: no replicas field at all.
      ...(options.replicas === -1 ? {} : { replicas: options.replicas ?? 2 }),
      selector: { matchLabels: options.selector ?? labels },
      template: { metadata: { labels }, spec: { containers: [container] } },
    },
  };
}

function job(name: string, options: { command?: string; restartPolicy?: string | null } = {}): Obj {
  const restart = options.restartPolicy === null ? {} : { restartPolicy: options.restartPolicy ?? "Never" };
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, labels: { app: name } },
    spec: {
      backoffLimit: 0,
      template: { spec: { ...restart, containers: [{ name: "main", image: "busybox:1.37", command: ["sh", "-c", options.command ?? "echo done"] }] } },
    },
  };
}

/** A Deployment with two fields its schema does not know, one in a list item. */
function withNestedUnknownFields(d: Obj): Obj {
  d["spec"].bogus = true;
  d["spec"].template.spec.containers[0].foo = "bar";
  return d;
}

const accessReview = (namespace: string | undefined, verb: string, group: string, resource: string) => ({
  apiVersion: "authorization.k8s.io/v1",
  kind: "SelfSubjectAccessReview",
  spec: { resourceAttributes: { ...(namespace ? { namespace } : {}), verb, group, resource } },
});
const reviewStep = (label: string, as: "edit" | "view", namespace: string | undefined, verb: string, group: string, resource: string): Step => ({
  label,
  as,
  method: "POST",
  path: "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
  body: accessReview(namespace, verb, group, resource),
  view: (b) => ({ kind: b.kind, status: b.status }),
});

const available = (a: Answer) =>
  a.body?.status?.availableReplicas === 2 && (a.body.status.conditions ?? []).some((c: Obj) => c["reason"] === "NewReplicaSetAvailable");
const gone = (a: Answer) => a.code === 404;
const noItems = (a: Answer) => Array.isArray(a.body?.items) && a.body.items.length === 0;
const owners = (b: Obj) => ({
  kind: b["kind"],
  items: (b["items"] as Obj[]).map((i) => ({
    owners: (i["metadata"].ownerReferences ?? []).map((r: Obj) => r["kind"]),
    deleting: i["metadata"].deletionTimestamp !== undefined,
  })),
});

const networkPolicy = (name: string, spec: Obj) => ({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name }, spec });
const budget = (name: string, spec: Obj) => ({ apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name }, spec });
const autoscaler = (name: string, target: string, spec: Obj) => ({
  apiVersion: "autoscaling/v2",
  kind: "HorizontalPodAutoscaler",
  metadata: { name },
  spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: target }, ...spec },
});
const cpuAt50 = [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 50 } } }];
/** Keys sorted, at every level: the digest compares arrays whole, and JSON key order means nothing to a client. */
const canonical = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(canonical)
    : typeof v === "object" && v !== null
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, canonical((v as Obj)[k])]),
        )
      : v;
/** What a server adds on create: the defaulted spec, the generation (or none) and the status it starts with. */
const defaulted = (b: Obj) => canonical({ kind: b["kind"], spec: b["spec"], generation: b["metadata"]?.generation ?? null, status: b["status"] ?? null });
const statusOf = (b: Obj) => canonical({ kind: b["kind"], status: b["status"] });
const condition = (a: Answer, type: string) => ((a.body?.status?.conditions ?? []) as Obj[]).find((c) => c["type"] === type);
/** The distinct (type, reason, message) of an object's Events: how often a controller said it is timing. */
const eventTexts = (b: Obj) => [...new Set(((b["items"] ?? []) as Obj[]).map((e) => `${e["type"]} ${e["reason"]}: ${e["message"]}`))].sort();

interface Sequence {
  name: string;
  /** Done on the real control plane before the steps. */
  prepare?: (state: RealClusterState) => Promise<void>;
  steps: Step[];
}

/** The sequences of issue 10, run one after the other. Labels are unique: the known differences name them. */
const SEQUENCES: Sequence[] = [
  {
    name: "create and get",
    steps: [
      {
        label: "create a ConfigMap",
        method: "POST",
        path: core("configmaps", "?fieldManager=differential"),
        body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "created", labels: { tier: "a" }, annotations: { note: "x" } }, data: { key: "value" } },
      },
      { label: "create it again", method: "POST", path: core("configmaps"), body: configMap("created") },
      { label: "get it", method: "GET", path: core("configmaps", "/created") },
      { label: "get a missing ConfigMap", method: "GET", path: core("configmaps", "/missing") },
      { label: "create a Deployment", method: "POST", path: apps("deployments", "?fieldManager=differential"), body: deployment("created") },
      { label: "create a Job", method: "POST", path: batch("jobs", "?fieldManager=differential"), body: job("created") },
      { label: "create in a missing namespace", method: "POST", path: "/api/v1/namespaces/rc-differential-missing/configmaps", body: configMap("x") },
    ],
  },
  {
    name: "server-side apply",
    steps: [
      {
        label: "apply creates",
        method: "PATCH",
        type: "apply",
        path: core("configmaps", "/applied?fieldManager=alpha"),
        body: configMap("applied", { tier: "a" }, { key: "alpha", other: "1" }),
      },
      {
        label: "re-apply changes nothing",
        method: "PATCH",
        type: "apply",
        path: core("configmaps", "/applied?fieldManager=alpha"),
        body: configMap("applied", { tier: "a" }, { key: "alpha", other: "1" }),
        sameVersionAs: "apply creates",
      },
      {
        label: "a second manager conflicts",
        method: "PATCH",
        type: "apply",
        path: core("configmaps", "/applied?fieldManager=beta"),
        body: configMap("applied", { tier: "b" }, { key: "beta" }),
      },
      {
        label: "the second manager forces",
        method: "PATCH",
        type: "apply",
        path: core("configmaps", "/applied?fieldManager=beta&force=true"),
        body: configMap("applied", { tier: "b" }, { key: "beta" }),
      },
      { label: "apply without a field manager", method: "PATCH", type: "apply", path: core("configmaps", "/applied"), body: configMap("applied") },
    ],
  },
  {
    name: "invalid objects",
    steps: [
      { label: "a bad name", method: "POST", path: core("configmaps"), body: configMap("Bad_Name") },
      { label: "a container without image", method: "POST", path: apps("deployments"), body: deployment("no-image", { image: null }) },
      { label: "a Job with restartPolicy Always", method: "POST", path: batch("jobs"), body: job("restart-always", { restartPolicy: "Always" }) },
      { label: "a Job without restartPolicy", method: "POST", path: batch("jobs"), body: job("restart-missing", { restartPolicy: null }) },
      {
        label: "a Deployment whose selector does not match its labels",
        method: "POST",
        path: apps("deployments"),
        body: deployment("mismatch", { labels: { app: "one" }, selector: { app: "other" } }),
      },
    ],
  },
  {
    name: "unknown fields",
    steps: [
      {
        label: "POST with an unknown field, Strict",
        method: "POST",
        path: core("configmaps", "?fieldValidation=Strict"),
        body: { ...configMap("strict"), bogus: 1 },
      },
      {
        label: "POST with unknown nested fields, Strict",
        method: "POST",
        path: apps("deployments", "?fieldValidation=Strict"),
        body: withNestedUnknownFields(deployment("strict")),
      },
      {
        label: "POST with an unknown field, Warn",
        method: "POST",
        path: core("configmaps", "?fieldValidation=Warn"),
        body: { ...configMap("warn"), bogus: 1 },
      },
      {
        label: "POST with an unknown field, no fieldValidation",
        method: "POST",
        path: core("configmaps"),
        body: { ...configMap("default-validation"), bogus: 1 },
      },
      {
        label: "POST with an unknown field, Ignore",
        method: "POST",
        path: core("configmaps", "?fieldValidation=Ignore"),
        body: { ...configMap("ignore"), bogus: 1 },
      },
      {
        label: "apply with an unknown field",
        method: "PATCH",
        type: "apply",
        path: core("configmaps", "/apply-unknown?fieldManager=differential"),
        body: { ...configMap("apply-unknown"), bogus: 1 },
      },
    ],
  },
  {
    name: "immutable fields",
    steps: [
      {
        label: "apply a Deployment",
        method: "PATCH",
        type: "apply",
        path: apps("deployments", "/immutable?fieldManager=differential"),
        body: deployment("immutable", { replicas: 0 }),
      },
      {
        label: "apply another Deployment selector",
        method: "PATCH",
        type: "apply",
        path: apps("deployments", "/immutable?fieldManager=differential"),
        body: deployment("immutable", { replicas: 0, labels: { app: "changed" } }),
      },
      { label: "create a Job to change", method: "POST", path: batch("jobs", "?fieldManager=differential"), body: job("immutable") },
      {
        label: "apply a changed Job template",
        method: "PATCH",
        type: "apply",
        path: batch("jobs", "/immutable?fieldManager=differential&force=true"),
        body: job("immutable", { command: "echo changed" }),
      },
      {
        label: "create an immutable Secret",
        method: "POST",
        path: core("secrets"),
        body: { apiVersion: "v1", kind: "Secret", metadata: { name: "immutable" }, immutable: true, data: { key: "b25l" } },
      },
      { label: "change the immutable Secret's data", method: "PATCH", type: "merge", path: core("secrets", "/immutable"), body: { data: { key: "dHdv" } } },
    ],
  },
  {
    name: "watch with a stale resourceVersion",
    prepare: compactEtcdHistory,
    steps: [
      {
        label: "watch Events from a compacted resourceVersion",
        method: "GET",
        path: core("events", "?watch=1&resourceVersion=1&timeoutSeconds=2"),
        watch: true,
      },
      {
        label: "watch with an unparsable resourceVersion",
        method: "GET",
        path: core("configmaps", "?watch=1&resourceVersion=abc&timeoutSeconds=2"),
        watch: true,
      },
    ],
  },
  {
    name: "list with selectors",
    steps: [
      { label: "create c1", method: "POST", path: core("configmaps"), body: configMap("c1", { tier: "a" }) },
      { label: "create c2", method: "POST", path: core("configmaps"), body: configMap("c2", { tier: "b" }) },
      { label: "create c3", method: "POST", path: core("configmaps"), body: configMap("c3", { tier: "a", extra: "1" }) },
      { label: "list tier=a", method: "GET", path: core("configmaps", `?labelSelector=${q("tier=a")}`) },
      { label: "list tier!=a", method: "GET", path: core("configmaps", `?labelSelector=${q("tier!=a")}`) },
      { label: "list tier in (a,b)", method: "GET", path: core("configmaps", `?labelSelector=${q("tier in (a,b)")}`) },
      { label: "list tier notin (a)", method: "GET", path: core("configmaps", `?labelSelector=${q("tier notin (a)")}`) },
      { label: "list extra (exists)", method: "GET", path: core("configmaps", `?labelSelector=${q("extra")}`) },
      { label: "list !extra", method: "GET", path: core("configmaps", `?labelSelector=${q("!extra,tier")}`) },
      { label: "list by metadata.name", method: "GET", path: core("configmaps", `?fieldSelector=${q("metadata.name=c2")}`) },
      {
        label: "list by metadata.name!= and a label",
        method: "GET",
        path: core("configmaps", `?fieldSelector=${q("metadata.name!=c1")}&labelSelector=${q("tier=a")}`),
      },
      { label: "list by an unsupported field", method: "GET", path: core("configmaps", `?fieldSelector=${q("spec.foo=b")}`) },
      { label: "list Jobs by an unsupported field", method: "GET", path: batch("jobs", `?fieldSelector=${q("spec.foo=b")}`) },
      { label: "list with a malformed label selector", method: "GET", path: core("configmaps", `?labelSelector=${q("tier in (a")}`) },
    ],
  },
  {
    name: "deletion",
    steps: [
      { label: "create d-bg", method: "POST", path: apps("deployments"), body: deployment("d-bg") },
      { label: "create d-fg", method: "POST", path: apps("deployments"), body: deployment("d-fg") },
      { label: "create d-or", method: "POST", path: apps("deployments"), body: deployment("d-or") },
      { label: "d-bg becomes available", method: "GET", path: apps("deployments", "/d-bg"), until: available, conditions: true },
      { label: "d-fg becomes available", method: "GET", path: apps("deployments", "/d-fg"), until: available },
      { label: "d-or becomes available", method: "GET", path: apps("deployments", "/d-or"), until: available },
      { label: "delete d-bg in the background", method: "DELETE", path: apps("deployments", "/d-bg?propagationPolicy=Background") },
      { label: "d-bg's ReplicaSets are collected", method: "GET", path: apps("replicasets", `?labelSelector=${q("app=d-bg")}`), until: noItems },
      { label: "delete d-fg in the foreground", method: "DELETE", path: apps("deployments", "/d-fg?propagationPolicy=Foreground") },
      { label: "d-fg is gone once its dependents are", method: "GET", path: apps("deployments", "/d-fg"), until: gone },
      { label: "d-fg's ReplicaSets went first", method: "GET", path: apps("replicasets", `?labelSelector=${q("app=d-fg")}`) },
      { label: "delete d-or, orphaning", method: "DELETE", path: apps("deployments", "/d-or?propagationPolicy=Orphan") },
      { label: "d-or is gone", method: "GET", path: apps("deployments", "/d-or"), until: gone },
      { label: "d-or's ReplicaSet stays, without owner", method: "GET", path: apps("replicasets", `?labelSelector=${q("app=d-or")}`), view: owners },
      { label: "delete a missing Deployment", method: "DELETE", path: apps("deployments", "/d-bg") },
      { label: "create a ConfigMap to delete", method: "POST", path: core("configmaps"), body: configMap("to-delete") },
      {
        label: "delete with another uid as precondition",
        method: "DELETE",
        path: core("configmaps", "/to-delete"),
        body: { apiVersion: "v1", kind: "DeleteOptions", preconditions: { uid: "00000000-0000-4000-8000-000000000000" } },
      },
      {
        label: "delete with a stale resourceVersion as precondition",
        method: "DELETE",
        path: core("configmaps", "/to-delete"),
        body: { apiVersion: "v1", kind: "DeleteOptions", preconditions: { resourceVersion: "1" } },
      },
      { label: "delete the ConfigMap", method: "DELETE", path: core("configmaps", "/to-delete") },
      { label: "create a Job to delete", method: "POST", path: batch("jobs"), body: job("to-delete") },
      {
        label: "the Job completes",
        method: "GET",
        path: batch("jobs", "/to-delete"),
        until: (a) => (a.body?.status?.conditions ?? []).some((c: Obj) => c["type"] === "Complete"),
        conditions: true,
      },
      { label: "delete the Job without propagationPolicy", method: "DELETE", path: batch("jobs", "/to-delete") },
      { label: "the Job is gone", method: "GET", path: batch("jobs", "/to-delete"), until: gone },
      { label: "its pod stays, orphaned", method: "GET", path: core("pods", `?labelSelector=${q("job-name=to-delete")}`), view: owners },
    ],
  },
  {
    name: "network policies",
    steps: [
      {
        label: "create a NetworkPolicy",
        method: "POST",
        path: networking("?fieldManager=differential"),
        body: networkPolicy("np", {
          podSelector: { matchLabels: { app: "web" } },
          ingress: [{ from: [{ podSelector: {} }], ports: [{ port: 80 }, { port: "dns", protocol: "UDP" }] }],
          egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/8", except: ["10.1.0.0/16"] } }] }],
        }),
        view: defaulted,
      },
      { label: "get the NetworkPolicy", method: "GET", path: networking("/np") },
      {
        label: "a NetworkPolicy with invalid ports, peers and policy types",
        method: "POST",
        path: networking(),
        body: networkPolicy("invalid", {
          podSelector: {},
          policyTypes: ["Ingress", "Foo"],
          ingress: [
            {
              from: [{}, { ipBlock: { cidr: "10.0.0.0/33" }, podSelector: {} }, { ipBlock: { cidr: "10.0.0.0/8", except: ["11.0.0.0/16", "x"] } }],
              ports: [{ port: 0, protocol: "ICMP" }, { port: "a_b" }, { port: 100, endPort: 90 }, { port: "http", endPort: 90 }],
            },
          ],
        }),
      },
      {
        label: "a NetworkPolicy with an ambiguous CIDR",
        method: "POST",
        path: networking(),
        body: networkPolicy("ambiguous", { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: "10.0.0.1/8" } }] }] }),
      },
      {
        label: "replace the NetworkPolicy with an invalid CIDR",
        method: "PUT",
        path: networking("/np"),
        body: networkPolicy("np", { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: "10.0.0.0/40" } }] }] }),
      },
    ],
  },
  {
    name: "disruption budgets",
    steps: [
      { label: "create a Deployment for a budget", method: "POST", path: apps("deployments"), body: deployment("pdb-web") },
      {
        label: "create a PodDisruptionBudget",
        method: "POST",
        path: policy("?fieldManager=differential"),
        body: budget("pdb-web", { minAvailable: "50%", selector: { matchLabels: { app: "pdb-web" } } }),
        view: defaulted,
      },
      {
        label: "the budget allows one disruption",
        method: "GET",
        path: policy("/pdb-web"),
        until: (a) => a.body?.status?.expectedPods === 2 && a.body?.status?.currentHealthy === 2,
        conditions: true,
      },
      { label: "the budget's status", method: "GET", path: policy("/pdb-web"), view: statusOf },
      {
        label: "create a budget over no pods",
        method: "POST",
        path: policy(),
        body: budget("pdb-none", { minAvailable: 1, selector: { matchLabels: { app: "nothing" } } }),
      },
      {
        label: "the empty budget's status",
        method: "GET",
        path: policy("/pdb-none"),
        until: (a) => condition(a, "DisruptionAllowed") !== undefined,
        view: statusOf,
      },
      {
        label: "a budget with minAvailable and maxUnavailable",
        method: "POST",
        path: policy(),
        body: budget("both", { minAvailable: 1, maxUnavailable: "150%", selector: { matchLabels: { app: "pdb-web" } } }),
      },
      { label: "a budget with a fractional percentage", method: "POST", path: policy(), body: budget("fraction", { minAvailable: "5.5%" }) },
    ],
  },
  {
    name: "autoscaling",
    steps: [
      {
        label: "apply a Deployment to autoscale",
        method: "PATCH",
        type: "apply",
        path: apps("deployments", "/hpa-web?fieldManager=differential"),
        body: deployment("hpa-web", { replicas: 3 }),
      },
      {
        label: "create an HPA",
        method: "POST",
        path: autoscaling("?fieldManager=differential"),
        body: autoscaler("hpa-web", "hpa-web", { maxReplicas: 2 }),
        view: defaulted,
      },
      {
        label: "the HPA scales the Deployment to maxReplicas",
        method: "GET",
        path: apps("deployments", "/hpa-web"),
        until: (a) => a.body?.spec?.replicas === 2,
      },
      {
        label: "the HPA finds no metrics API",
        method: "GET",
        path: autoscaling("/hpa-web"),
        until: (a) => condition(a, "ScalingActive") !== undefined,
        conditions: true,
        view: (b) => canonical({ ...b.status, lastScaleTime: b.status.lastScaleTime === undefined ? undefined : "set" }),
      },
      {
        label: "the HPA's events",
        method: "GET",
        path: core("events", `?fieldSelector=${q("involvedObject.kind=HorizontalPodAutoscaler,involvedObject.name=hpa-web")}`),
        // Events are recorded after the status write: wait for the last one.
        until: (a) => eventTexts(a.body).some((t) => t.startsWith("Warning FailedComputeMetricsReplicas")),
        view: eventTexts,
      },
      {
        label: "the Deployment's scale",
        method: "GET",
        path: apps("deployments", "/hpa-web/scale"),
        until: (a) => a.body?.status?.replicas === 2,
        view: (b) => canonical({ spec: b.spec, status: b.status }),
      },
      {
        label: "apply the Deployment without replicas",
        method: "PATCH",
        type: "apply",
        path: apps("deployments", "/hpa-web?fieldManager=differential"),
        body: deployment("hpa-web", { replicas: -1 }),
        view: (b) => ({ replicas: b.spec?.replicas }),
      },
      {
        label: "apply the Deployment with other replicas",
        method: "PATCH",
        type: "apply",
        path: apps("deployments", "/hpa-web?fieldManager=differential"),
        body: deployment("hpa-web", { replicas: 4 }),
      },
      {
        label: "create an HPA of a missing Deployment",
        method: "POST",
        path: autoscaling(),
        body: autoscaler("hpa-missing", "missing", { maxReplicas: 2, metrics: cpuAt50 }),
      },
      {
        label: "the HPA cannot get its target's scale",
        method: "GET",
        path: autoscaling("/hpa-missing"),
        until: (a) => condition(a, "AbleToScale") !== undefined,
        view: (b) => canonical(b.status),
      },
      {
        label: "an HPA with invalid bounds and metrics",
        method: "POST",
        path: autoscaling(),
        body: autoscaler("invalid", "hpa-web", {
          minReplicas: 5,
          maxReplicas: 3,
          metrics: [{ type: "Resource", resource: { name: "", target: { type: "Utilization", averageUtilization: 0 } } }, { type: "Pods" }],
        }),
      },
    ],
  },
  {
    name: "access",
    steps: [
      { label: "a wrong token", as: "wrong", method: "GET", path: core("configmaps") },
      { label: "view creates a ConfigMap", as: "view", method: "POST", path: core("configmaps"), body: configMap("by-view") },
      { label: "view reads a Secret", as: "view", method: "GET", path: core("secrets", "/anything") },
      { label: "view reads a missing ConfigMap", as: "view", method: "GET", path: core("configmaps", "/missing") },
      { label: "edit creates a ConfigMap", as: "edit", method: "POST", path: core("configmaps"), body: configMap("by-edit") },
      { label: "edit lists ConfigMaps where it is not bound", as: "edit", method: "GET", path: "/api/v1/namespaces/default/configmaps" },
      { label: "an unknown resource", method: "GET", path: core("widgets") },
      { label: "an unknown API group", method: "GET", path: `/apis/widgets.example.com/v1/namespaces/${NS}/widgets` },
      reviewStep("edit may create Jobs", "edit", NS, "create", "batch", "jobs"),
      reviewStep("edit may read Secrets", "edit", NS, "get", "", "secrets"),
      reviewStep("edit may not create Jobs where it is not bound", "edit", "default", "create", "batch", "jobs"),
      reviewStep("edit may not delete namespaces", "edit", undefined, "delete", "", "namespaces"),
      reviewStep("view may list pods", "view", NS, "list", "", "pods"),
      reviewStep("view may not read Secrets", "view", NS, "get", "", "secrets"),
      reviewStep("view may not patch Deployments", "view", NS, "patch", "apps", "deployments"),
    ],
  },
];

interface KnownDifference {
  /** The step's label. */
  label: string;
  /** The digest path that differs (a prefix covers the paths below it). */
  path: string;
  why: string;
}

/** Each also in packages/sdk/src/testing/README.md, "Known differences from a real API server". */
const KNOWN_DIFFERENCES: KnownDifference[] = [
  {
    label: "apply a changed Job template",
    path: "body.message",
    why: 'the real message prints the internal core.PodTemplateSpec with every Go field (`{"Spec":{"Volumes":null,…}}`); the fake abbreviates it to `core.PodTemplateSpec{...}` (code, reason and causes are the same)',
  },
];

const covers = (k: KnownDifference, d: Difference) => k.label === d.label && (d.path === k.path || d.path.startsWith(`${k.path}.`));

let sides: Sides | undefined;
beforeAll(async () => {
  if (!cluster.state) return;
  await createNamespace(cluster.state, NS);
  sides = await createSides(cluster.state, NS);
});
afterAll(async () => {
  sides?.close();
  await deleteNamespace(cluster.state, NS);
});

describe("the fake cluster answers like the real API server", () => {
  it("has unique step labels, and every known difference names a step and is in the fake's README", () => {
    const labels = SEQUENCES.flatMap((s) => s.steps.map((x) => x.label));
    expect(new Set(labels).size).toBe(labels.length);
    const readme = fs.readFileSync(new URL("../../../packages/sdk/src/testing/README.md", import.meta.url), "utf8");
    const at = readme.indexOf("## Known differences from a real API server");
    expect(at).toBeGreaterThan(0);
    const section = readme.slice(at);
    for (const k of KNOWN_DIFFERENCES) {
      expect(labels, k.label).toContain(k.label);
      expect(section, k.label).toContain(`| ${k.label} |`);
    }
  });

  it.for(SEQUENCES)("$name", async ({ steps, prepare }, ctx) => {
    const state = cluster.get(ctx);
    await prepare?.(state);
    const { real, fake } = sides!;
    const earlier = { real: new Map<string, Answer>(), fake: new Map<string, Answer>() };
    const found: Difference[] = [];
    for (const step of steps) {
      const [r, f] = await Promise.all([run(real, step), run(fake, step)]);
      found.push(...differences(step.label, digest(r, step, earlier.real), digest(f, step, earlier.fake)));
      earlier.real.set(step.label, r);
      earlier.fake.set(step.label, f);
    }
    const labels = new Set(steps.map((s) => s.label));
    const known = KNOWN_DIFFERENCES.filter((k) => labels.has(k.label));
    const unlisted = found.filter((d) => !known.some((k) => covers(k, d)));
    const stale = known.filter((k) => !found.some((d) => covers(k, d)));
    expect({ unlisted, stale }).toEqual({ unlisted: [], stale: [] });
  });
});
