import { defineRoute, type ApiRoute } from "../api-route.js";
import { openApiDocument } from "../openapi-document.js";

/** The package version the server reports. */
export const SERVER_VERSION = "0.1.0";

/** `/health` and `/openapi.json`. `all` is every route of the server, for the document. */
export function systemRoutes(all: () => readonly ApiRoute[]): ApiRoute[] {
  let document: Record<string, unknown> | undefined;
  return [
    defineRoute({
      method: "GET",
      path: "/health",
      summary:
        "Liveness: 200 while the server takes runs; 503 once it is shutting down (a load balancer stops sending it work).",
      tag: "system",
      scope: "public",
      responses: {
        200: { description: "{ status, version, liveRuns }" },
        503: { description: '{ status: "shutting_down", ... }' },
      },
      handle: ({ server, context }) => {
        const taking = server.runs.takingRuns;
        return context.json(
          {
            status: taking ? "ok" : "shutting_down",
            version: SERVER_VERSION,
            liveRuns: server.runs.size,
          },
          taking ? 200 : 503,
        );
      },
    }),
    defineRoute({
      method: "GET",
      path: "/openapi.json",
      summary:
        "This API's OpenAPI 3.1 document, generated from the same zod schemas that validate requests.",
      tag: "system",
      scope: "public",
      responses: { 200: { description: "The OpenAPI document." } },
      handle: ({ context }) => context.json((document ??= openApiDocument(all(), SERVER_VERSION))),
    }),
  ] as ApiRoute[];
}
