import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { isKnownKind, validateManifest, type ManifestProblem } from "../src/core/validate.js";
import { ARTIFACT_PATH, defaultOpenApiDir, generateKubeSchemaText, KUBE_OPENAPI_FILES } from "../scripts/kube-schema-generator.js";

const fixturesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "manifests");

// Fixtures are mutated freely to build the invalid variants.
type Manifest = Record<string, any>;

function fixture(name: string): Manifest {
  return JSON.parse(readFileSync(path.join(fixturesDir, `${name}.json`), "utf8")) as Manifest;
}

function variant(name: string, mutate: (m: Manifest) => void): Manifest {
  const manifest = fixture(name);
  mutate(manifest);
  return manifest;
}

const POD = "$.spec.template.spec";
const CONTAINER = `${POD}.containers[0]`;

describe("validateManifest: valid manifests", () => {
  const valid: [string, Manifest][] = [
    ["Deployment", fixture("deployment-valid")],
    ["Job", fixture("job-valid")],
    ["ConfigMap", fixture("configmap-valid")],
    ["Secret", fixture("secret-valid")],
    ["Service", fixture("service-valid")],
    ["Ingress", fixture("ingress-valid")],
    ["Namespace", { apiVersion: "v1", kind: "Namespace", metadata: { name: "customer-acme", labels: { "sreda.io/tenant": "acme" } } }],
    [
      "Pod",
      { apiVersion: "v1", kind: "Pod", metadata: { name: "debug.acme", creationTimestamp: null }, spec: { containers: [{ name: "sh", image: "busybox" }] } },
    ],
    [
      "Status",
      {
        apiVersion: "v1",
        kind: "Status",
        metadata: {},
        status: "Failure",
        message: 'jobs.batch "x" already exists',
        reason: "AlreadyExists",
        details: { name: "x", group: "batch", kind: "jobs" },
        code: 409,
      },
    ],
    ["JobList", { apiVersion: "batch/v1", kind: "JobList", metadata: { resourceVersion: "12" }, items: [fixture("job-valid")] }],
    [
      "Service with integer targetPort",
      variant("service-valid", (m) => {
        m.spec.ports = [{ port: 80, targetPort: 8080 }];
      }),
    ],
    [
      "Service with named targetPort",
      variant("service-valid", (m) => {
        m.spec.ports = [{ port: 80, targetPort: "http" }];
      }),
    ],
    [
      "Job name of exactly 63 characters",
      variant("job-valid", (m) => {
        m.metadata.name = "a".repeat(63);
      }),
    ],
    [
      "Deployment with a long dotted subdomain name",
      variant("deployment-valid", (m) => {
        m.metadata.name = `${"a".repeat(63)}.${"b".repeat(63)}.example`;
      }),
    ],
    [
      "Secret with empty data value",
      variant("secret-valid", (m) => {
        m.data.empty = "";
      }),
    ],
  ];

  it.each(valid)("%s has no problems", (_name, manifest) => {
    expect(validateManifest(manifest)).toEqual([]);
  });
});

interface Expected {
  path: string;
  code: ManifestProblem["code"];
  message?: string | RegExp;
}

interface InvalidCase {
  name: string;
  manifest: unknown;
  expected: Expected[];
}

