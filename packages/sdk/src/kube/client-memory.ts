/**
 * What a client learnt of a namespace a moment ago — that it exists, which permissions its token has there — kept on
 * the client itself (so per API root and credentials: the bridge shares one client per cluster and token) and read
 * by the client's clock. Only good news is kept (a namespace seen, a permission granted), never its absence, so an
 * administrator who fixes RBAC or creates the namespace is seen by the next run.
 */
import type { KubeClient } from "./client.js";

type Memory = Map<string, Map<string, number>>;

/** Per client, namespace → fact → when it was learnt; a client no longer used is collected with its memory. */
const memories = new WeakMap<KubeClient, Memory>();

function namespaceFacts(kube: KubeClient, namespace: string): Map<string, number> {
  let memory = memories.get(kube);
  if (!memory) memories.set(kube, (memory = new Map()));
  let facts = memory.get(namespace);
  if (!facts) memory.set(namespace, (facts = new Map()));
  return facts;
}

/** Whether `fact` was learnt of `namespace` less than `maxAgeMs` ago. */
export function remembered(kube: KubeClient, namespace: string, fact: string, maxAgeMs: number): boolean {
  const at = memories.get(kube)?.get(namespace)?.get(fact);
  return at !== undefined && kube.clock.now() - at < maxAgeMs;
}

export function remember(kube: KubeClient, namespace: string, fact: string): void {
  namespaceFacts(kube, namespace).set(fact, kube.clock.now());
}
