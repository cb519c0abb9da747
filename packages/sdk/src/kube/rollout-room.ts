/**
 * Room for a rollout's customers: looks at the namespace's pending pods (./capacity.ts) before a customer starts and,
 * while customers run, every `pollMs` — so a shortage is reported as soon as it shows, not only when a customer would
 * start. Reports each change (pods waiting for room with the scheduler's message; room again) once.
 */
import type { RoomShortage } from "../core/capacity.js";
import type { Clock } from "../core/clock.js";
import { readRoomShortage } from "./capacity.js";
import type { KubeClient } from "./client.js";

/** A start within this long of a look that found room needs no look of its own. */
const FRESH_LOOK_MS = 2_000;

export type RoomEvent = { type: "rollout-waiting-for-room"; at: number; pods: number; message: string } | { type: "rollout-room-available"; at: number };

interface RoomWatchOptions {
  kube: KubeClient;
  namespace: string;
  clock: Clock;
  pollMs: number;
  signal?: AbortSignal | undefined;
  emit: (event: RoomEvent) => void;
}

export class RoomWatch {
  private shortage: RoomShortage | undefined;
  private lookedAt = -Infinity;
  private pending: Promise<boolean> | undefined;

  constructor(private readonly options: RoomWatchOptions) {}

  /** One look, shared by whoever asks meanwhile: true when no pod waits for room. */
  look(): Promise<boolean> {
    this.pending ??= this.lookOnce().finally(() => (this.pending = undefined));
    return this.pending;
  }

  private async lookOnce(): Promise<boolean> {
    const { kube, namespace, clock, signal, emit } = this.options;
    const shortage = await readRoomShortage(kube, namespace, signal);
    const before = this.shortage;
    this.shortage = shortage;
    this.lookedAt = clock.now();
    if (shortage && (shortage.message !== before?.message || shortage.pods !== before.pods))
      emit({ type: "rollout-waiting-for-room", at: clock.now(), pods: shortage.pods, message: shortage.message });
    if (!shortage && before) emit({ type: "rollout-room-available", at: clock.now() });
    return shortage === undefined;
  }

  /** Before a start: at once after a fresh look that found room; otherwise looks, every `pollMs`, until there is room. */
  async untilRoom(): Promise<void> {
    const { clock, pollMs, signal } = this.options;
    // A look under way (the monitor's) is waited for: its answer is fresher than the last one.
    if (this.pending) await this.pending.catch(() => undefined);
    if (!this.shortage && clock.now() - this.lookedAt < FRESH_LOOK_MS) return;
    while (!(await this.look())) await clock.sleep(pollMs, signal);
  }

  /** Looks every `pollMs` until `stop` aborts; a failed look is left to the next start's own look. */
  async monitor(stop: AbortSignal): Promise<void> {
    const { clock, pollMs } = this.options;
    for (;;) {
      try {
        await clock.sleep(pollMs, stop);
      } catch {
        return;
      }
      await this.look().catch(() => undefined);
    }
  }
}
