/**
 * NetworkPolicy (networking.k8s.io/v1) as a 1.35 API server serves it: defaults, validation (the words and fields of
 * pkg/apis/networking/validation, recorded from a real kube-apiserver 1.35.4), CIDR warnings, generation, server-side
 * apply of its atomic lists and selectors, list and watch.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFakeCluster, type FakeCluster } from "../../src/testing/index.js";
import { APPLY, call, paths, watchEvents, type Json } from "./helpers.js";

let cluster: FakeCluster;
beforeEach(() => {
  cluster = createFakeCluster();
});
afterEach(() => cluster.close());

const policy = (name: string, spec: Json): Json => ({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name }, spec });
const create = (name: string, spec: Json) => call(cluster, "POST", paths.networkpolicies(), policy(name, spec));

describe("NetworkPolicy defaults", () => {
  it.for([
    { name: "no rules", spec: { podSelector: {} }, policyTypes: ["Ingress"] },
    { name: "ingress rules only", spec: { podSelector: {}, ingress: [{}] }, policyTypes: ["Ingress"] },
    { name: "egress rules", spec: { podSelector: {}, egress: [{}] }, policyTypes: ["Ingress", "Egress"] },
    { name: "an empty egress list", spec: { podSelector: {}, egress: [] }, policyTypes: ["Ingress"] },
    { name: "policyTypes given", spec: { podSelector: {}, egress: [{}], policyTypes: ["Egress"] }, policyTypes: ["Egress"] },
  ])("policyTypes for $name: $policyTypes", async ({ spec, policyTypes }) => {
    const answer = await create("np", spec);
    expect(answer.status).toBe(201);
    expect(answer.body.spec.policyTypes).toEqual(policyTypes);
  });

  it("defaults every port's protocol to TCP and keeps a given one", async () => {
    const answer = await create("ports", {
      podSelector: {},
      ingress: [{ ports: [{ port: 80 }, { port: "dns", protocol: "UDP" }] }],
      egress: [{ ports: [{ port: 5432, endPort: 5433 }] }],
    });
    expect(answer.body.spec.ingress[0].ports).toEqual([
      { port: 80, protocol: "TCP" },
      { port: "dns", protocol: "UDP" },
    ]);
    expect(answer.body.spec.egress[0].ports).toEqual([{ port: 5432, endPort: 5433, protocol: "TCP" }]);
  });
});

describe("NetworkPolicy validation", () => {
  const cases: { name: string; spec: Json; causes: [field: string, reason: string, message: string][] }[] = [
    {
      name: "an unsupported protocol and port 0",
      spec: { podSelector: {}, ingress: [{ ports: [{ port: 0, protocol: "ICMP" }] }] },
      causes: [
        ["spec.ingress[0].ports[0].protocol", "FieldValueNotSupported", 'Unsupported value: "ICMP": supported values: "TCP", "UDP", "SCTP"'],
        ["spec.ingress[0].ports[0].port", "FieldValueInvalid", "Invalid value: 0: must be between 1 and 65535, inclusive"],
      ],
    },
    {
      name: "a bad port name",
      spec: { podSelector: {}, egress: [{ ports: [{ port: "a_b" }] }] },
      causes: [
        ["spec.egress[0].ports[0].port", "FieldValueInvalid", 'Invalid value: "a_b": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)'],
      ],
    },
    {
      name: "endPort below port",
      spec: { podSelector: {}, ingress: [{ ports: [{ port: 100, endPort: 90 }] }] },
      causes: [["spec.ingress[0].ports[0].endPort", "FieldValueInvalid", "Invalid value: 100: must be greater than or equal to `port`"]],
    },
    {
      name: "endPort with a named port",
      spec: { podSelector: {}, ingress: [{ ports: [{ port: "http", endPort: 90 }] }] },
      causes: [["spec.ingress[0].ports[0].endPort", "FieldValueInvalid", "Invalid value: 90: may not be specified when `port` is non-numeric"]],
    },
    {
      name: "an empty peer",
      spec: { podSelector: {}, ingress: [{ from: [{}] }] },
      causes: [["spec.ingress[0].from[0]", "FieldValueRequired", "Required value: must specify a peer"]],
    },
    {
      name: "an invalid CIDR beside a pod selector",
      spec: { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: "10.0.0.0/33" }, podSelector: {} }] }] },
      causes: [
        [
          "spec.ingress[0].from[0].ipBlock.cidr",
          "FieldValueInvalid",
          'Invalid value: "10.0.0.0/33": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
        ],
        ["spec.ingress[0].from[0]", "FieldValueForbidden", "Forbidden: may not specify both ipBlock and another peer"],
      ],
    },
    {
      name: "except outside the CIDR, equal to it, and not a CIDR",
      spec: { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/8", except: ["11.0.0.0/16", "10.0.0.0/8", "x"] } }] }] },
      causes: [
        ["spec.egress[0].to[0].ipBlock.except[0]", "FieldValueInvalid", 'Invalid value: "11.0.0.0/16": must be a strict subset of `cidr`'],
        ["spec.egress[0].to[0].ipBlock.except[1]", "FieldValueInvalid", 'Invalid value: "10.0.0.0/8": must be a strict subset of `cidr`'],
        ["spec.egress[0].to[0].ipBlock.except[2]", "FieldValueInvalid", 'Invalid value: "x": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'],
      ],
    },
    {
      name: "an ipBlock without cidr",
      spec: { podSelector: {}, egress: [{ to: [{ ipBlock: {} }] }] },
      causes: [["spec.egress[0].to[0].ipBlock.cidr", "FieldValueRequired", "Required value"]],
    },
    {
      name: "an unknown policy type",
      spec: { podSelector: {}, policyTypes: ["Ingress", "Foo"] },
      causes: [["spec.policyTypes[1]", "FieldValueNotSupported", 'Unsupported value: "Foo": supported values: "Ingress", "Egress"']],
    },
    {
      name: "three policy types",
      spec: { podSelector: {}, policyTypes: ["Ingress", "Egress", "Ingress"] },
      causes: [["spec.policyTypes", "FieldValueInvalid", 'Invalid value: ["Ingress","Egress","Ingress"]: may not specify more than two policyTypes']],
    },
    {
      name: "selector expressions without values and with an unknown operator",
      spec: {
        podSelector: {
          matchExpressions: [
            { key: "a", operator: "In" },
            { key: "c", operator: "Foo" },
          ],
        },
      },
      causes: [
        ["spec.podSelector.matchExpressions[0].values", "FieldValueRequired", "Required value: must be specified when `operator` is 'In' or 'NotIn'"],
        ["spec.podSelector.matchExpressions[1].operator", "FieldValueInvalid", 'Invalid value: "Foo": not a valid selector operator'],
      ],
    },
  ];

  it.for(cases)("refuses $name with the API server's causes", async ({ spec, causes }) => {
    const answer = await create("bad", spec);
    expect(answer.status).toBe(422);
    expect(answer.body.details.causes).toEqual(causes.map(([field, reason, message]) => ({ reason, message, field })));
    const summary = causes.map(([field, , message]) => `${field}: ${message}`);
    const listed = summary.length === 1 ? summary[0] : `[${summary.join(", ")}]`;
    expect(answer.body.message).toBe(`NetworkPolicy.networking.k8s.io "bad" is invalid: ${listed}`);
  });

  it("checks an update twice (create rules, then update rules): the cause twice, the message once", async () => {
    expect((await create("np", { podSelector: {} })).status).toBe(201);
    const answer = await call(
      cluster,
      "PUT",
      `${paths.networkpolicies()}/np`,
      policy("np", { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: "10.0.0.0/40" } }] }] }),
    );
    expect(answer.status).toBe(422);
    const cause = {
      reason: "FieldValueInvalid",
      message: 'Invalid value: "10.0.0.0/40": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
      field: "spec.ingress[0].from[0].ipBlock.cidr",
    };
    expect(answer.body.details.causes).toEqual([cause, cause]);
    expect(answer.body.message).toBe(`NetworkPolicy.networking.k8s.io "np" is invalid: ${cause.field}: ${cause.message}`);
  });

  it.for([
    {
      cidr: "10.0.0.1/8",
      warnings: ['spec.ingress[0].from[0].ipBlock.cidr: CIDR value "10.0.0.1/8" is ambiguous in this context (should be "10.0.0.0/8" or "10.0.0.1/32"?)'],
    },
    {
      cidr: "010.0.0.0/8",
      warnings: [
        'spec.ingress[0].from[0].ipBlock.cidr: non-standard CIDR value "010.0.0.0/8" will be considered invalid in a future Kubernetes release: use "10.0.0.0/8"',
      ],
    },
    {
      cidr: "2001:db8::1/64",
      warnings: [
        'spec.ingress[0].from[0].ipBlock.cidr: CIDR value "2001:db8::1/64" is ambiguous in this context (should be "2001:db8::/64" or "2001:db8::1/128"?)',
      ],
    },
    { cidr: "10.0.0.0/8", warnings: [] },
  ])("accepts $cidr with the warnings the strategy gives", async ({ cidr, warnings }) => {
    const answer = await create("cidr", { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr } }] }] });
    expect(answer.status).toBe(201);
    const header = answer.headers.get("warning");
    expect(header === null ? [] : [...header.matchAll(/299 - ("(?:[^"\\]|\\.)*")/g)].map((m) => JSON.parse(m[1]!) as string)).toEqual(warnings);
  });
});

describe("NetworkPolicy storage", () => {
  it("keeps a generation that spec changes bump and label changes do not", async () => {
    expect((await create("np", { podSelector: {} })).body.metadata.generation).toBe(1);
    const url = `${paths.networkpolicies()}/np`;
    const merge = { contentType: "application/merge-patch+json" };
    expect((await call(cluster, "PATCH", url, { metadata: { labels: { a: "b" } } }, merge)).body.metadata.generation).toBe(1);
    expect((await call(cluster, "PATCH", url, { spec: { policyTypes: ["Ingress", "Egress"] } }, merge)).body.metadata.generation).toBe(2);
  });

  it("owns the atomic lists and the pod selector as single fields in server-side apply, and replaces them whole", async () => {
    const url = `${paths.networkpolicies()}/np?fieldManager=sreda`;
    const first = policy("np", { podSelector: { matchLabels: { app: "a", tier: "web" } }, ingress: [{ ports: [{ port: 80 }, { port: 443 }] }] });
    const created = await call(cluster, "PATCH", url, first, { contentType: APPLY });
    expect(created.status).toBe(201);
    expect(created.body.metadata.managedFields[0].fieldsV1).toEqual({ "f:spec": { "f:ingress": {}, "f:podSelector": {} } });
    const second = policy("np", { podSelector: { matchLabels: { app: "b" } }, ingress: [{ ports: [{ port: 8080 }] }] });
    const applied = await call(cluster, "PATCH", url, second, { contentType: APPLY });
    expect(applied.body.spec.podSelector).toEqual({ matchLabels: { app: "b" } });
    expect(applied.body.spec.ingress).toEqual([{ ports: [{ port: 8080, protocol: "TCP" }] }]);
  });

  it("is listed as a NetworkPolicyList and watched", async () => {
    const list = await call(cluster, "GET", paths.networkpolicies());
    expect(list.body).toMatchObject({ kind: "NetworkPolicyList", apiVersion: "networking.k8s.io/v1", items: [] });
    const response = await cluster.fetch(
      `https://fake.test${paths.networkpolicies()}?watch=1&resourceVersion=${String(list.body.metadata.resourceVersion)}&timeoutSeconds=5`,
      {
        headers: { Authorization: "Bearer sreda-dev-token" },
      },
    );
    await create("watched", { podSelector: {} });
    const events = watchEvents(response);
    const first = await events.next();
    expect(first.value).toMatchObject({ type: "ADDED", object: { kind: "NetworkPolicy", metadata: { name: "watched" } } });
    await events.return(undefined);
  });

  it("is in discovery with its short name", async () => {
    const resources = (await call(cluster, "GET", "/apis/networking.k8s.io/v1")).body.resources as Json[];
    expect(resources.find((r) => r.name === "networkpolicies")).toMatchObject({ kind: "NetworkPolicy", namespaced: true, shortNames: ["netpol"] });
  });
});
