/**
 * msw handlers that route every request under a base URL to the fake cluster. msw is an optional peer
 * dependency: it is loaded only when `mswHandlers()` is called, so users who inject `fetch` need not install it.
 */
import { createRequire } from "node:module";
import type { HttpHandler } from "msw";
import { isDroppedConnection } from "./faults.js";

type Msw = typeof import("msw");

function loadMsw(): Msw {
  // The ESM build has import.meta.url and makes a require from it (Node ≥ 20.19 can require ESM-only msw 3);
  // the CommonJS build (where bundlers leave import.meta empty) has a real `require`.
  const here: string | undefined = import.meta.url;
  const load = here ? createRequire(here) : require;
  return load("msw") as Msw;
}

export function createMswHandlers(handle: (request: Request) => Promise<Response>, baseUrl: string): HttpHandler[] {
  const { http, HttpResponse } = loadMsw();
  const base = baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`;
  return [
    http.all(`${base}*`, async ({ request }) => {
      try {
        return await handle(request);
      } catch (error) {
        // A dropped connection: msw's network error makes fetch reject with a TypeError, like undici.
        if (isDroppedConnection(error)) return HttpResponse.error();
        throw error;
      }
    }),
  ];
}
