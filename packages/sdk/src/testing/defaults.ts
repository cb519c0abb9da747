/**
 * Server-side defaulting, as `kubectl get -o json` shows it after a create: the SetDefaults_* functions of
 * pkg/apis/<group>/v1/defaults.go, the registries' PrepareForCreate (status reset, Job selector and labels,
 * Secret stringData) and the admission plugins that edit Pods (ServiceAccount, DefaultTolerationSeconds).
 * A client comparing "what I sent" with "what is there" meets the same extra fields as against a real server.
 */
import type { ResourceType } from "./resources.js";
import { base64Encode, isRecord, type Obj } from "./util.js";

export interface DefaultingContext {
  /** Five random name characters (kube-api-access volume suffix). */
  suffix(): string;
  /** A free ClusterIP from the service range. */
  allocateClusterIP(): string;
  /** A free node port. */
  allocateNodePort(): number;
}

function setDefault(target: Obj, key: string, value: unknown): void {
  if (target[key] === undefined || target[key] === null) target[key] = value;
}

function imageHasLatestTag(image: string): boolean {
  if (image.includes("@")) return false;
  const lastSlash = image.lastIndexOf("/");
  const tagSep = image.indexOf(":", lastSlash + 1);
  return tagSep < 0 || image.slice(tagSep + 1) === "latest";
}

function defaultProbe(probe: unknown): void {
  if (!isRecord(probe)) return;
  setDefault(probe, "timeoutSeconds", 1);
  setDefault(probe, "periodSeconds", 10);
  setDefault(probe, "successThreshold", 1);
  setDefault(probe, "failureThreshold", 3);
  if (isRecord(probe.httpGet)) setDefault(probe.httpGet, "scheme", "HTTP");
}

function defaultContainer(container: unknown, isPod: boolean): void {
  if (!isRecord(container)) return;
  if (typeof container.image === "string") setDefault(container, "imagePullPolicy", imageHasLatestTag(container.image) ? "Always" : "IfNotPresent");
  setDefault(container, "terminationMessagePath", "/dev/termination-log");
  setDefault(container, "terminationMessagePolicy", "File");
  setDefault(container, "resources", {});
  if (isPod && isRecord(container.resources) && isRecord(container.resources.limits)) {
    // Pods only (SetDefaults_Pod): requests default to limits.
    const requests = isRecord(container.resources.requests) ? container.resources.requests : {};
    for (const [name, value] of Object.entries(container.resources.limits)) setDefault(requests, name, value);
    container.resources.requests = requests;
  }
  for (const port of Array.isArray(container.ports) ? container.ports : []) if (isRecord(port)) setDefault(port, "protocol", "TCP");
  for (const env of Array.isArray(container.env) ? container.env : []) {
    if (isRecord(env) && isRecord(env.valueFrom) && isRecord(env.valueFrom.fieldRef)) setDefault(env.valueFrom.fieldRef, "apiVersion", "v1");
  }
  defaultProbe(container.readinessProbe);
  defaultProbe(container.livenessProbe);
  defaultProbe(container.startupProbe);
}

function defaultPodSpec(spec: unknown, isPod: boolean, restartPolicy = true): void {
  if (!isRecord(spec)) return;
  if (restartPolicy) setDefault(spec, "restartPolicy", "Always");
  setDefault(spec, "terminationGracePeriodSeconds", 30);
  setDefault(spec, "dnsPolicy", "ClusterFirst");
  setDefault(spec, "securityContext", {});
  setDefault(spec, "schedulerName", "default-scheduler");
  for (const list of ["containers", "initContainers"]) {
    for (const container of Array.isArray(spec[list]) ? spec[list] : []) defaultContainer(container, isPod);
  }
  for (const volume of Array.isArray(spec.volumes) ? spec.volumes : []) {
    if (!isRecord(volume)) continue;
    if (isRecord(volume.secret)) setDefault(volume.secret, "defaultMode", 420);
    if (isRecord(volume.configMap)) setDefault(volume.configMap, "defaultMode", 420);
    if (isRecord(volume.projected)) setDefault(volume.projected, "defaultMode", 420);
  }
}

function defaultTemplate(spec: Obj, restartPolicy = true): void {
  if (!isRecord(spec.template)) return;
  defaultPodSpec(spec.template.spec, false, restartPolicy);
}

