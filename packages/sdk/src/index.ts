/**
 * @sreda/sdk — the pure core (models, macros, rendering, validation, secrets, plans). The Kubernetes edge
 * and the fake cluster (`@sreda/sdk/testing`) build on it.
 */
export * from "./core/errors.js";
export * from "./core/models.js";
export { LIMITS, bounded, boundedArray, multiLine, requiredLine, singleLine } from "./core/text.js";
export { macroCatalog, getMacro, secretMacroNames, resolveMacroValues, MacroDefinition, MacroSource } from "./core/macros.js";
export { renderTemplate, renderText, parseTemplateJson, RenderedRequest } from "./core/render.js";
export type { MacroValues, RenderResult } from "./core/render.js";
export { validateManifest, isKnownKind } from "./core/validate.js";
export type { ManifestProblem } from "./core/validate.js";
export { generateCustomerSecrets, generatePassword, generateRsaPrivateKeyPem, cryptoRandom, seededRandom } from "./core/secrets.js";
export type { RandomSource, GenerateCustomerSecretsOptions } from "./core/secrets.js";
export { createProvisioningPlan, redactPlan, REDACTED, VARIABLE_TARGETS, CONFIG_HASH_ANNOTATION, ProvisioningPlan, PlanStep, PlanQuery } from "./core/plan.js";
export { describeEnvironment, describeSteps, objectNames, labelSelectorString, EnvironmentDescription, EnvironmentObject, SecretLocation } from "./core/environment.js";
export type { EnvironmentRef, GeneratedSecretField, DescribedStep } from "./core/environment.js";
export { generatedSecretMacros, knownMacroValues } from "./core/macros.js";
export type { GeneratedSecretMacro } from "./core/macros.js";
export { KINDS, kindInfo, apiVersionOfKind, collectionPath } from "./core/kinds.js";
export type { KindInfo } from "./core/kinds.js";
export { referencedObjects, podSpecOf } from "./core/references.js";
export type { ObjectReference } from "./core/references.js";
export { templates, getTemplate, RequestTemplate, TemplateId, defaultMacroValues } from "@sreda/templates";
export type { Clock } from "./core/clock.js";
export type {
  ConfigMap, Deployment, Event, Ingress, Job, ObjectMeta, Pod, PodList, ContainerStatus, Secret, Service, Status,
  WatchEvent, WatchEventType, Namespace as NamespaceObject,
} from "./core/kube-objects.js";

// The Kubernetes edge.
export * from "./kube/index.js";
export { SecretSource, SecretSources } from "./kube/customer-secrets.js";

// Status: the pure assessment and the watcher that feeds it.
export * from "./core/status/index.js";
export { EnvironmentAssessment, EnvironmentPhase, StatusReason } from "./core/status/schema.js";
export type { paths as KubeApiPaths, components as KubeApiComponents } from "./generated/kube-api.js";
