import { describe, expect, it } from "vitest";
import { ApiRootUrl, Customer, CustomerId, CustomerSecrets, EnvironmentSettings, EnvironmentVariable, Phone, ProvisioningInput } from "../src/core/models.js";
import example from "../../../examples/c42-lms-dev.input.json" with { type: "json" };

describe("CustomerId", () => {
  it.each(["C1", "C42", "C100", "C999999999"])("accepts %s", (id) => expect(CustomerId.safeParse(id).success).toBe(true));
  it.each(["C0", "C042", "c42", "C-1", "C42x", "42", "C", "", " C42", "C42 ", "C1000000000", "С42" /* Cyrillic С */])("rejects %j", (id) =>
    expect(CustomerId.safeParse(id).success).toBe(false),
  );
});

describe("Client", () => {
  it("validates contacts' phones and e-mails with paths", () => {
    const result = Customer.safeParse({
      id: "C42",
      organizationName: "ООО «Ромашка»",
      contacts: [{ name: "Мария", phones: ["+7 (495) 123-45-67", "12"], emails: ["ok@example.com", "not-an-email"] }],
    });
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((i) => i.path.join("."));
    expect(paths).toEqual(["contacts.0.phones.1", "contacts.0.emails.1"]);
  });

  it("requires an organization name", () => {
    expect(Customer.safeParse({ id: "C42", organizationName: "   " }).success).toBe(false);
  });

  it("rejects unknown fields (a typo is an error, not silently dropped)", () => {
    const result = Customer.safeParse({ id: "C42", organizationName: "X", contcts: [] });
    expect(result.success).toBe(false);
  });
});

describe("Phone", () => {
  it.each(["+7 (495) 123-45-67", "84951234567", "+1-202-555-0143"])("accepts %s", (p) => expect(Phone.safeParse(p).success).toBe(true));
  it.each(["123", "+7 495 abc", "++74951234567", "1234567890123456"])("rejects %s", (p) => expect(Phone.safeParse(p).success).toBe(false));
});

describe("EnvironmentSettings", () => {
  const base = { namespace: "lms-dev", apiRootUrl: "https://rancher.rarus.cloud/k8s/clusters/c-m4hlh/" };
  it.each(["lms-dev", "lms-prod", "lms-stage-2"])("accepts namespace %s", (namespace) =>
    expect(EnvironmentSettings.safeParse({ ...base, namespace }).success).toBe(true),
  );
  it.each(["LMS-dev", "-lms", "lms_dev", "a".repeat(64), ""])("rejects namespace %j", (namespace) =>
    expect(EnvironmentSettings.safeParse({ ...base, namespace }).success).toBe(false),
  );
  it.each(["https://rancher.rarus.cloud/k8s/clusters/c-m4hlh/", "https://rancher.rarus.cloud/k8s/clusters/c-m4hlh", "https://10.0.0.1:6443"])(
    "accepts API root %s",
    (url) => expect(ApiRootUrl.safeParse(url).success).toBe(true),
  );
  it.each(["ftp://host/", "https://user:pw@host/", "https://host/?token=x", "rancher.rarus.cloud", ""])("rejects API root %j", (url) =>
    expect(ApiRootUrl.safeParse(url).success).toBe(false),
  );
  it("checks image references, resources and hosts", () => {
    const result = EnvironmentSettings.safeParse({
      ...base,
      dockerImage: "Registry With Spaces/x",
      nfsServer: "bad host",
      resources: { cpuLimit: "lots" },
    });
    expect(result.error!.issues.map((i) => i.path.join("."))).toEqual(["dockerImage", "nfsServer", "resources.cpuLimit"]);
  });
});

describe("CustomerSecrets", () => {
  it("accepts the example's secrets", () => expect(CustomerSecrets.safeParse(example.secrets).success).toBe(true));
  it("rejects a short seed, a non-hex seed and a password with characters unsafe in URLs", () => {
    const result = CustomerSecrets.safeParse({
      ...example.secrets,
      keysSecretSeed: "ab",
      postgresUserPassword: "has@and/in-it-1234",
      clickhouseUserPassword: "short",
    });
    expect(result.error!.issues.map((i) => i.path.join("."))).toEqual(["keysSecretSeed", "postgresUserPassword", "clickhouseUserPassword"]);
  });
});

describe("EnvironmentVariable", () => {
  it.each(["LMS_X", "_A", "a1"])("accepts %s", (name) => expect(EnvironmentVariable.safeParse({ name, value: "" }).success).toBe(true));
  it.each(["1A", "A-B", "A B", "", "Ж"])("rejects %j", (name) => expect(EnvironmentVariable.safeParse({ name, value: "v" }).success).toBe(false));
  it("defaults to not secret", () => expect(EnvironmentVariable.parse({ name: "A", value: "v" }).secret).toBe(false));
});

describe("ProvisioningInput", () => {
  it("accepts the C42 example", () => expect(ProvisioningInput.safeParse(example).success).toBe(true));
  it("lists every problem with its path", () => {
    const broken = structuredClone(example) as Record<string, any>;
    broken.client.id = "c42";
    broken.environment.namespace = "LMS";
    delete broken.databases.postgres.adminPassword;
    const result = ProvisioningInput.safeParse(broken);
    expect(result.error!.issues.map((i) => i.path.join("."))).toEqual(["client.id", "environment.namespace", "databases.postgres.adminPassword"]);
  });
});