const invalid: InvalidCase[] = [
  {
    name: "containers under a nodeSelectorTerm (misplaced block)",
    manifest: fixture("deployment-affinity-containers"),
    expected: [
      {
        path: `${POD}.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].containers`,
        code: "unknown-field",
        message: 'unknown field "containers"',
      },
    ],
  },
  {
    name: "replicas as a string",
    manifest: variant("deployment-valid", (m) => {
      m.spec.replicas = "1";
    }),
    expected: [{ path: "$.spec.replicas", code: "type", message: "expected integer, got string" }],
  },
  {
    name: "replicas as a fraction",
    manifest: variant("deployment-valid", (m) => {
      m.spec.replicas = 1.5;
    }),
    expected: [{ path: "$.spec.replicas", code: "type", message: "expected integer, got number" }],
  },
  {
    name: "replicas beyond int32",
    manifest: variant("deployment-valid", (m) => {
      m.spec.replicas = 3_000_000_000;
    }),
    expected: [{ path: "$.spec.replicas", code: "format", message: /out of range for int32/ }],
  },
  {
    name: "container without image",
    manifest: variant("deployment-valid", (m) => {
      delete m.spec.template.spec.containers[0].image;
    }),
    expected: [{ path: `${CONTAINER}.image`, code: "required", message: 'required field "image" is missing' }],
  },
  {
    name: "init container without name (schema-required)",
    manifest: variant("deployment-valid", (m) => {
      delete m.spec.template.spec.initContainers[0].name;
    }),
    expected: [{ path: `${POD}.initContainers[0].name`, code: "required", message: 'required field "name" is missing' }],
  },
  {
    name: "missing spec.selector and spec.template",
    manifest: variant("deployment-valid", (m) => {
      m.spec = { replicas: 1 };
    }),
    expected: [
      { path: "$.spec.selector", code: "required", message: 'required field "selector" is missing' },
      { path: "$.spec.template", code: "required", message: 'required field "template" is missing' },
    ],
  },
  {
    name: "empty containers list",
    manifest: variant("job-valid", (m) => {
      m.spec.template.spec.containers = [];
    }),
    expected: [{ path: `${POD}.containers`, code: "required" }],
  },
  {
    name: "containerPort as a string",
    manifest: variant("deployment-valid", (m) => {
      m.spec.template.spec.containers[0].ports[0].containerPort = "1540";
    }),
    expected: [{ path: `${CONTAINER}.ports[0].containerPort`, code: "type", message: "expected integer, got string" }],
  },
  {
    name: "containerPort out of range",
    manifest: variant("deployment-valid", (m) => {
      m.spec.template.spec.containers[0].ports[0].containerPort = 70000;
    }),
    expected: [{ path: `${CONTAINER}.ports[0].containerPort`, code: "format" }],
  },
  {
    name: "targetPort as a boolean (int-or-string)",
    manifest: variant("service-valid", (m) => {
      m.spec.ports[0].targetPort = true;
    }),
    expected: [{ path: "$.spec.ports[0].targetPort", code: "type", message: "expected integer or string, got boolean" }],
  },
  {
    name: "named targetPort that is not an IANA_SVC_NAME",
    manifest: variant("service-valid", (m) => {
      m.spec.ports[0].targetPort = "1540";
    }),
    expected: [{ path: "$.spec.ports[0].targetPort", code: "name", message: /must contain at least one letter/ }],
  },
  {
    name: "uppercase Job name",
    manifest: variant("job-valid", (m) => {
      m.metadata.name = "clickhouse-setup-C42";
    }),
    expected: [
      {
        path: "$.metadata.name",
        code: "name",
        message: `"clickhouse-setup-C42" is not a valid DNS-1123 subdomain: lowercase letters, digits, '-' and '.' only`,
      },
    ],
  },
  {
    name: "Job name longer than 63 characters",
    manifest: variant("job-valid", (m) => {
      m.metadata.name = "a".repeat(64);
    }),
    expected: [{ path: "$.metadata.name", code: "name", message: /no more than 63 characters/ }],
  },
  {
    name: "subdomain name with an empty part",
    manifest: variant("configmap-valid", (m) => {
      m.metadata.name = "a..b";
    }),
    expected: [{ path: "$.metadata.name", code: "name" }],
  },
  {
    name: "missing metadata.name",
    manifest: variant("configmap-valid", (m) => {
      delete m.metadata.name;
    }),
    expected: [{ path: "$.metadata.name", code: "required", message: 'required field "name" is missing' }],
  },
  {
    name: "missing metadata altogether",
    manifest: variant("secret-valid", (m) => {
      delete m.metadata;
    }),
    expected: [{ path: "$.metadata.name", code: "required" }],
  },
  {
    name: "invalid metadata.namespace",
    manifest: variant("configmap-valid", (m) => {
      m.metadata.namespace = "customer_acme";
    }),
    expected: [{ path: "$.metadata.namespace", code: "name", message: /not a valid DNS-1123 label/ }],
  },
  {
    name: "Namespace name with a dot (DNS-1123 label)",
    manifest: { apiVersion: "v1", kind: "Namespace", metadata: { name: "customer.acme" } },
    expected: [{ path: "$.metadata.name", code: "name", message: /not a valid DNS-1123 label/ }],
  },
  {
    name: "Namespace name ending with a hyphen",
    manifest: { apiVersion: "v1", kind: "Namespace", metadata: { name: "customer-" } },
    expected: [
      { path: "$.metadata.name", code: "name", message: `"customer-" is not a valid DNS-1123 label: must start and end with a lowercase letter or digit` },
    ],
  },
  {
    name: "Namespace name longer than 63 characters",
    manifest: { apiVersion: "v1", kind: "Namespace", metadata: { name: "n".repeat(64) } },
    expected: [{ path: "$.metadata.name", code: "name", message: /no more than 63 characters/ }],
  },
  {
    name: "Service name ending with a hyphen",
    manifest: variant("service-valid", (m) => {
      m.metadata.name = "onec-";
    }),
    expected: [{ path: "$.metadata.name", code: "name", message: /must end with a lowercase letter or digit/ }],
  },
  {
    name: "Service name starting with a digit (DNS-1035 label)",
    manifest: variant("service-valid", (m) => {
      m.metadata.name = "1c-server";
    }),
    expected: [{ path: "$.metadata.name", code: "name", message: `"1c-server" is not a valid DNS-1035 label: must start with a lowercase letter` }],
  },
  {
    name: "Service with several ports, one unnamed",
    manifest: variant("service-valid", (m) => {
      delete m.spec.ports[1].name;
    }),
    expected: [{ path: "$.spec.ports[1].name", code: "required" }],
  },
  {
    name: "bad label key prefix",
    manifest: variant("deployment-valid", (m) => {
      m.metadata.labels["Example.com/app"] = "x";
    }),
    expected: [{ path: '$.metadata.labels["Example.com/app"]', code: "name", message: /not a valid label key: prefix "Example.com"/ }],
  },
  {
    name: "label key with two slashes",
    manifest: variant("deployment-valid", (m) => {
      m.spec.template.metadata.labels["a/b/c"] = "x";
    }),
    expected: [{ path: '$.spec.template.metadata.labels["a/b/c"]', code: "name", message: /at most one '\/'/ }],
  },
  {
    name: "bad label value",
    manifest: variant("deployment-valid", (m) => {
      m.metadata.labels.tier = "front end";
    }),
    expected: [{ path: "$.metadata.labels.tier", code: "name", message: /"front end" is not a valid label value/ }],
  },
  {
    name: "label value longer than 63 characters in a selector",
    manifest: variant("deployment-valid", (m) => {
      m.spec.selector.matchLabels.app = "x".repeat(64);
    }),
    expected: [{ path: "$.spec.selector.matchLabels.app", code: "name", message: /no more than 63 characters/ }],
  },
  {
    name: "label value that is not a string",
    manifest: variant("deployment-valid", (m) => {
      m.metadata.labels.tier = 1;
    }),
    expected: [{ path: "$.metadata.labels.tier", code: "type", message: "expected string, got integer" }],
  },
  {
    name: "bad Service selector value",
    manifest: variant("service-valid", (m) => {
      m.spec.selector = { app: "-x" };
    }),
    expected: [{ path: "$.spec.selector.app", code: "name" }],
  },
  {
    name: "bad nodeSelector key",
    manifest: variant("deployment-valid", (m) => {
      m.spec.template.spec.nodeSelector = { "kubernetes.io/": "linux" };
    }),
    expected: [{ path: `${POD}.nodeSelector["kubernetes.io/"]`, code: "name", message: /name part must not be empty/ }],
  },
  {
    name: "bad annotation key",
    manifest: variant("ingress-valid", (m) => {
      m.metadata.annotations["nginx/ingress/rewrite"] = "/";
    }),
    expected: [{ path: '$.metadata.annotations["nginx/ingress/rewrite"]', code: "name", message: /not a valid annotation key/ }],
  },
  {
    name: "uppercase container name",
    manifest: variant("deployment-valid", (m) => {
      m.spec.template.spec.containers[0].name = "Ragent";
    }),
    expected: [{ path: `${CONTAINER}.name`, code: "name", message: /not a valid DNS-1123 label/ }],
  },
  {
    name: "bad volume name",
    manifest: variant("deployment-valid", (m) => {
      m.spec.template.spec.volumes[0].name = "data.volume";
    }),
    expected: [{ path: `${POD}.volumes[0].name`, code: "name", message: /not a valid DNS-1123 label/ }],
  },
  {
    name: "uppercase port name",
    manifest: variant("deployment-valid", (m) => {
      m.spec.template.spec.containers[0].ports[0].name = "Ragent";
    }),
    expected: [{ path: `${CONTAINER}.ports[0].name`, code: "name", message: /not a valid port name \(IANA_SVC_NAME\)/ }],
  },
  {
    name: "port name longer than 15 characters",
    manifest: variant("deployment-valid", (m) => {
      m.spec.template.spec.containers[0].ports[0].name = "cluster-manager-port";
    }),
    expected: [{ path: `${CONTAINER}.ports[0].name`, code: "name", message: /no more than 15 characters/ }],
  },
  {
    name: "port name with a double hyphen",
    manifest: variant("deployment-valid", (m) => {
      m.spec.template.spec.initContainers[0].ports = [{ name: "db--port", containerPort: 5432 }];
    }),
    expected: [{ path: `${POD}.initContainers[0].ports[0].name`, code: "name", message: /must not contain '--'/ }],
  },
  {
    name: "port name without letters",
    manifest: variant("deployment-valid", (m) => {
      m.spec.template.spec.containers[0].ports[0].name = "1540";
    }),
    expected: [{ path: `${CONTAINER}.ports[0].name`, code: "name", message: /at least one letter/ }],
  },
  {
    name: "bad base64 in Secret.data",
    manifest: variant("secret-valid", (m) => {
      m.data.password = "s3cr3t!";
    }),
    expected: [{ path: "$.data.password", code: "format", message: /base64/ }],
  },
  {
    name: "unpadded base64 in Secret.data",
    manifest: variant("secret-valid", (m) => {
      m.data.user = "YWRtaW4";
    }),
    expected: [{ path: "$.data.user", code: "format" }],
  },
  {
    name: "bad base64 in ConfigMap.binaryData",
    manifest: variant("configmap-valid", (m) => {
      m.binaryData["logo.png"] = "not base64";
    }),
    expected: [{ path: '$.binaryData["logo.png"]', code: "format" }],
  },
  {
    name: "bad Secret and ConfigMap data keys",
    manifest: variant("secret-valid", (m) => {
      m.stringData["db password"] = "x";
      m.data["..hidden"] = "eA==";
    }),
    expected: [
      { path: '$.data["..hidden"]', code: "name", message: /must not start with '\.\.'/ },
      { path: '$.stringData["db password"]', code: "name", message: /not a valid data key/ },
    ],
  },
  {
    name: "bad ConfigMap data key",
    manifest: variant("configmap-valid", (m) => {
      m.data["config/init.sql"] = "";
    }),
    expected: [{ path: '$.data["config/init.sql"]', code: "name", message: /"config\/init.sql" is not a valid data key/ }],
  },
  {
    name: "ConfigMap data value that is not a string",
    manifest: variant("configmap-valid", (m) => {
      m.data.port = 8123;
    }),
    expected: [{ path: "$.data.port", code: "type", message: "expected string, got integer" }],
  },
  {
    name: "unknown top-level field",
    manifest: variant("configmap-valid", (m) => {
      m.spec = { data: {} };
    }),
    expected: [{ path: "$.spec", code: "unknown-field", message: 'unknown field "spec"' }],
  },
  {
    name: "typo in metadata",
    manifest: variant("configmap-valid", (m) => {
      m.metadata.label = { a: "b" };
    }),
    expected: [{ path: "$.metadata.label", code: "unknown-field", message: 'unknown field "label"' }],
  },
  {
    name: "object where an array is expected",
    manifest: variant("ingress-valid", (m) => {
      m.spec.rules = m.spec.rules[0];
    }),
    expected: [{ path: "$.spec.rules", code: "type", message: "expected array, got object" }],
  },
  {
    name: "bad resource quantity",
    manifest: variant("deployment-valid", (m) => {
      m.spec.template.spec.containers[0].resources.limits.memory = "4GB";
    }),
    expected: [{ path: `${CONTAINER}.resources.limits.memory`, code: "format", message: /not a valid quantity/ }],
  },
  {
    name: "bad date-time",
    manifest: variant("configmap-valid", (m) => {
      m.metadata.creationTimestamp = "2025-12-01 10:00";
    }),
    expected: [{ path: "$.metadata.creationTimestamp", code: "format" }],
  },
  {
    name: "problems inside List items",
    manifest: {
      apiVersion: "batch/v1",
      kind: "JobList",
      items: [
        variant("job-valid", (m) => {
          m.metadata.name = "Bad";
          m.spec.backoffLimit = "3";
        }),
      ],
    },
    expected: [
      { path: "$.items[0].metadata.name", code: "name" },
      { path: "$.items[0].spec.backoffLimit", code: "type" },
    ],
  },
  {
    name: "kind served under another apiVersion",
    manifest: { apiVersion: "v1", kind: "Deployment", metadata: { name: "x" } },
    expected: [{ path: "$.kind", code: "kind", message: /unknown kind "Deployment" for apiVersion "v1" \(Deployment is known as apiVersion apps\/v1\)/ }],
  },
  {
    name: "unknown kind",
    manifest: { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "x" } },
    expected: [{ path: "$.kind", code: "kind", message: 'unknown kind "Widget" for apiVersion "example.com/v1"' }],
  },
  {
    name: "missing apiVersion and kind",
    manifest: { metadata: { name: "x" } },
    expected: [
      { path: "$.apiVersion", code: "kind", message: 'required field "apiVersion" is missing' },
      { path: "$.kind", code: "kind", message: 'required field "kind" is missing' },
    ],
  },
  {
    name: "not an object",
    manifest: [],
    expected: [{ path: "$", code: "type", message: "expected object, got array" }],
  },
];

