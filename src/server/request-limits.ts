import type { Context, MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import { HttpProblem } from "./http-problem.js";
import type { RateLimiter } from "./rate-limiter.js";
import type { ServerAuth } from "./server-auth.js";

/** Rate limits, requests per minute (a sliding one-minute window). */
export interface RateLimits {
  /** For each API key (a key's own `requestsPerMinute` wins). */
  perKey: number;
  /** For each client address whose requests carry no valid key. */
  anonymous: number;
}

/**
 * Counts every request against its API key (`auth.identify`), else against the client's
 * address; past the limit, a 429 problem with `Retry-After` (in seconds). Requests with an
 * invalid key count against the address, so guessing keys is limited too.
 */
export function rateLimitMiddleware(
  auth: ServerAuth,
  limiter: RateLimiter,
  limits: RateLimits,
): MiddlewareHandler {
  return async (context, next) => {
    const principal = auth.identify?.(context.req.raw);
    const keyId = principal?.keyId;
    const address = keyId === undefined ? clientAddress(context) : undefined;
    const limit =
      keyId === undefined ? limits.anonymous : (principal?.requestsPerMinute ?? limits.perKey);
    const decision = await limiter.take(
      keyId === undefined ? `ip:${address}` : `key:${keyId}`,
      limit,
    );
    if (!decision.allowed) {
      const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
      const who = keyId === undefined ? `client address ${address}` : `API key "${keyId}"`;
      throw new HttpProblem(
        429,
        `The ${who} has made ${limit} requests in the last minute, its limit; retry after ${seconds} s.`,
        {
          extra: { limitPerMinute: limit, retryAfterSeconds: seconds },
          headers: { "retry-after": String(seconds) },
        },
      );
    }
    await next();
  };
}

/** The address of the connection (Node), or `unknown` (a request handed to `server.fetch`). */
function clientAddress(context: Context): string {
  const env = context.env as
    { incoming?: { socket?: { remoteAddress?: string } }; server?: unknown } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? "unknown";
}

/** Headers a browser may send and read across origins. */
const ALLOW_HEADERS = ["authorization", "content-type", "idempotency-key", "last-event-id"];
const EXPOSE_HEADERS = ["location", "retry-after", "www-authenticate"];

/**
 * CORS for the given origins (`*`: any). Preflight requests are answered here, before auth
 * and limits; credentials (cookies) are never allowed — keys travel in `Authorization`.
 */
export function corsMiddleware(origins: readonly string[]): MiddlewareHandler {
  return cors({
    origin: origins.includes("*") ? "*" : [...origins],
    allowMethods: ["GET", "POST", "PUT", "DELETE"],
    allowHeaders: ALLOW_HEADERS,
    exposeHeaders: EXPOSE_HEADERS,
    maxAge: 600,
  });
}
