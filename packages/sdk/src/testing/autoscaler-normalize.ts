/**
 * How the HPA controller bounds a metric's proposal (pkg/controller/podautoscaler/horizontal.go): without
 * `spec.behavior`, the downscale stabilization window (5 min) and a scale-up limit of max(2 × current, 4); with it,
 * each direction's stabilization window and policies (Pods / Percent per period, selectPolicy Max / Min / Disabled)
 * over the scale events the controller remembers. Each step names its reason, for the AbleToScale and ScalingLimited
 * conditions.
 */
import type { Obj } from "./util.js";

/** --horizontal-pod-autoscaler-downscale-stabilization. */
const DOWNSCALE_STABILIZATION_MS = 5 * 60_000;

interface Recommendation {
  replicas: number;
  at: number;
}

interface ScaleEvent {
  change: number;
  at: number;
  outdated: boolean;
}

/** What the controller keeps per HPA between syncs (its maps keyed by namespace/name). */
export interface AutoscalerMemory {
  recommendations: Recommendation[];
  scaleUp: ScaleEvent[];
  scaleDown: ScaleEvent[];
}

interface Verdict {
  replicas: number;
  reason: string;
  message: string;
}

const LIMIT_UP = "the desired replica count is increasing faster than the maximum scale rate";
const LIMIT_DOWN = "the desired replica count is decreasing faster than the maximum scale rate";
const TOO_MANY = "the desired replica count is more than the maximum replica count";
const TOO_FEW = "the desired replica count is less than the minimum replica count";
const WITHIN: Omit<Verdict, "replicas"> = { reason: "DesiredWithinRange", message: "the desired count is within the acceptable range" };

/** stabilizeRecommendation: the highest recommendation of the window, recording this one. */
function stabilize(memory: AutoscalerMemory, proposal: number, now: number): number {
  const cutoff = now - DOWNSCALE_STABILIZATION_MS;
  let highest = proposal;
  let old = -1;
  memory.recommendations.forEach((r, i) => {
    if (r.at < cutoff) old = i;
    else if (r.replicas > highest) highest = r.replicas;
  });
  if (old >= 0) memory.recommendations[old] = { replicas: proposal, at: now };
  else memory.recommendations.push({ replicas: proposal, at: now });
  return highest;
}

/** convertDesiredReplicasWithRules. */
function boundsWithoutBehavior(current: number, desired: number, min: number, max: number): Verdict {
  const scaleUpLimit = Math.trunc(Math.max(2 * current, 4));
  const [allowed, reason, message] = max > scaleUpLimit ? [scaleUpLimit, "ScaleUpLimit", LIMIT_UP] : [max, "TooManyReplicas", TOO_MANY];
  if (desired < min) return { replicas: min, reason: "TooFewReplicas", message: TOO_FEW };
  if (desired > allowed) return { replicas: allowed, reason, message };
  return { replicas: desired, ...WITHIN };
}

const changeInPeriod = (periodSeconds: number, events: readonly ScaleEvent[], now: number): number =>
  events.filter((e) => e.at > now - periodSeconds * 1000).reduce((n, e) => n + e.change, 0);

/** calculateScaleUpLimitWithScalingRules / calculateScaleDownLimitWithBehaviors. */
function rateLimit(direction: "up" | "down", current: number, memory: AutoscalerMemory, rules: Obj, now: number): number {
  if (rules.selectPolicy === "Disabled") return current;
  // For scaling up the Min policy yields the lowest count, for scaling down the highest.
  const pickLowest = (rules.selectPolicy === "Min") === (direction === "up");
  let result = pickLowest ? Infinity : -Infinity;
  for (const policy of (rules.policies ?? []) as Obj[]) {
    const period = Number(policy.periodSeconds);
    const start = current - changeInPeriod(period, memory.scaleUp, now) + changeInPeriod(period, memory.scaleDown, now);
    const value = Number(policy.value);
    let proposed: number;
    if (direction === "up") proposed = policy.type === "Pods" ? start + value : Math.ceil(start * (1 + value / 100));
    else proposed = policy.type === "Pods" ? start - value : Math.trunc(start * (1 - value / 100));
    result = pickLowest ? Math.min(result, proposed) : Math.max(result, proposed);
  }
  return result;
}