describe("validateManifest: invalid manifests", () => {
  it.each(invalid.map((c) => [c.name, c] as const))("%s", (_name, { manifest, expected }) => {
    const problems = validateManifest(manifest);
    expect(problems.map(({ path, code }) => ({ path, code }))).toEqual(expected.map(({ path, code }) => ({ path, code })));
    expected.forEach((e, i) => {
      if (typeof e.message === "string") expect(problems[i]?.message).toBe(e.message);
      else if (e.message) expect(problems[i]?.message).toMatch(e.message);
    });
  });

  it("reports every problem of a manifest, not just the first", () => {
    const manifest = variant("deployment-valid", (m) => {
      m.metadata.name = "Onec";
      m.spec.replicas = "2";
      m.spec.template.spec.containers[0].ports[0].containerPort = "1540";
      delete m.spec.template.spec.containers[0].image;
    });
    expect(
      validateManifest(manifest)
        .map((p) => p.path)
        .sort(),
    ).toEqual(["$.metadata.name", "$.spec.replicas", `${CONTAINER}.image`, `${CONTAINER}.ports[0].containerPort`].sort());
  });

  it("does not mutate the manifest", () => {
    const manifest = fixture("deployment-affinity-containers");
    const before = JSON.stringify(manifest);
    validateManifest(manifest);
    expect(JSON.stringify(manifest)).toBe(before);
  });
});

