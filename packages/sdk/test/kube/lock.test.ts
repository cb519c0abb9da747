import { describe, expect, it } from "vitest";
import { SredaError } from "../../src/core/errors.js";
import { createKubeClient } from "../../src/kube/client.js";
import { customerLockKey, KeyedLock, withCustomerLock } from "../../src/kube/lock.js";
import { createFakeCluster } from "../../src/testing/index.js";

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

describe("withCustomerLock within one process", () => {
  const C42 = { namespace: "lms-dev", clientId: "C42" };

  it("refuses a second run for the customer at once in fail mode, naming the holder and what it does", async () => {
    const cluster = createFakeCluster();
    const kube = createKubeClient(cluster.clientConfig);
    const locks = new KeyedLock();
    let release!: () => void;
    const first = withCustomerLock(
      kube,
      C42,
      { identity: "bridge-1", operation: "suspend", locks, lease: false },
      () => new Promise<void>((r) => (release = r)),
    );
    await tick();
    const error = await withCustomerLock(kube, C42, { identity: "bridge-2", whenLocked: "fail", locks, lease: false }, async () => "never").catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SredaError);
    expect(error).toMatchObject({
      code: "LOCKED",
      message: "Для клиента C42 в lms-dev уже выполняется suspend: bridge-1, с 2026-01-01 00:00:00 UTC",
      details: { holder: "bridge-1", operation: "suspend", since: "2026-01-01T00:00:00.000000Z", clientId: "C42", namespace: "lms-dev" },
    });
    release();
    await first;
    // lease: false asks the API server nothing.
    expect(cluster.requestLog).toEqual([]);
    expect(locks.isLocked(customerLockKey(kube, C42))).toBe(false);
  });

  it("queues a second run of the same process in the process: it asks for the Lease only once the first released it", async () => {
    const cluster = createFakeCluster();
    const kube = createKubeClient(cluster.clientConfig);
    const locks = new KeyedLock();
    const log: string[] = [];
    const run = (name: string) =>
      withCustomerLock(kube, C42, { identity: name, locks }, async () => {
        log.push(
          `${name}: ${cluster.requestLog
            .filter((r) => r.kind === "Lease")
            .map((r) => r.method)
            .join(" ")}`,
        );
        await cluster.clock.sleep(1_000);
      });
    await Promise.all([run("first"), run("second")]);
    expect(log).toEqual(["first: GET POST", "second: GET POST PUT GET PUT"]);
  });

  it("keys the lock by cluster, namespace and customer", () => {
    expect(customerLockKey({ apiRootUrl: "https://rancher.example/k8s/clusters/c-1/" }, C42)).toBe("https://rancher.example/k8s/clusters/c-1|lms-dev|C42");
  });
});
