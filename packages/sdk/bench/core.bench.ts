/**
 * The pure core's costs against their peers, each pair measured in interleaved rounds of one run (medians):
 * - a plan (createProvisioningPlan of C42: input parsing, macros, render, strict validation of every manifest)
 *   against a naive text render of the same templates (Handlebars, JSON.parse) and against cdk8s synthesizing the
 *   same objects;
 * - generateCustomerSecrets against Node's native RSA-2048 generation plus the random bytes the secrets need;
 * and, without a peer, redactPlan, validateManifest and the seeded (pure-JS) secrets.
 * Writes the "## SDK pure core" section of docs/benchmarks.md.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { ApiObject, App, Chart, type ApiObjectProps } from "cdk8s";
import Handlebars from "handlebars";
import example from "../../../examples/c42-lms-dev.input.json" with { type: "json" };
import {
  createProvisioningPlan,
  generateCustomerSecrets,
  ProvisioningInput,
  redactPlan,
  resolveMacroValues,
  seededRandom,
  templates,
  validateManifest,
} from "../src/index.js";
import {
  duration,
  goalTable,
  installedVersion,
  interleave,
  load,
  machine,
  meets,
  printGoals,
  ratio,
  timed,
  times,
  writeSection,
  type GoalRow,
} from "@sreda/bench-report";

const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 15);
const SECRET_ROUNDS = Number(process.env["BENCH_SECRET_ROUNDS"] ?? 20);
const loadAtStart = load();

const plan = createProvisioningPlan(example);
const manifests = plan.steps.map((s) => s.request.body as Record<string, unknown> & { kind: string; metadata: { name: string } });

// The naive text render: every shipped template's body compiled once (HTML escaping off: the values go into JSON
// text as they are), then per call rendered with the customer's macro values and parsed.
const values = resolveMacroValues(ProvisioningInput.parse(example));
const compiled = templates.filter((t) => t.body !== null).map((t) => Handlebars.compile(t.body!, { noEscape: true }));
const naiveRender = () => compiled.map((render) => JSON.parse(render(values)) as unknown);

// cdk8s: what a cdk8s user runs per customer — a fresh App and Chart holding the same objects as ApiObjects, synthesized to YAML.
const cdk8sSynth = () => {
  const app = new App();
  const chart = new Chart(app, "c42");
  for (const m of manifests) new ApiObject(chart, `${m.kind}-${m.metadata.name}`, m as unknown as ApiObjectProps);
  return app.synthYaml();
};
const synthesized = cdk8sSynth().split(/^---$/m).length;
if (synthesized !== manifests.length) throw new Error(`cdk8s synthesized ${synthesized} objects, the plan has ${manifests.length}`);

// Native key generation and the random bytes generateCustomerSecrets draws besides the key: a 64-byte seed and
// 2 × 64 bytes for the two 32-character passwords.
const nativeSecrets = () => {
  const key = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return [key, randomBytes(64), randomBytes(64), randomBytes(64)];
};

console.log(`plan vs naive render vs cdk8s: ${ROUNDS} rounds`);
const render = await interleave(
  [
    { name: "plan", round: timed(() => createProvisioningPlan(example)) },
    { name: "naive", round: timed(naiveRender) },
    { name: "cdk8s", round: timed(cdk8sSynth) },
  ],
  { rounds: ROUNDS, warmupRounds: 2 },
);
console.log(`secrets vs native: ${SECRET_ROUNDS} rounds`);
const secrets = await interleave(
  [
    { name: "ours", round: timed(() => generateCustomerSecrets(), { calls: 3 }) },
    { name: "native", round: timed(nativeSecrets, { calls: 3 }) },
  ],
  { rounds: SECRET_ROUNDS },
);
const others = await interleave(
  [
    { name: "redact", round: timed(() => redactPlan(plan)) },
    { name: "validate", round: timed(() => validateManifest(manifests.find((m) => m.kind === "Deployment")!)) },
  ],
  { rounds: 5 },
);
const t0 = performance.now();
generateCustomerSecrets({ random: seededRandom(1) });
const seededMs = performance.now() - t0;

const planVsNaive = ratio(render["plan"]!, render["naive"]!);
const cdk8sVsPlan = ratio(render["cdk8s"]!, render["plan"]!);
const secretsVsNative = ratio(secrets["ours"]!, secrets["native"]!);
const goals: GoalRow[] = [
  {
    what: `a plan: createProvisioningPlan of C42 (${plan.steps.length} manifests rendered and strictly validated)`,
    figure: duration(render["plan"]!.median),
    goal: "≤ 3× the naive text render",
    peer: `naive text render (Handlebars + JSON.parse of ${compiled.length} templates) ${duration(render["naive"]!.median)}`,
    ratio: times(planVsNaive),
    met: meets(planVsNaive, { atMost: 3 }),
  },
  {
    what: "the same plan",
    figure: duration(render["plan"]!.median),
    goal: "≥ 5× faster than cdk8s synth",
    peer: `cdk8s synthYaml of a fresh App + Chart with the same ${manifests.length} objects ${duration(render["cdk8s"]!.median)}`,
    ratio: `${times(cdk8sVsPlan)} faster`,
    met: meets(cdk8sVsPlan, { atLeast: 5 }),
  },
  {
    what: "generateCustomerSecrets (RSA-2048 key, seed, two passwords)",
    figure: duration(secrets["ours"]!.median),
    goal: "≤ 1.5× native key generation",
    peer: `generateKeyPairSync('rsa', 2048) + 192 random bytes ${duration(secrets["native"]!.median)}`,
    ratio: times(secretsVsNative),
    met: meets(secretsVsNative, { atMost: 1.5 }),
  },
];
printGoals("SDK pure core: goals", goals);

const spread = (name: string, m: { q1: number; q3: number; samples: number[] }) => `${name} ${duration(m.q1)}–${duration(m.q3)}`;
const section = `## SDK pure core

Machine: ${machine()}, ${loadAtStart}. Command: \`npm run bench --workspace @sreda/sdk\` (bench/core.bench.ts).

Each goal compares two figures of the same run: the subjects take turns in rounds (A B C, then C B A, …), each round
times as many calls as fit in about 200 ms (the secrets: 3 calls), and each figure is the median time per call over
${ROUNDS} rounds (the secrets: ${SECRET_ROUNDS}) after a warm-up; the ratio is of the two medians. The naive render compiles each
shipped template's body once with Handlebars (HTML escaping off), then per call renders every body with the
customer's macro values (resolveMacroValues of the same input) and parses it with JSON.parse — no input checks, no
validation. cdk8s ${installedVersion("cdk8s", import.meta.url)} (a devDependency of the SDK, for this benchmark) builds a fresh App and Chart per call
with one ApiObject per manifest of the plan and synthesizes them with \`app.synthYaml()\`. The native peer of the
secrets is \`crypto.generateKeyPairSync('rsa', { modulusLength: 2048 })\` and \`randomBytes\` for the 64-byte seed and
the 2 × 64 bytes the passwords draw; RSA key generation varies a lot from call to call (the prime search).

${goalTable(goals)}

Interquartile ranges of the rounds: ${spread("plan", render["plan"]!)}, ${spread("naive", render["naive"]!)}, ${spread("cdk8s", render["cdk8s"]!)}, ${spread("secrets", secrets["ours"]!)}, ${spread("native", secrets["native"]!)}.

| other operations | time per call | sample |
|---|---|---|
| redactPlan | ${duration(others["redact"]!.median)} | median of ${others["redact"]!.samples.length} rounds |
| validateManifest (Deployment) | ${duration(others["validate"]!.median)} | median of ${others["validate"]!.samples.length} rounds |
| generateCustomerSecrets (seeded, pure-JS RSA-2048) | ${duration(seededMs)} | 1 run |

Native key generation is why secrets are generated without an injected random source in production; the seeded
pure-JS path exists for deterministic tests only.`;
writeSection("sdk-core", section);
