/**
 * The `scale` subresource of Deployments and ReplicaSets (autoscaling/v1 Scale), as the apps registries serve it
 * (pkg/registry/apps/deployment/storage ScaleREST): a view of `spec.replicas`, `status.replicas` and the selector, and
 * an Update that changes `spec.replicas` only — recorded in managedFields as the writer's `scale` entry. The HPA
 * controller scales through it, and so does a client's GET/PUT/PATCH of `…/deployments/{name}/scale`.
 */
import type { Registry, WriteOptions } from "./registry.js";
import type { ResourceType } from "./resources.js";
import { selectorString } from "./selectors.js";
import { badRequest, conflict, invalid } from "./status.js";
import { deepCopy, isRecord, type Obj } from "./util.js";

export function isScalable(rt: ResourceType): boolean {
  return rt.kind === "Deployment" || rt.kind === "ReplicaSet";
}

/** scaleFromDeployment / scaleFromReplicaSet. */
export function scaleOf(obj: Obj): Obj {
  const replicas = Number(obj.spec?.replicas ?? 0);
  return {
    kind: "Scale",
    apiVersion: "autoscaling/v1",
    metadata: {
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
      creationTimestamp: obj.metadata.creationTimestamp,
    },
    // ScaleSpec.replicas is omitempty: a scale of 0 has an empty spec.
    spec: replicas === 0 ? {} : { replicas },
    status: { replicas: Number(obj.status?.replicas ?? 0), selector: selectorString(obj.spec?.selector) },
  };
}

/** Sets `spec.replicas` through the scale subresource (an Update by `options.manager`); returns the new object. */
export function writeScale(registry: Registry, rt: ResourceType, current: Obj, replicas: number, options: WriteOptions): Obj {
  const next = deepCopy(current);
  next.spec = { ...(next.spec ?? {}), replicas };
  return registry.update(rt, current, next, { ...options, subresource: "scale" });
}

/**
 * A Scale written by a client (PUT, or the result of a patch): validated as a Scale first, then the resourceVersion
 * precondition, then the write. Answers the new Scale.
 */
export function replaceScale(registry: Registry, rt: ResourceType, namespace: string | undefined, name: string, body: unknown, options: WriteOptions): Obj {
  if (!isRecord(body))
    throw badRequest("the object provided is unrecognized (must be of type Scale): couldn't get version/kind; json parse error: expected an object");
  const meta: Obj = isRecord(body.metadata) ? body.metadata : {};
  if (meta.name !== undefined && meta.name !== name) {
    throw badRequest(`the name of the object (${String(meta.name)}) does not match the name on the URL (${name})`);
  }
  const replicas = Number(body.spec?.replicas ?? 0);
  if (replicas < 0) {
    throw invalid({ kind: "Scale", group: "autoscaling" }, name, [
      { reason: "FieldValueInvalid", message: `Invalid value: ${replicas}: must be greater than or equal to 0`, field: "spec.replicas" },
    ]);
  }
  const current = registry.get(rt, namespace, name);
  if (typeof meta.resourceVersion === "string" && meta.resourceVersion !== "" && meta.resourceVersion !== current.metadata.resourceVersion) {
    throw conflict(rt, name);
  }
  return scaleOf(writeScale(registry, rt, current, replicas, options));
}
