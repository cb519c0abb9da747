/**
 * The bridge's contract and the SDK's functions, held together at compile time: what each response carries is the
 * type of what the SDK function that produces it returns, and each request is the SDK's input plus what the bridge
 * adds. The bridge's schemas are the SDK's own (src/schemas.ts imports them), so a field added to an SDK type means
 * a field added to its schema; these checks fail `tsc --noEmit` when the two drift apart some other way — a schema
 * restated by hand again, or a function that starts returning something other than its schema's type.
 */
import { describe, expectTypeOf, it } from "vitest";
import type { z } from "zod";
import type {
  applyPlan,
  createDeprovisioningPlan,
  CustomerSecrets,
  findCustomerObjects,
  EnvironmentSettings,
  ProvisioningInput,
  ResolvedCustomerSecrets,
  assessEnvironment,
  createProvisioningPlan,
  getMacro,
  macroCatalog,
  readEnvironmentStatus,
  redactPlan,
  renderTemplate,
  resolveCustomerSecrets,
  SecretSource as SdkSecretSource,
} from "@sreda/sdk";
import type { provisioningInput } from "../src/secrets.js";
import type {
  DeprovisionPreview,
  DeprovisionRequest,
  EnvironmentAssessment,
  EnvironmentRef,
  EnvironmentStatusItem,
  MacroDefinition,
  MacrosResponse,
  Operation,
  PlanRequest,
  PlanResponse,
  ProvisioningPlan,
  ProvisioningRequest,
  RenderedRequest,
  SecretSource,
  SecretSources,
  StatusReason,
} from "../src/schemas.js";

describe("the responses are what the SDK returns", () => {
  it("a plan is redactPlan's (and createProvisioningPlan's) result", () => {
    expectTypeOf<z.infer<typeof PlanResponse>["plan"]>().toEqualTypeOf<ReturnType<typeof redactPlan>>();
    expectTypeOf<z.infer<typeof ProvisioningPlan>>().toEqualTypeOf<ReturnType<typeof createProvisioningPlan>>();
    expectTypeOf<z.infer<typeof RenderedRequest>>().toEqualTypeOf<Omit<ReturnType<typeof renderTemplate>, "sensitivePaths" | "secretMacroPaths">>();
  });

  it("a status is assessEnvironment's (and readEnvironmentStatus's) result", () => {
    expectTypeOf<z.infer<typeof EnvironmentAssessment>>().toEqualTypeOf<ReturnType<typeof assessEnvironment>>();
    expectTypeOf<z.infer<typeof EnvironmentAssessment>>().toEqualTypeOf<Awaited<ReturnType<typeof readEnvironmentStatus>>>();
    expectTypeOf<z.infer<typeof StatusReason>>().toEqualTypeOf<ReturnType<typeof assessEnvironment>["reasons"][number]>();
    expectTypeOf<z.infer<typeof EnvironmentStatusItem>["status"]>().toEqualTypeOf<ReturnType<typeof assessEnvironment> | undefined>();
    expectTypeOf<z.infer<typeof Operation>["environment"]>().toEqualTypeOf<ReturnType<typeof assessEnvironment> | null>();
  });

  it("a macro is one of the SDK's catalog", () => {
    expectTypeOf<z.infer<typeof MacroDefinition>>().toEqualTypeOf<(typeof macroCatalog)[number]>();
    expectTypeOf<z.infer<typeof MacrosResponse>["macros"][number]>().toEqualTypeOf<NonNullable<ReturnType<typeof getMacro>>>();
  });

  it("secret sources are the SDK's, plus the bridge's placeholder", () => {
    expectTypeOf<z.infer<typeof SecretSource>>().toEqualTypeOf<SdkSecretSource | "placeholder">();
    expectTypeOf<keyof z.infer<typeof SecretSources>>().toEqualTypeOf<keyof Awaited<ReturnType<typeof resolveCustomerSecrets>>["sources"]>();
    expectTypeOf<ResolvedCustomerSecrets["sources"]>().toExtend<z.infer<typeof SecretSources>>();
    expectTypeOf<z.infer<typeof Operation>["secrets"]>().toEqualTypeOf<CustomerSecrets | undefined>();
  });
});

