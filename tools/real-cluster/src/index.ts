/**
 * @sreda/real-cluster: a real Kubernetes control plane (etcd, kube-apiserver, kube-controller-manager,
 * kube-scheduler at the pinned versions, kwok as the nodes and kubelet) that the project builds from Go modules
 * and runs on loopback. For tests and developers:
 *
 *   const status = await realClusterStatus();        // built? running? (never starts anything)
 *   const state = await ensureRealCluster();          // the running one, started first if needed
 *   const target = clusterTarget(state, "sredaEdit"); // URL, CA PEM and the sreda-edit token
 *   await stopRealCluster();
 *
 * Build: `npm run real-cluster:build`; start/stop: `npm run real-cluster:start` / `real-cluster:stop`.
 */
export {
  clusterTarget,
  defaultStateDir,
  DEFAULT_PORTS,
  ensureRealCluster,
  logFiles,
  readState,
  realClusterStatus,
  startRealCluster,
  stopRealCluster,
  type Identity,
  type Ports,
  type RealClusterState,
  type RealClusterStatus,
  type StartOptions,
  type StopOptions,
} from "./cluster.js";
export { httpRequest, kubeCall, KubeApiError, type HttpOptions, type HttpResponse, type KubeTarget } from "./http.js";
export { FAIL_JOBS_LABEL, NAMESPACES, NODE_NAME } from "./manifests.js";
export { buildStatus, pinnedVersions, realClusterHome, type BuildStatus, type Versions } from "./build.mjs";
