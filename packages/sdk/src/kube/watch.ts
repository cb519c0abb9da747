/**
 * The watcher: the reflector (one collection as a stream of snapshots) and the environment follower built on it.
 */
export * from "./reflector.js";
export * from "./follow-environment.js";
export { LOG_TAIL_LINES } from "./logs.js";
