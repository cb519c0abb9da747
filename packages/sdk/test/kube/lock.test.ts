import { describe, expect, it } from "vitest";
import { SredaError } from "../../src/core/errors.js";
import { KeyedLock } from "../../src/kube/lock.js";

const tick = () => new Promise((r) => setImmediate(r));

describe("KeyedLock", () => {
  it("never lets two runs for one key interleave", async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    let releaseFirst!: () => void;
    const first = lock.run("C42", async () => {
      log.push("first:start");
      await new Promise<void>((r) => (releaseFirst = r));
      log.push("first:end");
    });
    const second = lock.run("C42", async () => {
      log.push("second:start");
    });
    await tick();
    expect(log).toEqual(["first:start"]);
    releaseFirst();
    await Promise.all([first, second]);
    expect(log).toEqual(["first:start", "first:end", "second:start"]);
    expect(lock.isLocked("C42")).toBe(false);
  });

  it("runs different keys at once", async () => {
    const lock = new KeyedLock();
    let release!: () => void;
    const a = lock.run("C1", () => new Promise<void>((r) => (release = r)));
    let bRan = false;
    await lock.run("C2", async () => {
      bRan = true;
    });
    expect(bRan).toBe(true);
    release();
    await a;
  });

  it("is released when the holder throws, so it cannot stay stuck", async () => {
    const lock = new KeyedLock();
    await expect(lock.run("C42", async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(lock.isLocked("C42")).toBe(false);
    await expect(lock.run("C42", async () => "ok")).resolves.toBe("ok");
  });

  it("fails at once in fail mode with code LOCKED", async () => {
    const lock = new KeyedLock();
    let release!: () => void;
    const first = lock.run("C42", () => new Promise<void>((r) => (release = r)));
    const error = await lock.run("C42", async () => "never", { mode: "fail" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SredaError);
    expect((error as SredaError).code).toBe("LOCKED");
    release();
    await first;
  });

  it("lets a waiter give up through its signal without breaking the queue", async () => {
    const lock = new KeyedLock();
    let release!: () => void;
    const first = lock.run("C42", () => new Promise<void>((r) => (release = r)));
    const controller = new AbortController();
    const waiter = lock.run("C42", async () => "waiter ran", { signal: controller.signal });
    controller.abort(new Error("gave up"));
    await expect(waiter).rejects.toThrow("gave up");
    const third = lock.run("C42", async () => "third ran");
    release();
    await first;
    await expect(third).resolves.toBe("third ran");
    expect(lock.isLocked("C42")).toBe(false);
  });
});
