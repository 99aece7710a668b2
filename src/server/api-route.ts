import type { Context, Hono } from "hono";
import { z } from "zod";
import { formatConfigIssue } from "../errors/config-error.js";
import { toConfigIssues } from "../config/zod-issues.js";
import { HttpProblem } from "./http-problem.js";
import type { Principal, Scope } from "./server-auth.js";
import type { ServerContext } from "./server-context.js";

/** One documented response of a route, for the OpenAPI document. */
export interface ApiResponse {
  description: string;
  /** The body's schema (JSON) — omitted for bodies without a fixed shape. */
  schema?: z.ZodType;
  /** Default `application/json`. */
  contentType?: string;
}

/** What a route handler is given: the validated request and the server. */
export interface ApiRequest<TBody = unknown, TQuery = unknown> {
  context: Context;
  params: Record<string, string>;
  body: TBody;
  query: TQuery;
  principal: Principal;
  server: ServerContext;
}

/**
 * One route of the API, declared as data: method, path, required scope, the zod schemas of
 * its body and query (validated before the handler runs; also the OpenAPI document's source)
 * and the handler.
 */
export interface ApiRoute<TBody = unknown, TQuery = unknown> {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** hono path syntax: `/runs/:runId`. */
  path: string;
  /** One line for the OpenAPI document. */
  summary: string;
  tag: string;
  /** The scope a key needs; `public` routes need no key (health, the viewer's files). */
  scope: Scope | "public";
  /** The team a request is about, checked against a key's team allow-list. */
  teamOf?: (request: {
    params: Record<string, string>;
    server: ServerContext;
  }) => string | undefined | Promise<string | undefined>;
  body?: z.ZodType<TBody>;
  query?: z.ZodType<TQuery>;
  responses: Record<number, ApiResponse>;
  handle(request: ApiRequest<TBody, TQuery>): Response | Promise<Response>;
}

/** Declares a route (the identity, typed: body and query types follow their schemas). */
export function defineRoute<TBody = undefined, TQuery = Record<string, never>>(
  route: ApiRoute<TBody, TQuery>,
): ApiRoute<TBody, TQuery> {
  return route;
}

/** Registers routes on a hono app: authorize, validate the query and body, then handle. */
export function mountRoutes(app: Hono, routes: readonly ApiRoute[], server: ServerContext): void {
  for (const route of routes) {
    app.on(route.method, route.path, async (context) => {
      const params = context.req.param() as Record<string, string>;
      const principal = await server.auth.authorize(context.req.raw, route.scope, async () =>
        route.teamOf ? route.teamOf({ params, server }) : undefined,
      );
      const query = route.query ? parseQuery(route.query, context) : {};
      const body = route.body ? await parseBody(route.body, context) : undefined;
      return route.handle({ context, params, body, query, principal, server });
    });
  }
}

function parseQuery(schema: z.ZodType, context: Context): unknown {
  const parsed = schema.safeParse(context.req.query());
  if (parsed.success) return parsed.data;
  throw invalid("query", parsed.error);
}

async function parseBody(schema: z.ZodType, context: Context): Promise<unknown> {
  const type = context.req.header("content-type") ?? "";
  if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(type)) {
    throw new HttpProblem(
      415,
      `The request body must be JSON: send the header "content-type: application/json"${type ? `, not "${type}"` : ""}.`,
    );
  }
  const text = await context.req.text();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new HttpProblem(400, `The request body is not valid JSON: ${(error as Error).message}.`);
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw invalid("body", parsed.error);
}

/** A 422 naming every invalid field, with zod's issues as `issues`. */
function invalid(where: "body" | "query", error: z.ZodError): HttpProblem {
  const issues = toConfigIssues(error);
  const lines = issues.map((issue) => formatConfigIssue(issue));
  const detail =
    lines.length === 1
      ? `Invalid request ${where}: ${lines[0]}`
      : `Invalid request ${where} (${lines.length} problems): ${lines.join("; ")}`;
  return new HttpProblem(422, detail, { extra: { issues } });
}
