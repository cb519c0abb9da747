#!/usr/bin/env node
// The consumer smoke test: the three published packages as a user gets them. It packs them (npm pack, what `npm
// publish` would upload), installs the tarballs into two fresh projects outside the repository (third-party packages
// from the registry, through npm's cache), and then, as a user would:
//   bare (no msw, no vitest — a production consumer):
//     - type-checks consumer.ts/.cts (every entry) with skipLibCheck false, under module NodeNext and moduleResolution
//       Bundler: no declaration may need a package the consumer does not have (msw, @types/koa, …);
//     - imports every entry from ESM and requires it from CommonJS, on the repository's Node and on Node 20;
//     - provisions C42 with fetch injection into the fake cluster, reports a failing Job, serves the bridge (the API
//       in-process and the installed sreda-bridge command): on both.
//   msw (vitest + msw, Node >= 22.12 as msw 3 and vitest 5 require):
//     - type-checks the test suite (skipLibCheck false; with the DOM lib, which msw's own declarations need) and runs
//       it: C42 provisioned through msw, a 429 and a dropped connection ridden out, a failing Job's report;
//     - requires @sreda/sdk/testing/msw from CommonJS and routes a request through it.
// Node 20 is found on PATH (outside node_modules) or named by SREDA_NODE20; without it that part is skipped with a
// reason, and fails under CI=true (.ci/run provides one). The temporary folder is removed unless the run fails (or
// SREDA_CONSUMER_SMOKE_KEEP=1). Needs `npm run build` (turbo runs it after the packages' builds).
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, sep } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..", "..");
const fixture = join(here, "..", "consumer");
const PACKAGES = ["packages/templates", "packages/sdk", "packages/bridge"];
const CI = process.env["CI"] === "true";
const readJson = (path) => JSON.parse(readFileSync(path, "utf8"));

/** The third-party packages a consumer adds, at the ranges this repository uses (one source of truth). */
function toolRanges() {
  const rootManifest = readJson(join(root, "package.json"));
  const sdkManifest = readJson(join(root, "packages/sdk/package.json"));
  return {
    typescript: rootManifest.devDependencies.typescript,
    "@types/node": rootManifest.devDependencies["@types/node"],
    vitest: rootManifest.devDependencies.vitest,
    msw: sdkManifest.devDependencies.msw,
  };
}

const timings = [];
async function step(label, fn) {
  const started = performance.now();
  process.stdout.write(`consumer-smoke: ${label} …\n`);
  const result = await fn();
  const seconds = (performance.now() - started) / 1000;
  timings.push([label, seconds]);
  process.stdout.write(`consumer-smoke: ${label}: ${seconds.toFixed(1)} s\n`);
  return result;
}

/** Runs a command; its output is shown only when it fails (or with SREDA_CONSUMER_SMOKE_VERBOSE=1). */
function run(command, args, { cwd, env = {} } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      if (process.env["SREDA_CONSUMER_SMOKE_VERBOSE"] === "1" || code !== 0) process.stdout.write(output);
      if (code === 0) resolve(output);
      else reject(new Error(`${[command, ...args].join(" ")} (in ${cwd}) exited with ${code}`));
    });
  });
}

/** A Node 20 binary: SREDA_NODE20, else the first `node` on PATH outside node_modules whose version is 20.x. */
function findNode20() {
  const candidates = [
    process.env["SREDA_NODE20"],
    ...(process.env["PATH"] ?? "")
      .split(delimiter)
      .filter((d) => d && !d.split(sep).includes("node_modules"))
      .map((d) => join(d, "node")),
    "/usr/bin/node",
    "/usr/local/bin/node",
  ];
  for (const candidate of candidates) {
    if (!candidate || !existsSync(candidate)) continue;
    const version = spawnSync(candidate, ["--version"], { encoding: "utf8" }).stdout?.trim() ?? "";
    if (/^v20\./.test(version)) return { path: candidate, version };
  }
  return undefined;
}

async function pack(dest) {
  const tarballs = {};
  for (const dir of PACKAGES) {
    const [packed] = JSON.parse(await run("npm", ["pack", "--json", "--pack-destination", dest], { cwd: join(root, dir) }));
    tarballs[packed.name] = join(dest, packed.filename);
  }
  return tarballs;
}