describe("isKnownKind", () => {
  it.each([
    ["v1", "Namespace", true],
    ["v1", "ConfigMap", true],
    ["v1", "Secret", true],
    ["v1", "Service", true],
    ["v1", "Pod", true],
    ["v1", "Event", true],
    ["v1", "Status", true],
    ["apps/v1", "Deployment", true],
    ["batch/v1", "Job", true],
    ["batch/v1", "JobList", true],
    ["networking.k8s.io/v1", "Ingress", true],
    ["v1", "Deployment", false],
    ["apps/v1", "ReplicaSet", true],
    ["policy/v1", "PodDisruptionBudget", true],
    ["autoscaling/v2", "HorizontalPodAutoscaler", true],
    ["networking.k8s.io/v1", "NetworkPolicy", true],
    ["autoscaling/v1", "HorizontalPodAutoscaler", false],
    ["authorization.k8s.io/v1", "SelfSubjectAccessReview", false],
    ["batch/v1", "job", false],
  ] as const)("%s %s → %s", (apiVersion, kind, known) => {
    expect(isKnownKind(apiVersion, kind)).toBe(known);
  });
});

describe("generated kube-schema.json", () => {
  const text = readFileSync(ARTIFACT_PATH, "utf8");

  it("is compact, pruned and free of local paths", () => {
    expect(text.length).toBeLessThan(1_000_000);
    const artifact = JSON.parse(text) as { source: string; definitions: Record<string, unknown> };
    expect(artifact.source).toContain("1.35");
    expect(text).not.toContain('"description"');
    expect(text).not.toContain("x-kubernetes-patch");
    expect(text).not.toContain("x-kubernetes-list");
    expect(text).not.toMatch(/\/work\/|\/home\/|\/Users\/|[A-Z]:\\\\/);
    expect(Object.keys(artifact.definitions)).toContain("io.k8s.api.core.v1.PodSpec");
  });

  it("is up to date with the generator and the shared OpenAPI documents", async (ctx) => {
    const dir = defaultOpenApiDir();
    const present = KUBE_OPENAPI_FILES.every((file) => existsSync(path.join(dir, file)));
    ctx.skip(!present, `Kubernetes OpenAPI documents not found in ${dir} (set KUBE_OPENAPI_DIR to check the artifact)`);
    expect(await generateKubeSchemaText(dir), "run `npm run generate:kube-schema` in packages/sdk").toBe(text);
  });
});

describe("validateManifest: base64 data as Go's encoding/json reads it", () => {
  // The rule as a regex (standard alphabet, padded, \r and \n ignored): the one-pass check must agree on every string.
  const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
  const alphabet = "AB+/=\r\n-_ z9";
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  const samples = ["", "YWRtaW4=", "YWRtaW4", "YQ==", "YQ=", "YQ===", "=YQ=", "YQ=A", "YW\r\nRt", "YWRt\n", "====", "A==="];
  for (let i = 0; i < 3000; i++) samples.push(Array.from({ length: next() % 10 }, () => alphabet[next() % alphabet.length]).join(""));

  it("agrees with the regex on 3,000 strings", () => {
    for (const value of samples) {
      const problems = validateManifest({ apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, data: { k: value } });
      expect(problems.length === 0, JSON.stringify(value)).toBe(BASE64.test(value.replace(/[\r\n]/g, "")));
    }
  });
});
