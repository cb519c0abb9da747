// Where the Java tools come from: a JDK ≥ 21 on this machine, and the two 1c-syntax artifacts from Maven Central,
// resolved by Maven into ~/.m2 (see tools/NOTES.md for versions, sizes and timings).
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const toolsDir = join(dirname(fileURLToPath(import.meta.url)), "..");
export const MDCLASSES_VERSION = "0.18.0";
export const BSL_LS_VERSION = "0.28.5";
const DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1";

export class ToolUnavailable extends Error {}

function javaMajor(home) {
  try {
    const release = readFileSync(join(home, "release"), "utf8");
    const m = release.match(/JAVA_VERSION="(\d+)/);
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

let javaPath;
/** A `java` of version 21 or newer: $SREDA_JAVA_HOME, $JAVA_HOME, then the newest JDK in /usr/lib/jvm. */
export function java() {
  if (javaPath) return javaPath;
  const candidates = [process.env.SREDA_JAVA_HOME, process.env.JAVA_HOME].filter(Boolean);
  if (existsSync("/usr/lib/jvm"))
    candidates.push(
      ...readdirSync("/usr/lib/jvm")
        .map((d) => join("/usr/lib/jvm", d))
        .sort((a, b) => javaMajor(b) - javaMajor(a)),
    );
  const home = candidates.find((h) => javaMajor(h) >= 21 && existsSync(join(h, "bin", "java")));
  if (!home) throw new ToolUnavailable("no JDK 21+ found (set SREDA_JAVA_HOME, or install one into /usr/lib/jvm)");
  javaPath = join(home, "bin", "java");
  return javaPath;
}

function mvn(args) {
  try {
    // The local repository named explicitly: Maven's default follows Java's user.home (the passwd entry), which is
    // not $HOME when HOME is set elsewhere, and the jar is looked up below in repo().
    return execFileSync("mvn", ["-B", "-q", `-Dmaven.repo.local=${repo()}`, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    if (e.code === "ENOENT") throw new ToolUnavailable("Maven (mvn) is not installed");
    throw new Error(`mvn ${args.join(" ")} failed:\n${(e.stdout ?? "") + (e.stderr ?? "")}`);
  }
}

const repo = () => process.env.SREDA_M2_REPOSITORY ?? join(homedir(), ".m2", "repository");

let classpath;
/** The classpath of mdclasses and its dependencies. */
export function mdclassesClasspath() {
  if (classpath) return classpath;
  const out = join(mkdtempSync(join(tmpdir(), "onec-cp-")), "classpath.txt");
  mvn(["-f", join(toolsDir, "java", "pom.xml"), `${DEPENDENCY_PLUGIN}:build-classpath`, `-Dmdep.outputFile=${out}`]);
  classpath = readFileSync(out, "utf8").trim();
  return classpath;
}

/** The BSL Language Server executable jar. */
export function bslLanguageServerJar() {
  const jar = join(repo(), "io", "github", "1c-syntax", "bsl-language-server", BSL_LS_VERSION, `bsl-language-server-${BSL_LS_VERSION}-exec.jar`);
  if (!existsSync(jar))
    mvn([`${DEPENDENCY_PLUGIN}:get`, `-Dartifact=io.github.1c-syntax:bsl-language-server:${BSL_LS_VERSION}:jar:exec`, "-Dtransitive=false"]);
  return jar;
}
