/**
 * `@sreda/sdk/testing/msw`: msw handlers that route every request under a base URL to a fake cluster. msw is an
 * optional peer dependency, imported only by this entry: `@sreda/sdk/testing` and its types do not need it.
 *
 *   const server = setupServer(...mswHandlers(cluster, "https://rancher.example/k8s/clusters/c-m4hlh/"));
 */
import { http, HttpResponse, type HttpHandler } from "msw";
import { isDroppedConnection } from "./faults.js";

export function mswHandlers(cluster: { fetch(request: Request): Promise<Response> }, baseUrl: string): HttpHandler[] {
  const base = baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`;
  return [
    http.all(`${base}*`, async ({ request }) => {
      try {
        return await cluster.fetch(request);
      } catch (error) {
        // A dropped connection: msw's network error makes fetch reject with a TypeError, like undici.
        if (isDroppedConnection(error)) return HttpResponse.error();
        throw error;
      }
    }),
  ];
}