/** A consumer project: package.json with the tarballs and the given registry packages, the fixture's files, npm install. */
async function createProject(dir, tarballs, registryDeps, files) {
  mkdirSync(dir, { recursive: true });
  const dependencies = Object.fromEntries(Object.entries(tarballs).map(([name, path]) => [name, `file:${path}`]));
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: `sreda-consumer-${dir.split(sep).pop()}`, private: true, type: "module", dependencies, devDependencies: registryDeps }, null, 2),
  );
  for (const file of files) cpSync(join(fixture, file), join(dir, file), { recursive: true });
  copyFileSync(join(root, "examples/c42-lms-dev.input.json"), join(dir, "c42-lms-dev.input.json"));
  copyFileSync(join(root, "examples/requests/plan-c42.json"), join(dir, "plan-c42.json"));
  // --prefer-offline: metadata and tarballs from npm's cache when it has them (warm runs); --ignore-scripts: none of
  // these packages needs its install script here (msw's only copies its browser worker).
  await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--ignore-scripts", "--loglevel=error"], { cwd: dir });
}

async function main() {
  const [major, minor] = process.versions.node.split(".").map(Number);
  if (major < 22 || (major === 22 && minor < 12))
    throw new Error(`run it with Node >= 22.12 (npm test does: the repository's Node 24); this is ${process.version}`);
  const node20 = findNode20();
  if (!node20) {
    const reason = "no Node 20 found (PATH outside node_modules, /usr/bin/node, or SREDA_NODE20)";
    if (CI) throw new Error(`${reason}: under CI=true the Node 20 part is required (.ci/run provides a Node 20)`);
    console.log(`consumer-smoke: SKIPPING the Node 20 part: ${reason}`);
  }

  const work = mkdtempSync(join(tmpdir(), "sreda-consumer-smoke-"));
  let ok = false;
  try {
    const tarballs = await step("npm pack (templates, sdk, bridge)", () => pack(work));
    const tools = toolRanges();
    const bare = join(work, "bare");
    const withMsw = join(work, "msw");
    await step("npm install the tarballs into two projects (bare; msw + vitest)", () =>
      Promise.all([
        createProject(bare, tarballs, { typescript: tools.typescript, "@types/node": tools["@types/node"] }, [
          "consumer.ts",
          "consumer.cts",
          "tsconfig.nodenext.json",
          "tsconfig.bundler.json",
          "imports.mjs",
          "imports.cjs",
          "provision.mjs",
        ]),
        createProject(withMsw, tarballs, tools, ["test", "tsconfig.test.json", "msw.cjs"]),
      ]),
    );
    const tsc = (dir, project) => run(process.execPath, [join(dir, "node_modules/typescript/bin/tsc"), "-p", project], { cwd: dir });
    await step("tsc, skipLibCheck false: bare under NodeNext (ESM + CJS) and Bundler; the msw suite under NodeNext", () =>
      Promise.all([tsc(bare, "tsconfig.nodenext.json"), tsc(bare, "tsconfig.bundler.json"), tsc(withMsw, "tsconfig.test.json")]),
    );
    await step(`imports (ESM, CJS), fetch-injection provisioning, bridge: node ${process.version}`, async () => {
      for (const script of ["imports.mjs", "imports.cjs", "provision.mjs"]) await run(process.execPath, [script], { cwd: bare });
    });
    if (node20) {
      await step(`imports (ESM, CJS), fetch-injection provisioning, bridge: node ${node20.version} (${node20.path})`, async () => {
        for (const script of ["imports.mjs", "imports.cjs", "provision.mjs"]) await run(node20.path, [script], { cwd: bare });
      });
    }
    await step(`vitest + msw suite, and msw from CommonJS: node ${process.version}`, async () => {
      await run(process.execPath, [join(withMsw, "node_modules/vitest/vitest.mjs"), "run", "--reporter=dot"], { cwd: withMsw });
      await run(process.execPath, ["msw.cjs"], { cwd: withMsw });
    });
    ok = true;
  } finally {
    const keep = !ok || process.env["SREDA_CONSUMER_SMOKE_KEEP"] === "1";
    if (keep) console.log(`consumer-smoke: the projects are kept in ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
  const total = timings.reduce((sum, [, seconds]) => sum + seconds, 0);
  console.log(`consumer-smoke: ok in ${total.toFixed(1)} s${node20 ? "" : " (Node 20 part skipped)"}`);
}

main().catch((error) => {
  console.error(`consumer-smoke: FAILED: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