/** Quality of service class (pkg/apis/core/v1/helper/qos): Guaranteed, Burstable or BestEffort. */
export function qosClass(podSpec: unknown): "Guaranteed" | "Burstable" | "BestEffort" {
  const containers = isRecord(podSpec) && Array.isArray(podSpec.containers) ? podSpec.containers.filter(isRecord) : [];
  let any = false;
  let guaranteed = containers.length > 0;
  for (const c of containers) {
    const requests: Obj = isRecord(c.resources?.requests) ? c.resources.requests : {};
    const limits: Obj = isRecord(c.resources?.limits) ? c.resources.limits : {};
    if (Object.keys(requests).length > 0 || Object.keys(limits).length > 0) any = true;
    for (const r of ["cpu", "memory"]) {
      if (limits[r] === undefined || (requests[r] !== undefined && String(requests[r]) !== String(limits[r]))) guaranteed = false;
    }
  }
  if (!any) return "BestEffort";
  return guaranteed ? "Guaranteed" : "Burstable";
}

/** Defaults for a Pod created through the API (also by controllers): spec defaults plus admission edits. */
function defaultPod(pod: Obj, ctx: DefaultingContext, creating: boolean): void {
  const spec: Obj = isRecord(pod.spec) ? pod.spec : (pod.spec = {});
  defaultPodSpec(spec, true);
  setDefault(spec, "enableServiceLinks", true);
  setDefault(spec, "preemptionPolicy", "PreemptLowerPriority");
  setDefault(spec, "priority", 0);
  if (spec.serviceAccountName === undefined && spec.serviceAccount !== undefined) spec.serviceAccountName = spec.serviceAccount;
  setDefault(spec, "serviceAccountName", "default");
  spec.serviceAccount = spec.serviceAccountName;
  if (!creating) return;
  // DefaultTolerationSeconds admission.
  const tolerations: Obj[] = Array.isArray(spec.tolerations) ? spec.tolerations : [];
  for (const key of ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]) {
    if (!tolerations.some((t) => t.key === key)) tolerations.push({ key, operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 });
  }
  spec.tolerations = tolerations;
  // ServiceAccount admission: the projected token volume, mounted into every container.
  if (spec.automountServiceAccountToken !== false) {
    const volumes: Obj[] = Array.isArray(spec.volumes) ? spec.volumes : [];
    if (!volumes.some((v) => typeof v.name === "string" && v.name.startsWith("kube-api-access-"))) {
      const name = `kube-api-access-${ctx.suffix()}`;
      volumes.push({
        name,
        projected: {
          defaultMode: 420,
          sources: [
            { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
            { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
            { downwardAPI: { items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }] } },
          ],
        },
      });
      spec.volumes = volumes;
      for (const container of Array.isArray(spec.containers) ? spec.containers : []) {
        if (!isRecord(container)) continue;
        const mounts: Obj[] = Array.isArray(container.volumeMounts) ? container.volumeMounts : [];
        mounts.push({ name, readOnly: true, mountPath: "/var/run/secrets/kubernetes.io/serviceaccount" });
        container.volumeMounts = mounts;
      }
    }
  }
}

function defaultService(svc: Obj, ctx: DefaultingContext, old: Obj | undefined): void {
  const spec: Obj = isRecord(svc.spec) ? svc.spec : (svc.spec = {});
  setDefault(spec, "type", "ClusterIP");
  setDefault(spec, "sessionAffinity", "None");
  for (const port of Array.isArray(spec.ports) ? spec.ports : []) {
    if (!isRecord(port)) continue;
    setDefault(port, "protocol", "TCP");
    setDefault(port, "targetPort", port.port);
  }
  if (spec.type === "ExternalName") return;
  // patchAllocatedValues: an update that omits allocated values keeps them.
  const oldSpec: Obj = isRecord(old?.spec) ? old.spec : {};
  if ((spec.clusterIP === undefined || spec.clusterIP === "") && oldSpec.clusterIP !== undefined) {
    spec.clusterIP = oldSpec.clusterIP;
    spec.clusterIPs = oldSpec.clusterIPs;
  }
  if (spec.clusterIP === undefined || spec.clusterIP === "") spec.clusterIP = ctx.allocateClusterIP();
  setDefault(spec, "clusterIPs", [spec.clusterIP]);
  setDefault(spec, "ipFamilies", spec.clusterIP === "None" ? ["IPv4"] : ["IPv4"]);
  setDefault(spec, "ipFamilyPolicy", "SingleStack");
  setDefault(spec, "internalTrafficPolicy", "Cluster");
  if (spec.type === "NodePort" || spec.type === "LoadBalancer") {
    setDefault(spec, "externalTrafficPolicy", "Cluster");
    if (spec.type === "LoadBalancer") setDefault(spec, "allocateLoadBalancerNodePorts", true);
    const oldPorts: Obj[] = Array.isArray(oldSpec.ports) ? oldSpec.ports : [];
    for (const port of Array.isArray(spec.ports) ? spec.ports : []) {
      if (!isRecord(port) || port.nodePort !== undefined) continue;
      port.nodePort = oldPorts.find((p) => p.port === port.port)?.nodePort ?? ctx.allocateNodePort();
    }
  }
}

