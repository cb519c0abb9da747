/** The Kubernetes edge of the SDK: the typed client, its errors, rate limiting and retries. */
export * from "./client.js";
export * from "./errors.js";
export * from "./rate-limit.js";
export * from "./retry.js";
