/**
 * What the real control plane holds after a start, besides what Kubernetes bootstraps itself: the kwok Node our
 * templates can schedule on, the namespaces with the Secrets the templates expect, the ServiceAccounts Sreda and
 * tests use (edit and view), and the admission policy behind the "fail this namespace's Jobs" switch for tests.
 * Applied with server-side apply, so a restart on an existing state changes nothing.
 */
import { Buffer } from "node:buffer";

type Obj = Record<string, any>;

export const NODE_NAME = "kwok-node-0";
export const NAMESPACES = ["lms-dev", "lms-prod"] as const;
/** Where the ServiceAccounts live; they are bound in NAMESPACES. */
export const SERVICE_ACCOUNT_NAMESPACE = "sreda-system";
export const EDIT_SERVICE_ACCOUNT = "sreda-edit";
export const VIEW_SERVICE_ACCOUNT = "sreda-view";
/** Label a namespace with this (value "fail") and the pods its Jobs create end with exit code 1. */
export const FAIL_JOBS_LABEL = { key: "sreda.io/test-job-outcome", value: "fail" } as const;

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

/** The kwok Node: managed by kwok (annotation), with the label the lms-deployment's node affinity requires. */
export function nodeManifest(): Obj {
  const capacity = { cpu: "32", memory: "256Gi", pods: "110", "ephemeral-storage": "1Ti" };
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: NODE_NAME,
      annotations: { "kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0" },
      labels: {
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/os": "linux",
        "kubernetes.io/hostname": NODE_NAME,
        "kubernetes.io/role": "agent",
        "node-role.kubernetes.io/agent": "",
        type: "kwok",
        rarus: "lms",
      },
    },
    status: { allocatable: capacity, capacity },
  };
}

/** The Secrets the templates reference in each namespace (as the SDK's fake cluster seeds them). */
function namespaceSecrets(namespace: string, ingress: { certPem: string; keyPem: string }): Obj[] {
  const registry = "registry.gitlab.corp.rarus.cloud";
  const dockerconfig = {
    auths: { [registry]: { username: "sreda", password: "real-cluster-registry-token", auth: b64("sreda:real-cluster-registry-token") } },
  };
  return [
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "repository-token", namespace },
      type: "kubernetes.io/dockerconfigjson",
      data: { ".dockerconfigjson": b64(JSON.stringify(dockerconfig)) },
    },
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "tls", namespace },
      type: "kubernetes.io/tls",
      data: { "tls.crt": b64(ingress.certPem), "tls.key": b64(ingress.keyPem) },
    },
  ];
}

/**
 * Every object of the bootstrap, in an order that works (namespaces first). `edit` and `view` are Kubernetes'
 * own aggregated ClusterRoles; `edit` covers everything Sreda's executor, preflight and watcher do in a namespace
 * (get/patch of Secrets, ConfigMaps, Services, Ingresses, Deployments; get/create/delete of Jobs; list/watch of
 * pods, Jobs, Deployments; events; pods/log) and the customer's lock: in 1.35 its system:aggregate-to-edit grants
 * get/list/watch/create/update/patch/delete on coordination.k8s.io leases (bootstrappolicy editRules, checked in
 * v1.35.4; `view` grants none, which test/access.test.ts asserts). So no extra Role is needed.
 */
export function bootstrapManifests(ingress: { certPem: string; keyPem: string }): Obj[] {
  const objects: Obj[] = [];
  for (const name of [SERVICE_ACCOUNT_NAMESPACE, ...NAMESPACES]) {
    objects.push({ apiVersion: "v1", kind: "Namespace", metadata: { name, labels: { "app.kubernetes.io/managed-by": "sreda-real-cluster" } } });
  }
  for (const name of [EDIT_SERVICE_ACCOUNT, VIEW_SERVICE_ACCOUNT]) {
    objects.push({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace: SERVICE_ACCOUNT_NAMESPACE } });
  }
  for (const namespace of NAMESPACES) {
    objects.push(...namespaceSecrets(namespace, ingress));
    for (const [serviceAccount, clusterRole] of [
      [EDIT_SERVICE_ACCOUNT, "edit"],
      [VIEW_SERVICE_ACCOUNT, "view"],
    ] as const) {
      objects.push({
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name: serviceAccount, namespace },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: clusterRole },
        subjects: [{ kind: "ServiceAccount", name: serviceAccount, namespace: SERVICE_ACCOUNT_NAMESPACE }],
      });
    }
  }
  objects.push(...failJobsPolicy());
  objects.push(nodeManifest());
  return objects;
}

/**
 * Pods created in a namespace labelled sreda.io/test-job-outcome=fail get that label too; kwok's stage
 * sreda-job-pod-fail (kwok/stages.yaml) then ends the pods that belong to a Job with exit code 1. kwok's stages
 * see only the pod, not its namespace, hence this policy (MutatingAdmissionPolicy: beta in 1.35, enabled by the
 * API server's flags).
 */
export function failJobsPolicy(): Obj[] {
  const name = "sreda-test-job-outcome";
  return [
    {
      apiVersion: "admissionregistration.k8s.io/v1beta1",
      kind: "MutatingAdmissionPolicy",
      metadata: { name },
      spec: {
        matchConstraints: {
          resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"] }],
          namespaceSelector: { matchLabels: { [FAIL_JOBS_LABEL.key]: FAIL_JOBS_LABEL.value } },
        },
        failurePolicy: "Fail",
        reinvocationPolicy: "Never",
        mutations: [
          {
            patchType: "ApplyConfiguration",
            applyConfiguration: {
              expression: `Object{metadata: Object.metadata{labels: {"${FAIL_JOBS_LABEL.key}": "${FAIL_JOBS_LABEL.value}"}}}`,
            },
          },
        ],
      },
    },
    {
      apiVersion: "admissionregistration.k8s.io/v1beta1",
      kind: "MutatingAdmissionPolicyBinding",
      metadata: { name },
      spec: { policyName: name },
    },
  ];
}

/** API path of an object (the kinds of the bootstrap). */
export function objectPath(obj: Obj): string {
  const kinds: Record<string, { prefix: string; resource: string; namespaced: boolean }> = {
    Namespace: { prefix: "/api/v1", resource: "namespaces", namespaced: false },
    Node: { prefix: "/api/v1", resource: "nodes", namespaced: false },
    Secret: { prefix: "/api/v1", resource: "secrets", namespaced: true },
    ServiceAccount: { prefix: "/api/v1", resource: "serviceaccounts", namespaced: true },
    RoleBinding: { prefix: "/apis/rbac.authorization.k8s.io/v1", resource: "rolebindings", namespaced: true },
    Role: { prefix: "/apis/rbac.authorization.k8s.io/v1", resource: "roles", namespaced: true },
    MutatingAdmissionPolicy: { prefix: "/apis/admissionregistration.k8s.io/v1beta1", resource: "mutatingadmissionpolicies", namespaced: false },
    MutatingAdmissionPolicyBinding: { prefix: "/apis/admissionregistration.k8s.io/v1beta1", resource: "mutatingadmissionpolicybindings", namespaced: false },
  };
  const kind = kinds[obj.kind];
  if (!kind) throw new Error(`no API path known for kind ${obj.kind}`);
  const name = encodeURIComponent(obj.metadata.name);
  return kind.namespaced
    ? `${kind.prefix}/namespaces/${encodeURIComponent(obj.metadata.namespace)}/${kind.resource}/${name}`
    : `${kind.prefix}/${kind.resource}/${name}`;
}
