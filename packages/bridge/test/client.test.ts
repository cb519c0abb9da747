/**
 * The typed client answers, never throws: a bridge that cannot be reached is an answer too (503
 * BRIDGE_UNREACHABLE), and the error's code is the union of the documented codes.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import { createBridgeClient, type BridgeErrorCode } from "../src/client.js";
import { BRIDGE_ERROR_CODES } from "../src/errors.js";
import { closedPortUrl } from "./support/cluster.js";

describe("createBridgeClient", () => {
  it("answers a bridge that is not there with 503 BRIDGE_UNREACHABLE, the cause in details, the token nowhere", async () => {
    const token = "client-test-token-4b1d9e";
    const client = createBridgeClient({ baseUrl: await closedPortUrl(), token });
    const { data, error, response } = await client.GET("/v1/templates");
    expect(data).toBeUndefined();
    expect(response.status).toBe(503);
    expect(error).toMatchObject({ code: "BRIDGE_UNREACHABLE", details: { cause: "ECONNREFUSED" } });
    expect(JSON.stringify(error)).not.toContain(token);
  });

  it("still rejects when the caller aborts", async () => {
    const client = createBridgeClient({ baseUrl: await closedPortUrl(), token: "t" });
    const controller = new AbortController();
    controller.abort(new Error("stop"));
    await expect(client.GET("/v1/templates", { signal: controller.signal })).rejects.toThrow("stop");
  });

  it("types error.code as the documented codes", () => {
    expectTypeOf<BridgeErrorCode>().toEqualTypeOf<(typeof BRIDGE_ERROR_CODES)[number]>();
  });
});
