import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Deployment, Event, EventList, Job, Pod } from "../../src/core/kube-objects.js";

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "status");

/** A fixture as `kubectl get -o json` printed it: `<kind>-<scenario>.json`. */
export function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(path.join(dir, `${name}.json`), "utf8")) as T;
}

export const job = (scenario: string) => fixture<Job>(`job-${scenario}`);
export const deployment = (scenario: string) => fixture<Deployment>(`deployment-${scenario}`);
export const pod = (scenario: string) => fixture<Pod>(`pod-${scenario}`);
export const events = (scenario: string) => fixture<EventList>(`events-${scenario}`).items as Event[];

/** Milliseconds of an RFC 3339 time: the tests' clock readings. */
export const at = (time: string) => Date.parse(time);
