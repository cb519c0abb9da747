/**
 * Which Secrets and ConfigMaps a manifest reads: pod templates (env, envFrom, volumes, image pull secrets) and
 * Ingress TLS. Pure: used by the plan (to roll pods when what they read changes) and by the preflight (to check
 * that what the plan does not create already exists).
 */
export interface ObjectReference {
  kind: "Secret" | "ConfigMap";
  name: string;
  /** Why it is needed, for operators (Russian). */
  why: string;
}

/** A manifest as parsed JSON. */
export type Manifest = Record<string, any>;

/** The pod spec of a Deployment, Job, … (`spec.template.spec`), if any. */
export function podSpecOf(body: Manifest | null | undefined): Manifest | undefined {
  return body?.["spec"]?.["template"]?.["spec"];
}

export function referencedObjects(body: Manifest | null | undefined): ObjectReference[] {
  const refs: ObjectReference[] = [];
  const podSpec = podSpecOf(body);
  if (podSpec) {
    for (const s of podSpec.imagePullSecrets ?? []) refs.push({ kind: "Secret", name: s.name, why: "загрузка образа из реестра" });
    for (const v of podSpec.volumes ?? []) {
      if (v.secret?.secretName && !v.secret.optional) refs.push({ kind: "Secret", name: v.secret.secretName, why: `том ${v.name}` });
      if (v.configMap?.name && !v.configMap.optional) refs.push({ kind: "ConfigMap", name: v.configMap.name, why: `том ${v.name}` });
    }
    for (const c of [...(podSpec.initContainers ?? []), ...(podSpec.containers ?? [])]) {
      for (const e of c.envFrom ?? []) {
        if (e.secretRef?.name && !e.secretRef.optional) refs.push({ kind: "Secret", name: e.secretRef.name, why: "переменные окружения" });
        if (e.configMapRef?.name && !e.configMapRef.optional) refs.push({ kind: "ConfigMap", name: e.configMapRef.name, why: "переменные окружения" });
      }
      for (const e of c.env ?? []) {
        const s = e.valueFrom?.secretKeyRef;
        if (s?.name && !s.optional) refs.push({ kind: "Secret", name: s.name, why: `переменная ${e.name}` });
        const m = e.valueFrom?.configMapKeyRef;
        if (m?.name && !m.optional) refs.push({ kind: "ConfigMap", name: m.name, why: `переменная ${e.name}` });
      }
    }
  }
  if (body?.["kind"] === "Ingress") {
    for (const tls of body["spec"]?.["tls"] ?? []) if (tls.secretName) refs.push({ kind: "Secret", name: tls.secretName, why: "TLS-сертификат" });
  }
  return refs;
}
