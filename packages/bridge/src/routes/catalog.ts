/** The shipped request templates and the macro catalog, for 1C's template editor. */
import { macroCatalog, templates } from "@sreda/sdk";
import type { BridgeRouter } from "./deps.js";

export function catalogRoutes(router: BridgeRouter): void {
  router.get("/v1/templates", (ctx) => {
    ctx.body = { templates };
  });
  router.get("/v1/macros", (ctx) => {
    ctx.body = { macros: macroCatalog };
  });
}
