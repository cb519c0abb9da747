#!/usr/bin/env node
/**
 * Builds the real control plane's five binaries from the Go modules in ../go (versions pinned there):
 * etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok.
 *
 *   node tools/real-cluster/src/build.mjs [--check] [--jobs N]      (npm run real-cluster:build)
 *
 * Plain JavaScript with no dependencies, so that it runs on any Node ≥ 20 before `npm install` (CI builds with it
 * first). The binaries go to `<home>/bin-<stamp>/`, where home is SREDA_REAL_CLUSTER_HOME or
 * `${XDG_CACHE_HOME:-~/.cache}/sreda/real-cluster`, and the stamp is a hash of the module files (go.mod, go.sum,
 * tools.go), the Go version, the target and every build flag: when it matches, nothing is rebuilt (well under a
 * second). Go's own caches (GOMODCACHE, GOCACHE) stay where `go env` puts them. A successful build removes older
 * bin-* directories. `--check` only reports (exit 0 when up to date, 1 otherwise).
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Bump when the recipe changes in a way the flags below do not show. */
const RECIPE = 2;
/** Peak RSS of one compile or link of these packages, measured: about 2 GB (kube-controller-manager's link). */
const BYTES_PER_JOB = 2 * 1024 ** 3;
/** Go needed: kwok v0.8.0 declares `go 1.26.0`. */
const MIN_GO = [1, 26];

export const GO_DIR = fileURLToPath(new URL("../go/", import.meta.url));

/**
 * @typedef {{ name: string; module: "etcd" | "kubernetes" | "kwok"; pkg: string; kubeVersion?: boolean }} Binary
 * @type {readonly Binary[]}
 */
export const BINARIES = [
  { name: "etcd", module: "etcd", pkg: "go.etcd.io/etcd/server/v3" },
  { name: "kube-apiserver", module: "kubernetes", pkg: "k8s.io/kubernetes/cmd/kube-apiserver", kubeVersion: true },
  { name: "kube-controller-manager", module: "kubernetes", pkg: "k8s.io/kubernetes/cmd/kube-controller-manager", kubeVersion: true },
  { name: "kube-scheduler", module: "kubernetes", pkg: "k8s.io/kubernetes/cmd/kube-scheduler", kubeVersion: true },
  { name: "kwok", module: "kwok", pkg: "sigs.k8s.io/kwok/cmd/kwok" },
];

const MODULE_FILES = ["go.mod", "go.sum", "tools.go"];
/** Static (no cgo, as Kubernetes' own release builds), reproducible paths, stripped. */
const GO_BUILD_FLAGS = ["-trimpath", "-mod=readonly", "-buildvcs=false"];
const BUILD_ENV = { CGO_ENABLED: "0", GOWORK: "off" };

/** `SREDA_REAL_CLUSTER_HOME`, or `${XDG_CACHE_HOME:-~/.cache}/sreda/real-cluster`. */
export function realClusterHome(env = process.env) {
  if (env.SREDA_REAL_CLUSTER_HOME) return path.resolve(env.SREDA_REAL_CLUSTER_HOME);
  const cache = env.XDG_CACHE_HOME ? path.resolve(env.XDG_CACHE_HOME) : path.join(os.homedir(), ".cache");
  return path.join(cache, "sreda", "real-cluster");
}

/** The version a go.mod requires of a module (`require path vX.Y.Z`, in a block or alone). */
export function requiredVersion(goMod, modulePath) {
  const escaped = modulePath.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  const match = new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v[^\\s/]+)`, "m").exec(goMod);
  if (!match) throw new Error(`${modulePath} is not required in the go.mod`);
  return match[1];
}

/** The pinned versions, read from the modules themselves (the single source of truth). */
export function pinnedVersions(goDir = GO_DIR) {
  const read = (module) => fs.readFileSync(path.join(goDir, module, "go.mod"), "utf8");
  const kubernetes = requiredVersion(read("kubernetes"), "k8s.io/kubernetes");
  return {
    etcd: requiredVersion(read("etcd"), "go.etcd.io/etcd/server/v3"),
    kubernetes,
    kwok: requiredVersion(read("kwok"), "sigs.k8s.io/kwok"),
  };
}

/** `go env` of the toolchain on PATH, or an explanation of why there is none. */
export function goEnvironment() {
  const result = spawnSync("go", ["env", "-json", "GOVERSION", "GOOS", "GOARCH", "GOAMD64", "GOARM64", "GOMODCACHE", "GOCACHE"], {
    encoding: "utf8",
    env: { ...process.env, ...BUILD_ENV },
  });
  if (result.error || result.status !== 0) {
    const why = result.error ? result.error.message : result.stderr.trim();
    return { error: `Go is needed to build the real control plane (go ≥ ${MIN_GO.join(".")}; https://go.dev/dl/): ${why}` };
  }
  return { env: JSON.parse(result.stdout) };
}

