/** Types of build.mjs (plain JavaScript so that it runs on any Node ≥ 20 before `npm install`). */

export interface Versions {
  etcd: string;
  kubernetes: string;
  kwok: string;
}

export interface Binary {
  name: string;
  module: "etcd" | "kubernetes" | "kwok";
  pkg: string;
  kubeVersion?: boolean;
}

export interface BuildOptions {
  home?: string;
  goDir?: string;
}

export interface BuildStatus {
  built: boolean;
  /** Why not built: Go missing or too old, or binaries missing (with the command that builds them). */
  reason?: string;
  versions: Versions;
  home: string;
  binDir?: string;
  stamp?: string;
  missing?: string[];
}

export const GO_DIR: string;
export const BINARIES: readonly Binary[];
export function realClusterHome(env?: Record<string, string | undefined>): string;
export function requiredVersion(goMod: string, modulePath: string): string;
export function pinnedVersions(goDir?: string): Versions;
export function buildStatus(options?: BuildOptions): BuildStatus;
export function build(options?: BuildOptions & { jobs?: number; log?: (line: string) => void }): Promise<BuildStatus>;
