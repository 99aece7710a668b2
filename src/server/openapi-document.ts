import { z } from "zod";
import type { ApiRoute } from "./api-route.js";

const PROBLEM_SCHEMA = {
  type: "object",
  description: "An RFC 9457 problem document.",
  properties: {
    type: { type: "string" },
    title: { type: "string" },
    status: { type: "integer" },
    detail: { type: "string", description: "What is wrong and what is valid." },
    issues: { type: "array", items: { type: "object" } },
  },
  required: ["type", "title", "status", "detail"],
};

function jsonSchema(schema: z.ZodType, io: "input" | "output" = "input"): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" });
  return rest;
}

/** `/runs/:runId` → `/runs/{runId}`. */
function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z_]\w*)/g, "{$1}");
}

function parameters(route: ApiRoute): Record<string, unknown>[] {
  const inPath = [...route.path.matchAll(/:([A-Za-z_]\w*)/g)].map((match) => ({
    name: match[1],
    in: "path",
    required: true,
    schema: { type: "string" },
  }));
  const query = route.query ? jsonSchema(route.query) : undefined;
  const properties = (query?.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = new Set((query?.required ?? []) as string[]);
  const inQuery = Object.entries(properties).map(([name, schema]) => ({
    name,
    in: "query",
    required: required.has(name),
    schema,
  }));
  return [...inPath, ...inQuery];
}

function operation(route: ApiRoute): Record<string, unknown> {
  const responses: Record<string, unknown> = {};
  for (const [status, response] of Object.entries(route.responses)) {
    const contentType =
      response.contentType ??
      (Number(status) >= 400 ? "application/problem+json" : "application/json");
    const schema =
      Number(status) >= 400
        ? { $ref: "#/components/schemas/Problem" }
        : response.schema
          ? jsonSchema(response.schema, "output")
          : {};
    responses[status] =
      Number(status) === 204
        ? { description: response.description }
        : { description: response.description, content: { [contentType]: { schema } } };
  }
  responses.default = {
    description:
      "A problem (RFC 9457): bad input 400/422, auth 401/403, unknown ids 404, conflicts 409, limits 413/429.",
    content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
  };
  return {
    summary: route.summary,
    tags: [route.tag],
    operationId: `${route.method.toLowerCase()}${route.path.replace(/[/:](\w)/g, (_match, letter: string) => letter.toUpperCase()).replace(/\W/g, "")}`,
    ...(route.scope === "public" ? { security: [] } : { "x-llmteam-scope": route.scope }),
    parameters: parameters(route),
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: { "application/json": { schema: jsonSchema(route.body) } },
          },
        }
      : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document of the routes, generated from their zod schemas. */
export function openApiDocument(
  routes: readonly ApiRoute[],
  version: string,
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = openApiPath(route.path);
    (paths[path] ??= {})[route.method.toLowerCase()] = operation(route);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "llmteam server",
      version,
      description:
        "Teams of LLM agents over HTTP: runs, Server-Sent Events, approvals, cost (docs/server.md).",
    },
    paths,
    components: {
      schemas: { Problem: PROBLEM_SCHEMA },
      securitySchemes: {
        apiKey: {
          type: "http",
          scheme: "bearer",
          description: "An API key: Authorization: Bearer <key>.",
        },
      },
    },
    security: [{ apiKey: [] }],
  };
}