function goVersionAtLeast(goVersion, [major, minor]) {
  const m = /^go(\d+)\.(\d+)/.exec(goVersion);
  return m !== null && (Number(m[1]) > major || (Number(m[1]) === major && Number(m[2]) >= minor));
}

/**
 * The -ldflags of one binary. Kubernetes' binaries get the version its release builds stamp (hack/lib/version.sh),
 * in both version packages, or /version answers `v0.0.0-master+$Format:%H$`; commit and date are those of the tag.
 */
function ldflags(binary, versions, origin = { commit: "{commit}", date: "{date}" }) {
  const flags = ["-s", "-w"];
  if (binary.kubeVersion) {
    const [major, minor] = versions.kubernetes.replace(/^v/, "").split(".");
    const values = {
      gitMajor: major,
      gitMinor: minor,
      gitVersion: versions.kubernetes,
      gitCommit: origin.commit,
      gitTreeState: "archive",
      buildDate: origin.date,
    };
    for (const pkg of ["k8s.io/component-base/version", "k8s.io/client-go/pkg/version"]) {
      for (const [name, value] of Object.entries(values)) flags.push(`-X=${pkg}.${name}=${value}`);
    }
  }
  return flags.join(" ");
}

/**
 * What a build would produce here and now: the stamp and the directory. Reads the module files and asks `go env`
 * (a few tens of milliseconds). `error` when Go is missing or too old.
 */
export function buildPlan(options = {}) {
  const home = options.home ?? realClusterHome();
  const goDir = options.goDir ?? GO_DIR;
  const versions = pinnedVersions(goDir);
  const go = goEnvironment();
  if (go.error) return { home, versions, error: go.error };
  const { GOVERSION, GOOS, GOARCH, GOAMD64, GOARM64 } = go.env;
  if (!goVersionAtLeast(GOVERSION, MIN_GO)) {
    return {
      home,
      versions,
      error: `${GOVERSION} is too old to build the real control plane: kwok ${versions.kwok} needs go ≥ ${MIN_GO.join(".")} (or set GOTOOLCHAIN=auto)`,
    };
  }
  const hash = createHash("sha256");
  const input = {
    recipe: RECIPE,
    go: GOVERSION,
    target: [GOOS, GOARCH, GOAMD64 ?? "", GOARM64 ?? ""],
    env: BUILD_ENV,
    flags: GO_BUILD_FLAGS,
    binaries: BINARIES.map((b) => ({ ...b, ldflags: ldflags(b, versions) })),
  };
  hash.update(JSON.stringify(input));
  for (const module of ["etcd", "kubernetes", "kwok"]) {
    for (const file of MODULE_FILES) {
      hash.update(`\0${module}/${file}\0`);
      hash.update(fs.readFileSync(path.join(goDir, module, file)));
    }
  }
  const stamp = hash.digest("hex");
  const binDir = path.join(home, `bin-${stamp.slice(0, 16)}`);
  return { home, versions, stamp, binDir, goEnv: go.env };
}

/**
 * Whether the binaries of the current stamp are all there: `{ built, binDir, missing, reason }`. A build writes
 * each binary under a temporary name and renames it, and stamp.json last, so present means complete.
 */
export function buildStatus(options = {}) {
  const plan = buildPlan(options);
  if (plan.error) return { built: false, reason: plan.error, versions: plan.versions, home: plan.home };
  const missing = [...BINARIES.map((b) => b.name), "stamp.json"].filter((name) => !fs.existsSync(path.join(plan.binDir, name)));
  return {
    built: missing.length === 0,
    binDir: plan.binDir,
    stamp: plan.stamp,
    versions: plan.versions,
    home: plan.home,
    missing,
    reason:
      missing.length === 0 ? undefined : `the real control plane is not built (${missing.join(", ")} missing in ${plan.binDir}): npm run real-cluster:build`,
  };
}

function formatDuration(ms) {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)} min ${String(Math.round(s % 60)).padStart(2, "0")} s`;
}

function run(command, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "inherit", "inherit"], ...options });
    child.on("error", reject);
    child.on("exit", (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.slice(0, 2).join(" ")}… failed (${signal ?? `exit ${code}`})`)),
    );
  });
}

/** The tag's commit and date, from the module proxy's origin information (zeros and the epoch when it has none). */
function kubernetesOrigin(goDir, version, env) {
  const result = spawnSync("go", ["mod", "download", "-json", `k8s.io/kubernetes@${version}`], { cwd: path.join(goDir, "kubernetes"), encoding: "utf8", env });
  let download = {};
  let info = {};
  try {
    download = JSON.parse(result.stdout);
    // The .info file of the module cache: {"Version", "Time" (the tag's commit time), "Origin"}.
    info = JSON.parse(fs.readFileSync(download.Info, "utf8"));
  } catch {
    // No answer: the fallbacks below.
  }
  const hash = download.Origin?.Hash ?? info.Origin?.Hash ?? "";
  return {
    commit: /^[0-9a-f]{40}$/.test(hash) ? hash : "0".repeat(40),
    date: typeof info.Time === "string" ? info.Time.replace(/\.\d+Z$/, "Z") : "1970-01-01T00:00:00Z",
  };
}

