import type { Redis } from "ioredis";
import type { Clock } from "../internal/clock.js";
import {
  decide,
  MemoryRateLimiter,
  RATE_WINDOW_MS,
  windowAt,
  type RateDecision,
  type RateLimiter,
} from "./rate-limiter.js";

/** Options of {@link RedisRateLimiter}. */
export interface RedisRateLimiterOptions {
  /**
   * A connected ioredis client, best made with `enableOfflineQueue: false` and a
   * `commandTimeout` so a Redis outage fails a request's count at once. The limiter closes it
   * only when it made it (`RedisRateLimiter.connect`).
   */
  client: Redis;
  /** Prefix of every key (default `"llmteam:rate:"`). */
  prefix?: string;
  /** Where warnings go: Redis failing, and Redis back (default: nowhere). */
  log?: (line: string) => void;
  clock: Pick<Clock, "now">;
}

/** Default of `commandTimeoutMs` of {@link RedisRateLimiter.connect}: 500 ms. */
export const DEFAULT_RATE_LIMIT_REDIS_TIMEOUT_MS = 500;

/** After Redis failed, requests are counted in memory for this long before Redis is tried again. */
const RETRY_REDIS_AFTER_MS = 2_000;

// KEYS: this window's count, the previous window's. ARGV: limit, the part of the previous
// window still in the last minute (ms), the window (ms). Whole numbers scaled by the window,
// as decide() computes. Counts only an allowed request; returns {allowed, current, previous}.
const TAKE = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local previous = tonumber(redis.call('GET', KEYS[2]) or '0')
local window = tonumber(ARGV[3])
if previous * tonumber(ARGV[2]) + (current + 1) * window > tonumber(ARGV[1]) * window then
  return {0, current, previous}
end
redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], 2 * window)
return {1, current, previous}
`;

/**
 * A {@link RateLimiter} whose counts live in Redis, so every server sharing the Redis shares
 * each key's limit. One Lua script per request (read both windows, count when allowed), atomic
 * in Redis. The two keys of a bucket share a hash tag (one Redis Cluster slot) and expire by
 * themselves after two minutes.
 *
 * When Redis fails (down, unreachable, no answer within the command timeout) the request is
 * counted in this process instead — each server then limits on its own, so a key may get up
 * to its limit from each server — and one warning is logged; one more when Redis answers again.
 * While it fails, Redis is tried again every 2 s (other requests do not wait for it).
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly client: Redis;
  private readonly prefix: string;
  private readonly log: (line: string) => void;
  private readonly clock: Pick<Clock, "now">;
  private readonly fallback: MemoryRateLimiter;
  private readonly ownsClient: boolean;
  private failing = false;
  private retryRedisAt = 0;
  private readonly onError = (): void => undefined;

  constructor(options: RedisRateLimiterOptions, ownsClient = false) {
    this.client = options.client;
    this.prefix = options.prefix ?? "llmteam:rate:";
    this.log = options.log ?? (() => undefined);
    this.clock = options.clock;
    this.fallback = new MemoryRateLimiter(options.clock);
    this.ownsClient = ownsClient;
    // Connection errors are reported by the commands that fail; without a listener ioredis
    // would print "Unhandled error event" on every reconnect attempt.
    this.client.on("error", this.onError);
  }

  /**
   * Connects a new ioredis client (loaded only now) that fails commands at once while
   * disconnected. A Redis that cannot be reached now is not an error: the limiter counts in
   * this process (with a warning) until it can.
   */
  static async connect(
    url: string,
    options: Omit<RedisRateLimiterOptions, "client"> & { commandTimeoutMs?: number },
  ): Promise<RedisRateLimiter> {
    const { Redis: RedisClient } = await import("ioredis");
    const timeout = options.commandTimeoutMs ?? DEFAULT_RATE_LIMIT_REDIS_TIMEOUT_MS;
    const client = new RedisClient(url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      commandTimeout: timeout,
      connectTimeout: Math.max(timeout, 1_000),
      maxRetriesPerRequest: 0,
    });
    const limiter = new RedisRateLimiter({ ...options, client }, true);
    await client.connect().catch((error: unknown) => limiter.failed(error));
    return limiter;
  }

  async take(bucket: string, limitPerMinute: number): Promise<RateDecision> {
    const { index, elapsedMs } = windowAt(this.clock.now());
    if (this.failing && this.clock.now() < this.retryRedisAt) {
      return this.fallback.takeNow(bucket, limitPerMinute);
    }
    const keys = [`${this.prefix}{${bucket}}:${index}`, `${this.prefix}{${bucket}}:${index - 1}`];
    let reply: [number, number, number];
    try {
      reply = (await this.client.eval(
        TAKE,
        2,
        ...keys,
        String(limitPerMinute),
        String(RATE_WINDOW_MS - elapsedMs),
        String(RATE_WINDOW_MS),
      )) as [number, number, number];
    } catch (error) {
      this.failed(error);
      return this.fallback.takeNow(bucket, limitPerMinute);
    }
    if (this.failing) {
      this.failing = false;
      this.log("llmteam serve: Redis answers again; rate limits are shared through it again.");
    }
    const [, current, previous] = reply;
    return decide({ current, previous }, limitPerMinute, elapsedMs);
  }

  async close(): Promise<void> {
    if (this.ownsClient) {
      await this.client.quit().catch(() => this.client.disconnect());
    }
    this.client.off("error", this.onError);
    await this.fallback.close();
  }

  private failed(error: unknown): void {
    this.retryRedisAt = this.clock.now() + RETRY_REDIS_AFTER_MS;
    if (this.failing) return;
    this.failing = true;
    const reason = error instanceof Error ? error.message : String(error);
    this.log(
      `llmteam serve: warning: rate limiting through Redis failed (${reason}); counting requests in this process until Redis answers again.`,
    );
  }
}
