/** Inputs the tests share: the example C42, and C42 in lms-prod with what the spec leaves open there given. */
import example from "../../../../examples/c42-lms-dev.input.json" with { type: "json" };

export type ExampleInput = typeof example & Record<string, any>;

/** C42 (or another customer) in lms-prod: production defaults (policies, autoscaler, budget) unless `environment` says otherwise. */
export function prodInput(environment: Record<string, unknown> = {}, databases?: Record<string, unknown>, clientId = "C42"): ExampleInput {
  const input = structuredClone(example) as ExampleInput;
  input.client.id = clientId;
  Object.assign(input.environment, {
    namespace: "lms-prod",
    publicDns: "c42.lms.example.ru",
    dockerImage: "registry.example/lms/backend:1.4.2",
    nfsServer: "10.66.139.80",
    sms4b: { ...input.environment.sms4b, sender: "1C-RARUS", passcodeLifetimeSeconds: 120 },
    ...environment,
  });
  if (databases) Object.assign(input.databases, databases);
  return input;
}