function defaultJob(job: Obj, uid: string, creating: boolean): void {
  const spec: Obj = isRecord(job.spec) ? job.spec : (job.spec = {});
  const name = String(job.metadata?.name ?? "");
  // The selector and its labels are generated on create only (the Job strategy's PrepareForCreate): an update
  // without them is invalid (selector required, immutable).
  if (creating && spec.manualSelector !== true && spec.selector === undefined) {
    spec.selector = { matchLabels: { "batch.kubernetes.io/controller-uid": uid } };
  }
  if (isRecord(spec.template)) {
    const meta: Obj = isRecord(spec.template.metadata) ? spec.template.metadata : (spec.template.metadata = {});
    if (creating && spec.manualSelector !== true) {
      const labels: Obj = isRecord(meta.labels) ? meta.labels : {};
      setDefault(labels, "batch.kubernetes.io/controller-uid", uid);
      setDefault(labels, "batch.kubernetes.io/job-name", name);
      setDefault(labels, "controller-uid", uid);
      setDefault(labels, "job-name", name);
      meta.labels = labels;
    }
  }
  const completionsSet = spec.completions !== undefined && spec.completions !== null;
  const parallelismSet = spec.parallelism !== undefined && spec.parallelism !== null;
  if (!completionsSet && !parallelismSet) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  setDefault(spec, "parallelism", 1);
  setDefault(spec, "backoffLimit", 6);
  setDefault(spec, "completionMode", "NonIndexed");
  setDefault(spec, "suspend", false);
  setDefault(spec, "podReplacementPolicy", "TerminatingOrFailed");
  // A Job without labels takes its template's (SetDefaults_Job).
  const meta: Obj = isRecord(job.metadata) ? job.metadata : (job.metadata = {});
  if (!isRecord(meta.labels) || Object.keys(meta.labels).length === 0) {
    const templateLabels = spec.template?.metadata?.labels;
    if (isRecord(templateLabels)) meta.labels = { ...templateLabels };
  }
  // A Job's pod template gets no restartPolicy: without one it is invalid (Required: "OnFailure", "Never").
  defaultTemplate(spec, false);
}

function defaultDeployment(deployment: Obj): void {
  const spec: Obj = isRecord(deployment.spec) ? deployment.spec : (deployment.spec = {});
  setDefault(spec, "replicas", 1);
  const strategy: Obj = isRecord(spec.strategy) ? spec.strategy : (spec.strategy = {});
  setDefault(strategy, "type", "RollingUpdate");
  if (strategy.type === "RollingUpdate") {
    const rolling: Obj = isRecord(strategy.rollingUpdate) ? strategy.rollingUpdate : (strategy.rollingUpdate = {});
    setDefault(rolling, "maxUnavailable", "25%");
    setDefault(rolling, "maxSurge", "25%");
  }
  setDefault(spec, "revisionHistoryLimit", 10);
  setDefault(spec, "progressDeadlineSeconds", 600);
  defaultTemplate(spec);
}

/** SetDefaults_NetworkPolicy and SetDefaults_NetworkPolicyPort (networking/v1). */
function defaultNetworkPolicy(policy: Obj): void {
  const spec: Obj = isRecord(policy.spec) ? policy.spec : (policy.spec = {});
  for (const rules of ["ingress", "egress"]) {
    for (const rule of Array.isArray(spec[rules]) ? spec[rules] : []) {
      if (!isRecord(rule)) continue;
      for (const port of Array.isArray(rule.ports) ? rule.ports : []) if (isRecord(port)) setDefault(port, "protocol", "TCP");
    }
  }
  if (!Array.isArray(spec.policyTypes) || spec.policyTypes.length === 0) {
    // Any policy implies Ingress; Egress only when it has egress rules.
    spec.policyTypes = Array.isArray(spec.egress) && spec.egress.length > 0 ? ["Ingress", "Egress"] : ["Ingress"];
  }
}

