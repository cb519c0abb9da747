/** A manual clock for tests: sleeps wait in a queue until the test advances time. */
import type { Clock } from "../../src/core/clock.js";

export class FakeClock implements Clock {
  private time = 0;
  private timers: { at: number; seq: number; fire: () => void }[] = [];
  private seq = 0;

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = {
        at: this.time + ms,
        seq: this.seq++,
        fire: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.timers = this.timers.filter((t) => t !== timer);
        reject(signal!.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.timers.push(timer);
    });
  }

  /** Due times (relative to now) of the pending sleeps. */
  pending(): number[] {
    return this.timers.map((t) => t.at - this.time).sort((a, b) => a - b);
  }

  /** Lets every promise chain that can make progress do so (real macrotask turns; nothing here uses real timers). */
  async flush(): Promise<void> {
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  }

  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    for (;;) {
      await this.flush();
      const next = [...this.timers].sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!next || next.at > target) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.time = next.at;
      next.fire();
    }
    this.time = target;
    await this.flush();
  }
}
