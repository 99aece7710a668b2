import type { MiddlewareHandler } from "hono";
import { PROBLEM_CONTENT_TYPE } from "../http-problem.js";
import { openAIError, openAIErrorType } from "./openai-wire.js";

/**
 * Middleware of the `/v1/*` routes: their errors stay RFC 9457 problem documents like the rest
 * of the server, with one extension member, `error: { message, type, param, code }`, the shape
 * OpenAI clients read — so the `openai` client's error says the problem's `detail`, not
 * "404 status code (no body)". A member `error` given by the handler is kept.
 */
export function openAIErrorMember(): MiddlewareHandler {
  return async (context, next) => {
    await next();
    const response = context.res;
    if (response.ok || !response.headers.get("content-type")?.startsWith(PROBLEM_CONTENT_TYPE))
      return;
    const problem = (await response.clone().json()) as Record<string, unknown>;
    if (problem.error !== undefined) return;
    const code = typeof problem.code === "string" ? problem.code : null;
    const body = {
      ...problem,
      error: openAIError(String(problem.detail), openAIErrorType(response.status), code),
    };
    const headers = new Headers(response.headers);
    headers.delete("content-length");
    context.res = new Response(JSON.stringify(body), { status: response.status, headers });
  };
}