/** convertDesiredReplicasWithBehaviorRate. */
function boundsWithBehavior(current: number, desired: number, min: number, max: number, behavior: Obj, memory: AutoscalerMemory, now: number): Verdict {
  if (desired > current) {
    const limit = Math.max(rateLimit("up", current, memory, behavior.scaleUp, now), current);
    const [allowed, reason, message] = max > limit ? [limit, "ScaleUpLimit", LIMIT_UP] : [max, "TooManyReplicas", TOO_MANY];
    if (desired > allowed) return { replicas: allowed, reason, message };
  } else if (desired < current) {
    const limit = Math.min(rateLimit("down", current, memory, behavior.scaleDown, now), current);
    const [allowed, reason, message] = min < limit ? [limit, "ScaleDownLimit", LIMIT_DOWN] : [min, "TooFewReplicas", TOO_FEW];
    if (desired < allowed) return { replicas: allowed, reason, message };
  }
  return { replicas: desired, ...WITHIN };
}

/** stabilizeRecommendationWithBehaviors: the recommendation held within both windows, recording this one. */
function stabilizeWithBehavior(memory: AutoscalerMemory, current: number, proposal: number, behavior: Obj, now: number): Verdict {
  const upCutoff = now - Number(behavior.scaleUp?.stabilizationWindowSeconds ?? 0) * 1000;
  const downWindow = behavior.scaleDown?.stabilizationWindowSeconds;
  const downCutoff = now - (typeof downWindow === "number" ? downWindow * 1000 : DOWNSCALE_STABILIZATION_MS);
  let up = proposal;
  let down = proposal;
  let old = -1;
  memory.recommendations.forEach((r, i) => {
    if (r.at > upCutoff) up = Math.min(r.replicas, up);
    if (r.at > downCutoff) down = Math.max(r.replicas, down);
    if (r.at < upCutoff && r.at < downCutoff) old = i;
  });
  const replicas = Math.min(Math.max(current, up), down);
  if (old >= 0) memory.recommendations[old] = { replicas: proposal, at: now };
  else memory.recommendations.push({ replicas: proposal, at: now });
  return proposal >= current
    ? { replicas, reason: "ScaleUpStabilized", message: "recent recommendations were lower than current one, applying the lowest recent recommendation" }
    : { replicas, reason: "ScaleDownStabilized", message: "recent recommendations were higher than current one, applying the highest recent recommendation" };
}

interface Normalized {
  replicas: number;
  /** AbleToScale (True) after stabilization. */
  ableToScale: Omit<Verdict, "replicas">;
  /** ScalingLimited: limited or not, and why. */
  limited: boolean;
  limit: Omit<Verdict, "replicas">;
}

const READY: Omit<Verdict, "replicas"> = { reason: "ReadyForNewScale", message: "recommended size matches current size" };

/** normalizeDesiredReplicas / normalizeDesiredReplicasWithBehaviors. */
export function normalize(hpaSpec: Obj, memory: AutoscalerMemory, current: number, proposal: number, min: number, now: number): Normalized {
  const max = Number(hpaSpec.maxReplicas ?? 0);
  const behavior = hpaSpec.behavior as Obj | undefined;
  if (!behavior) {
    const stabilized = stabilize(memory, proposal, now);
    const ableToScale =
      stabilized !== proposal
        ? { reason: "ScaleDownStabilized", message: "recent recommendations were higher than current one, applying the highest recent recommendation" }
        : READY;
    const bounded = boundsWithoutBehavior(current, stabilized, min, max);
    return { replicas: bounded.replicas, ableToScale, limited: bounded.replicas !== stabilized, limit: bounded };
  }
  const stabilized = stabilizeWithBehavior(memory, current, proposal, behavior, now);
  const ableToScale = stabilized.replicas !== proposal ? stabilized : READY;
  const bounded = boundsWithBehavior(current, stabilized.replicas, min, max, behavior, memory, now);
  return { replicas: bounded.replicas, ableToScale, limited: bounded.replicas !== stabilized.replicas, limit: bounded };
}

/** storeScaleEvent: events older than the longest policy period are reused. */
export function recordScale(behavior: Obj | undefined, memory: AutoscalerMemory, previous: number, next: number, now: number): void {
  if (!behavior) return;
  const up = next > previous;
  const rules: Obj = (up ? behavior.scaleUp : behavior.scaleDown) ?? {};
  const longest = Math.max(0, ...((rules.policies ?? []) as Obj[]).map((p) => Number(p.periodSeconds)));
  const events = up ? memory.scaleUp : memory.scaleDown;
  for (const e of events) if (e.at < now - longest * 1000) e.outdated = true;
  const event = { change: Math.abs(next - previous), at: now, outdated: false };
  let reuse = -1;
  events.forEach((e, i) => {
    if (e.outdated) reuse = i;
  });
  if (reuse >= 0) events[reuse] = event;
  else events.push(event);
}
