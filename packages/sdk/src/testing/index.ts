/**
 * @sreda/sdk/testing — a faithful in-memory Kubernetes API server for tests, development and benchmarks.
 * See README.md next to this file.
 */
export { createFakeCluster } from "./fake-cluster.js";
export type {
  FakeCluster,
  FakeClusterOptions,
  FakeClusterBehavior,
  FakeClientConfig,
  KindObjects,
  ObjectFilter,
  Container,
  NetworkPolicy,
} from "./fake-cluster.js";
export type { PodMetrics, ResourceUsage } from "./pod-metrics.js";
export { createVirtualClock, DEFAULT_CLOCK_START } from "./clock.js";
export type { VirtualClock, VirtualClockOptions, VirtualClockMode, TimerOptions } from "./clock.js";
export { DEFAULT_TIMINGS } from "./kubelet.js";
export type { PodScenario, Timings } from "./kubelet.js";
export { DEFAULT_TOKENS } from "./auth.js";
export type { Tokens, TokenInfo, DenyRule, AllowRule } from "./auth.js";
export type { Verb } from "./resources.js";
export type { FaultRule, FaultAction, FaultMatch } from "./faults.js";
export type { RequestLogEntry } from "./handlers.js";
export type { ListenOptions, RunningServer } from "./server.js";
// The object types the fake's typed reads return, and the Clock its virtual clock is (the SDK's own).
export type { Clock } from "../core/clock.js";
export type {
  ConfigMap,
  Deployment,
  Event,
  HorizontalPodAutoscaler,
  Ingress,
  Job,
  KubeSchemas,
  Namespace,
  Pod,
  PodDisruptionBudget,
  ReplicaSet,
  Secret,
  Service,
} from "../core/kube-objects.js";
export type { components as KubeApiComponents } from "../generated/kube-api.js";