/** Builds what is missing; prints a line per binary. Returns the status after the build. */
export async function build(options = {}) {
  const log = options.log ?? ((line) => console.log(line));
  const started = performance.now();
  const plan = buildPlan(options);
  if (plan.error) throw new Error(plan.error);
  const goDir = options.goDir ?? GO_DIR;
  const { binDir, versions } = plan;
  const upToDate = buildStatus(options).built;
  if (!upToDate) {
    fs.mkdirSync(binDir, { recursive: true });
    const available = os.freemem();
    const jobs = options.jobs ?? Math.max(1, Math.min(os.availableParallelism(), Math.floor(available / BYTES_PER_JOB)));
    log(
      `real-cluster: building with ${plan.goEnv.GOVERSION}, go build -p ${jobs} (${os.availableParallelism()} CPUs, ${(available / 1024 ** 3).toFixed(1)} GiB available) into ${binDir}`,
    );
    log(`real-cluster: Go caches: GOMODCACHE=${plan.goEnv.GOMODCACHE} GOCACHE=${plan.goEnv.GOCACHE} (a cold build takes about 10–20 min on 2 cores)`);
    const env = { ...process.env, ...BUILD_ENV };
    let origin;
    for (const binary of BINARIES) {
      const target = path.join(binDir, binary.name);
      if (fs.existsSync(target)) {
        log(`  ${binary.name.padEnd(24)} up to date`);
        continue;
      }
      const t0 = performance.now();
      if (binary.kubeVersion && origin === undefined) origin = kubernetesOrigin(goDir, versions.kubernetes, env);
      const temporary = `${target}.tmp-${process.pid}`;
      const args = ["build", `-p=${jobs}`, ...GO_BUILD_FLAGS, `-ldflags=${ldflags(binary, versions, origin)}`, "-o", temporary, binary.pkg];
      try {
        await run("go", args, { cwd: path.join(goDir, binary.module), env });
      } catch (error) {
        fs.rmSync(temporary, { force: true });
        throw error;
      }
      fs.renameSync(temporary, target);
      const size = fs.statSync(target).size;
      log(`  ${binary.name.padEnd(24)} built in ${formatDuration(performance.now() - t0)} (${Math.round(size / 1024 ** 2)} MB)`);
    }
    const stamp = {
      stamp: plan.stamp,
      versions,
      go: plan.goEnv.GOVERSION,
      target: `${plan.goEnv.GOOS}/${plan.goEnv.GOARCH}`,
      kubernetesCommit: origin?.commit,
      builtAt: new Date().toISOString(),
      buildSeconds: Math.round((performance.now() - started) / 100) / 10,
    };
    fs.writeFileSync(path.join(binDir, "stamp.json"), `${JSON.stringify(stamp, null, 2)}\n`);
    for (const name of fs.readdirSync(plan.home)) {
      const old = path.join(plan.home, name);
      if (name.startsWith("bin-") && old !== binDir) {
        fs.rmSync(old, { recursive: true, force: true });
        log(`real-cluster: removed the older build ${old}`);
      }
    }
  } else {
    for (const binary of BINARIES) log(`  ${binary.name.padEnd(24)} up to date`);
  }
  log(
    `real-cluster: etcd ${versions.etcd}, Kubernetes ${versions.kubernetes}, kwok ${versions.kwok} ${upToDate ? "up to date" : "built"} in ${formatDuration(performance.now() - started)}: ${binDir}`,
  );
  return buildStatus(options);
}

function parseCli(argv) {
  const options = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--check") options.check = true;
    else if (arg === "--jobs" || arg === "-p") options.jobs = Number(argv[++i]);
    else if (arg.startsWith("--jobs=")) options.jobs = Number(arg.slice(7));
    else if (arg === "--help" || arg === "-h") options.help = true;
    else throw new Error(`unknown argument ${arg} (--check, --jobs N)`);
  }
  if (options.jobs !== undefined && !(Number.isInteger(options.jobs) && options.jobs > 0)) throw new Error("--jobs takes a positive integer");
  return options;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const options = parseCli(process.argv.slice(2));
    if (options.help) {
      console.log("usage: node tools/real-cluster/src/build.mjs [--check] [--jobs N]   (npm run real-cluster:build)");
    } else if (options.check) {
      const status = buildStatus();
      console.log(status.built ? `real-cluster: up to date: ${status.binDir}` : `real-cluster: ${status.reason}`);
      process.exitCode = status.built ? 0 : 1;
    } else {
      await build({ jobs: options.jobs });
    }
  } catch (error) {
    console.error(`real-cluster: build failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
