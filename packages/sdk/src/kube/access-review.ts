/**
 * What the token's user may do, asked of the API server: SelfSubjectAccessReview (one verb on one resource) and
 * SelfSubjectRulesReview (everything in a namespace). A review stores nothing, so both are safe to repeat.
 */
import type { KubeAccessReviewAttributes, KubeRulesReviewStatus } from "./client.js";
import { kubeStatusErrorFrom } from "./errors.js";
import { invalidResponse, type KubeCallContext } from "./requests.js";
import { parseMaybeJson } from "./transport.js";

const ACCESS_REVIEWS = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";
const RULES_REVIEWS = "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews";

type ReviewAnswer = { data?: unknown; error?: unknown; response: Response };

export async function accessReview(
  ctx: KubeCallContext,
  { namespace, verb, group, resource, signal }: KubeAccessReviewAttributes,
): Promise<{ allowed: boolean; denied?: boolean; reason?: string }> {
  const answer = await ctx.api.POST(ACCESS_REVIEWS, {
    body: {
      apiVersion: "authorization.k8s.io/v1",
      kind: "SelfSubjectAccessReview",
      spec: { resourceAttributes: { namespace, verb, group, resource } },
    },
    signal,
    parseAs: "text",
    fetch: (r: Request) => ctx.send(r, { idempotent: true, timeoutMs: ctx.defaultTimeoutMs, stream: false }),
  });
  const status = reviewStatus<Record<string, unknown>>(ctx, ACCESS_REVIEWS, answer);
  if (!status || typeof status["allowed"] !== "boolean") throw invalidAnswer(ctx, ACCESS_REVIEWS, answer);
  const out: { allowed: boolean; denied?: boolean; reason?: string } = { allowed: status["allowed"] };
  if (typeof status["denied"] === "boolean") out.denied = status["denied"];
  if (typeof status["reason"] === "string" && status["reason"] !== "") out.reason = status["reason"];
  return out;
}

export async function rulesReview(ctx: KubeCallContext, namespace: string, opts: { signal?: AbortSignal } = {}): Promise<KubeRulesReviewStatus> {
  const answer = await ctx.api.POST(RULES_REVIEWS, {
    body: { apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectRulesReview", spec: { namespace } },
    signal: opts.signal,
    parseAs: "text",
    fetch: (r: Request) => ctx.send(r, { idempotent: true, timeoutMs: ctx.defaultTimeoutMs, stream: false }),
  });
  const status = reviewStatus<KubeRulesReviewStatus>(ctx, RULES_REVIEWS, answer);
  if (!status) throw invalidAnswer(ctx, RULES_REVIEWS, answer);
  return status;
}

/** The `status` of the review that came back; throws the Status of a non-2xx answer. */
function reviewStatus<S>(ctx: KubeCallContext, path: string, { data, error, response }: ReviewAnswer): S | undefined {
  if (!response.ok) {
    throw kubeStatusErrorFrom({
      status: response.status,
      headers: response.headers,
      body: error,
      method: "POST",
      path,
      nowMs: ctx.clock.now(),
      redact: ctx.redact,
    });
  }
  const review = parseMaybeJson(typeof data === "string" ? data : "");
  return typeof review === "object" && review !== null ? (review as { status?: S }).status : undefined;
}

function invalidAnswer(ctx: KubeCallContext, path: string, { data, response }: ReviewAnswer) {
  return invalidResponse(ctx.redact, response.status, "POST", path, typeof data === "string" ? data : "");
}
