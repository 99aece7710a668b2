import type { MiddlewareHandler } from "hono";
import type { Redis } from "ioredis";
import { ConfigError } from "../errors/config-error.js";
import type { Clock } from "../internal/clock.js";
import type { ApiKey } from "./api-keys.js";
import { keyAuth } from "./key-auth.js";
import { MemoryRateLimiter, type RateLimiter } from "./rate-limiter.js";
import { RedisRateLimiter } from "./redis-rate-limiter.js";
import { corsMiddleware, rateLimitMiddleware } from "./request-limits.js";
import { openAuth, type ServerAuth } from "./server-auth.js";

/** Options of a server's rate limits (a sliding one-minute window). */
export interface RateLimitOptions {
  /** Requests per minute of each API key; a key's own `requestsPerMinute` wins. Default 600. */
  requestsPerMinute?: number;
  /** Requests per minute of each client address without a valid key. Default `requestsPerMinute`. */
  anonymousPerMinute?: number;
  /**
   * Share the counts of every server through Redis: a `redis://` URL or an ioredis client.
   * Without it each process counts on its own. When Redis fails, requests are counted in
   * this process (one warning is logged) until it answers again.
   */
  redis?: string | Redis;
  /** Prefix of the Redis keys (default `"llmteam:rate:"`). */
  redisPrefix?: string;
}

/** Default of {@link RateLimitOptions.requestsPerMinute}. */
export const DEFAULT_REQUESTS_PER_MINUTE = 600;

/** What guards a server's requests: auth, and the middleware of CORS and rate limits. */
export interface ServerGuards {
  auth: ServerAuth;
  /** CORS (answers preflights; first of all middleware), when configured. */
  cors: MiddlewareHandler | undefined;
  /** Rate limits (before the body is read), when configured. */
  rateLimit: MiddlewareHandler | undefined;
  /** Closes the rate limiter (its Redis connection). */
  close(): Promise<void>;
}

/**
 * Builds auth, CORS and rate limits from a server's options.
 * @throws ConfigError for both `auth` and `apiKeys`, invalid keys, limits or origins.
 */
export async function serverGuards(
  options: {
    auth?: ServerAuth | undefined;
    apiKeys?: readonly ApiKey[] | undefined;
    rateLimit?: RateLimitOptions | undefined;
    cors?: { origins: readonly string[] } | undefined;
  },
  clock: Clock,
  log: (line: string) => void,
): Promise<ServerGuards> {
  if (options.auth && options.apiKeys) {
    throw new ConfigError(
      "createServer takes auth or apiKeys, not both: apiKeys builds the auth (keyAuth(apiKeys)).",
    );
  }
  const auth =
    options.auth ??
    (options.apiKeys && options.apiKeys.length > 0 ? keyAuth(options.apiKeys) : openAuth());
  const cors = options.cors ? corsMiddleware(checkOrigins(options.cors.origins)) : undefined;
  let rateLimit: MiddlewareHandler | undefined;
  let limiter: RateLimiter | undefined;
  if (options.rateLimit) {
    const { redis, redisPrefix } = options.rateLimit;
    const perKey = perMinute(
      options.rateLimit.requestsPerMinute ?? DEFAULT_REQUESTS_PER_MINUTE,
      "requestsPerMinute",
    );
    const anonymous = perMinute(
      options.rateLimit.anonymousPerMinute ?? perKey,
      "anonymousPerMinute",
    );
    const common = { clock, log, ...(redisPrefix === undefined ? {} : { prefix: redisPrefix }) };
    limiter =
      redis === undefined
        ? new MemoryRateLimiter(clock)
        : typeof redis === "string"
          ? await RedisRateLimiter.connect(redis, common)
          : new RedisRateLimiter({ ...common, client: redis });
    rateLimit = rateLimitMiddleware(auth, limiter, { perKey, anonymous });
  }
  return { auth, cors, rateLimit, close: async () => limiter?.close() };
}

function perMinute(value: number, name: string): number {
  if (Number.isInteger(value) && value > 0) return value;
  throw new ConfigError(
    `rateLimit.${name} must be a whole number of requests per minute, 1 or more (got ${value}); leave rateLimit out for no limit.`,
  );
}

/** Origins as browsers send them: `scheme://host[:port]`, or `*`. */
function checkOrigins(origins: readonly string[]): readonly string[] {
  for (const origin of origins) {
    if (origin === "*" || /^https?:\/\/[^/\s]+$/.test(origin)) continue;
    throw new ConfigError(
      `CORS origin "${origin}" is not an origin: give scheme://host[:port] without a path (e.g. https://app.example.com), or * for any.`,
    );
  }
  if (origins.length === 0) {
    throw new ConfigError("cors.origins is empty: name the origins, or leave cors out (CORS off).");
  }
  return origins;
}
