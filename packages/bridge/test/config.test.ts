/** Configuration: environment over file, development mode by default, and the refusals. */
import { describe, expect, it } from "vitest";
import { availableParallelism } from "node:os";
import { ConfigError, DEVELOPMENT_TOKEN, loadConfig } from "../src/config.js";
import { defaultPlanWorkers } from "../src/plan-workers.js";

const TOKEN = "a-production-token-0123456789";

describe("loadConfig", () => {
  it("defaults to development mode on 127.0.0.1:8787 with the development token", () => {
    expect(loadConfig({})).toMatchObject({
      host: "127.0.0.1",
      port: 8787,
      development: true,
      token: DEVELOPMENT_TOKEN,
      journalPath: undefined,
      logLevel: "info",
      bodyLimitBytes: 1048576,
    });
  });

  it("builds dry runs on one worker thread per core beyond the first, at most 4; SREDA_PLAN_WORKERS and the file override it", () => {
    expect(loadConfig({}).planWorkers).toBe(defaultPlanWorkers());
    expect(defaultPlanWorkers(availableParallelism())).toBe(Math.min(4, availableParallelism() - 1));
    expect([1, 2, 8].map((cores) => defaultPlanWorkers(cores))).toEqual([0, 1, 4]);
    expect(loadConfig({ SREDA_PLAN_WORKERS: "0" }).planWorkers).toBe(0);
    expect(loadConfig({ SREDA_CONFIG: "c.json" }, () => '{"planWorkers": 3}').planWorkers).toBe(3);
    expect(() => loadConfig({ SREDA_PLAN_WORKERS: "17" })).toThrow(/SREDA_PLAN_WORKERS/);
    expect(() => loadConfig({ SREDA_PLAN_WORKERS: "-1" })).toThrow(ConfigError);
  });

  it("is in production mode when a token is set", () => {
    const config = loadConfig({
      SREDA_TOKEN: TOKEN,
      SREDA_HOST: "0.0.0.0",
      SREDA_PORT: "9000",
      SREDA_JOURNAL: "/var/lib/sreda/journal.jsonl",
      SREDA_LOG_LEVEL: "warn",
    });
    expect(config).toMatchObject({
      development: false,
      token: TOKEN,
      host: "0.0.0.0",
      port: 9000,
      journalPath: "/var/lib/sreda/journal.jsonl",
      logLevel: "warn",
    });
  });

  it("refuses production mode without a token", () => {
    expect(() => loadConfig({ SREDA_MODE: "production" })).toThrow(ConfigError);
    expect(() => loadConfig({ SREDA_MODE: "production" })).toThrow(/SREDA_TOKEN/);
  });

  it("refuses the development token in production and short tokens", () => {
    expect(() => loadConfig({ SREDA_MODE: "production", SREDA_TOKEN: DEVELOPMENT_TOKEN })).toThrow(ConfigError);
    expect(() => loadConfig({ SREDA_TOKEN: "short" })).toThrow(/16/);
  });

  it("keeps development mode on the loopback interface", () => {
    expect(() => loadConfig({ SREDA_HOST: "0.0.0.0" })).toThrow(/127\.0\.0\.1/);
    expect(loadConfig({ SREDA_HOST: "::1" }).host).toBe("::1");
  });

  it("reads a config file (with a BOM), the environment winning", () => {
    const file = `\uFEFF${JSON.stringify({ token: TOKEN, port: 7000, host: "10.0.0.5", journal: "/tmp/j.jsonl", logLevel: "debug", historyLimit: 10, bodyLimitBytes: 4096 })}`;
    const config = loadConfig({ SREDA_CONFIG: "/etc/sreda.json", SREDA_PORT: "7001" }, () => file);
    expect(config).toMatchObject({
      token: TOKEN,
      port: 7001,
      host: "10.0.0.5",
      journalPath: "/tmp/j.jsonl",
      logLevel: "debug",
      historyLimit: 10,
      bodyLimitBytes: 4096,
      development: false,
    });
  });

  it("reads the cluster allow-list from SREDA_ALLOWED_CLUSTERS or the file, in one spelling", () => {
    expect(loadConfig({}).allowedClusters).toBeUndefined();
    const config = loadConfig({ SREDA_ALLOWED_CLUSTERS: " https://Rancher.Example.ru:443/k8s/clusters/c-m4hlh , http://127.0.0.1:6443 " });
    expect(config.allowedClusters).toEqual(["https://rancher.example.ru/k8s/clusters/c-m4hlh/", "http://127.0.0.1:6443/"]);
    const file = JSON.stringify({ token: TOKEN, allowedClusters: ["https://k8s.example.ru/"] });
    expect(loadConfig({ SREDA_CONFIG: "/etc/sreda.json" }, () => file).allowedClusters).toEqual(["https://k8s.example.ru/"]);
    for (const bad of ["ftp://x/", "not a url", "https://user:pw@k8s.example.ru/", "https://k8s.example.ru/?x=1"]) {
      expect(() => loadConfig({ SREDA_ALLOWED_CLUSTERS: bad }), bad).toThrow(/SREDA_ALLOWED_CLUSTERS/);
    }
  });

  it("reports a bad config file and bad values", () => {
    expect(() => loadConfig({ SREDA_CONFIG: "/x.json" }, () => '{"port": "eighty"}')).toThrow(/port/);
    expect(() => loadConfig({ SREDA_CONFIG: "/x.json" }, () => "{")).toThrow(ConfigError);
    expect(() => loadConfig({ SREDA_PORT: "http" })).toThrow(/SREDA_PORT/);
    expect(() => loadConfig({ SREDA_LOG_LEVEL: "loud" })).toThrow(/SREDA_LOG_LEVEL/);
  });
});
