/**
 * A plan worker (worker_threads): builds dry-run answers for the bridge's main thread, which keeps HTTP, the request's
 * validation and everything with state. The answer comes back as UTF-8 bytes, transferred rather than copied.
 */
import { parentPort } from "node:worker_threads";
import { dryRunAnswer, taskFailure, type PlanTask, type PlanTaskResult } from "./plan-answer.js";

const encoder = new TextEncoder();

parentPort?.on("message", ({ id, request }: PlanTask) => {
  let body: Uint8Array;
  try {
    // TextEncoder gives an ArrayBuffer of its own (a Buffer may be a slice of a shared pool): it can be transferred.
    body = encoder.encode(dryRunAnswer(request));
  } catch (error) {
    parentPort!.postMessage(taskFailure(id, error));
    return;
  }
  const result: PlanTaskResult = { id, body };
  parentPort!.postMessage(result, [body.buffer as ArrayBuffer]);
});