/** The scaling rules a given behavior is completed with (autoscaling/v2 GenerateHPAScale{Up,Down}Rules). */
const SCALE_UP_RULES: Obj = {
  stabilizationWindowSeconds: 0,
  selectPolicy: "Max",
  policies: [
    { type: "Pods", value: 4, periodSeconds: 15 },
    { type: "Percent", value: 100, periodSeconds: 15 },
  ],
};
// The scale-down window stays unset: the controller's --horizontal-pod-autoscaler-downscale-stabilization applies.
const SCALE_DOWN_RULES: Obj = { selectPolicy: "Max", policies: [{ type: "Percent", value: 100, periodSeconds: 15 }] };

function scalingRules(given: unknown, defaults: Obj): Obj {
  const from: Obj = isRecord(given) ? given : {};
  const rules: Obj = {};
  // HPAScalingRules' field order.
  for (const key of ["stabilizationWindowSeconds", "selectPolicy", "policies", "tolerance"]) {
    const value = from[key] ?? defaults[key];
    if (value !== undefined && value !== null) rules[key] = JSON.parse(JSON.stringify(value)) as unknown;
  }
  return rules;
}

/** SetDefaults_HorizontalPodAutoscaler (autoscaling/v2): minReplicas 1, a CPU target of 80%, a complete behavior. */
function defaultAutoscaler(hpa: Obj): void {
  const spec: Obj = isRecord(hpa.spec) ? hpa.spec : (hpa.spec = {});
  setDefault(spec, "minReplicas", 1);
  if (!Array.isArray(spec.metrics) || spec.metrics.length === 0) {
    spec.metrics = [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } } }];
  }
  if (isRecord(spec.behavior)) {
    spec.behavior = { scaleUp: scalingRules(spec.behavior.scaleUp, SCALE_UP_RULES), scaleDown: scalingRules(spec.behavior.scaleDown, SCALE_DOWN_RULES) };
  }
}

/** Applies the defaults of `rt` to `obj` in place. `old` is the stored object on updates. */
export function applyDefaults(rt: ResourceType, obj: Obj, ctx: DefaultingContext, old: Obj | undefined): void {
  switch (rt.kind) {
    case "Pod":
      defaultPod(obj, ctx, old === undefined);
      break;
    case "Service":
      defaultService(obj, ctx, old);
      break;
    case "Job":
      defaultJob(obj, String(obj.metadata?.uid ?? old?.metadata?.uid ?? ""), old === undefined);
      break;
    case "Deployment":
      defaultDeployment(obj);
      break;
    case "NetworkPolicy":
      defaultNetworkPolicy(obj);
      break;
    case "HorizontalPodAutoscaler":
      defaultAutoscaler(obj);
      break;
    case "ReplicaSet": {
      const spec: Obj = isRecord(obj.spec) ? obj.spec : (obj.spec = {});
      setDefault(spec, "replicas", 1);
      defaultTemplate(spec);
      break;
    }
    case "Secret": {
      setDefault(obj, "type", "Opaque");
      if (isRecord(obj.stringData)) {
        // stringData is write-only: merged into data (base64) and dropped (pkg/apis/core/v1/conversion.go).
        const data: Obj = isRecord(obj.data) ? obj.data : {};
        for (const [key, value] of Object.entries(obj.stringData)) data[key] = base64Encode(String(value));
        obj.data = data;
      }
      delete obj.stringData;
      break;
    }
    case "Namespace": {
      const meta: Obj = isRecord(obj.metadata) ? obj.metadata : (obj.metadata = {});
      meta.labels = { ...(isRecord(meta.labels) ? meta.labels : {}), "kubernetes.io/metadata.name": meta.name };
      const spec: Obj = isRecord(obj.spec) ? obj.spec : (obj.spec = {});
      setDefault(spec, "finalizers", ["kubernetes"]);
      break;
    }
  }
}

/** The status a create starts with (PrepareForCreate of each registry). */
export function initialStatus(rt: ResourceType, obj: Obj): Obj | undefined {
  switch (rt.kind) {
    case "Pod":
      return { phase: "Pending", qosClass: qosClass(obj.spec) };
    case "Deployment":
    case "Job":
      return {};
    case "ReplicaSet":
      return { replicas: 0 };
    case "Service":
    case "Ingress":
      return { loadBalancer: {} };
    case "Namespace":
      return { phase: "Active" };
    case "HorizontalPodAutoscaler":
      // currentMetrics has no omitempty: a new HPA's status says null.
      return { desiredReplicas: 0, currentMetrics: null };
    case "PodDisruptionBudget":
      return { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
    default:
      return undefined;
  }
}