describe("the requests are the SDK's input plus what the bridge adds", () => {
  type Request = z.infer<typeof ProvisioningRequest>;

  it("a provisioning request is the provisioning input, secrets and variables optional, plus the cluster and resume", () => {
    expectTypeOf<Omit<Request, "cluster" | "secrets" | "variables" | "resume">>().toEqualTypeOf<Omit<ProvisioningInput, "secrets" | "variables">>();
    expectTypeOf<Request["secrets"]>().toEqualTypeOf<Partial<CustomerSecrets> | undefined>();
    expectTypeOf<Request["variables"]>().toEqualTypeOf<ProvisioningInput["variables"] | undefined>();
    expectTypeOf<Request["resume"]>().toEqualTypeOf<boolean | undefined>();
    expectTypeOf<keyof Request>().toEqualTypeOf<keyof ProvisioningInput | "cluster" | "resume">();
    // What the routes hand the SDK: the request's customer fields, the secrets completed and the variables defaulted.
    expectTypeOf<ReturnType<typeof provisioningInput>>().toExtend<Parameters<typeof createProvisioningPlan>[0]>();
    expectTypeOf<ReturnType<typeof provisioningInput>>().toExtend<Parameters<typeof createDeprovisioningPlan>[0]>();
    // And applyPlan takes the request's resume as it is.
    expectTypeOf<Request["resume"]>().toExtend<NonNullable<Parameters<typeof applyPlan>[2]>["resume"]>();
  });

  it("a deprovisioning request is the provisioning request, the databases optional, plus what to do", () => {
    type Deprovision = z.infer<typeof DeprovisionRequest>;
    expectTypeOf<keyof Deprovision>().toEqualTypeOf<Exclude<keyof Request, "resume"> | "dropData" | "confirmClientId" | "dryRun">();
    expectTypeOf<Deprovision["databases"]>().toEqualTypeOf<ProvisioningInput["databases"] | undefined>();
    expectTypeOf<Omit<Deprovision, "databases" | "dropData" | "confirmClientId" | "dryRun">>().toEqualTypeOf<Omit<Request, "databases" | "resume">>();
    expectTypeOf<Pick<Deprovision, "dropData" | "confirmClientId">>().toExtend<NonNullable<Parameters<typeof createDeprovisioningPlan>[1]>>();
  });

  it("a deprovisioning preview is what findCustomerObjects finds and the plan's teardown, named", () => {
    type Preview = z.infer<typeof DeprovisionPreview>;
    expectTypeOf<Awaited<ReturnType<typeof findCustomerObjects>>[number]>().toExtend<Preview["objects"][number]>();
    expectTypeOf<ReturnType<typeof createDeprovisioningPlan>["teardown"][number]>().toExtend<Preview["teardown"][number]>();
  });

  it("a plan request is the provisioning request, the cluster optional, plus diff", () => {
    expectTypeOf<keyof z.infer<typeof PlanRequest>>().toEqualTypeOf<keyof Request | "diff">();
    expectTypeOf<Omit<z.infer<typeof PlanRequest>, "cluster" | "diff">>().toEqualTypeOf<Omit<Request, "cluster">>();
  });

  it("an environment reference names the environment as the provisioning input does", () => {
    type Ref = z.infer<typeof EnvironmentRef>;
    expectTypeOf<Ref["client"]>().toEqualTypeOf<Pick<ProvisioningInput["client"], "id">>();
    expectTypeOf<Ref["environment"]>().toEqualTypeOf<Pick<EnvironmentSettings, "namespace" | "apiRootUrl">>();
    expectTypeOf<Ref["templates"]>().toEqualTypeOf<ProvisioningInput["templates"]>();
  });
});
