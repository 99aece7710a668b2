import type { Redis, RedisOptions } from "ioredis";
import { BudgetStoreError } from "../errors/budget-store-error.js";
import type {
  BudgetReleaseRequest,
  BudgetReserveRequest,
  BudgetReserveResult,
  BudgetSettleRequest,
  BudgetStore,
  BudgetUsageRequest,
  BudgetWindowUsage,
} from "./budget-store.js";

/** Options of {@link RedisBudgetStore}. */
export interface RedisBudgetStoreOptions {
  /** A connected ioredis client. The store does not close it unless it created it. */
  client: Redis;
  /** Prefix of every key the store writes. Default `"llmteam:budget:"`. */
  prefix?: string;
  /**
   * Longest wait for one store operation (and for `connect`), in ms. Past it the operation
   * fails with {@link BudgetStoreError} instead of waiting out the client's reconnect retries.
   * Default {@link DEFAULT_REDIS_COMMAND_TIMEOUT_MS}.
   */
  commandTimeoutMs?: number;
}

/** Default of {@link RedisBudgetStoreOptions.commandTimeoutMs}: 2 s. */
export const DEFAULT_REDIS_COMMAND_TIMEOUT_MS = 2_000;

// Lua numbers are doubles: exact for integers below 2^53 nano-dollars (~$9M). Amounts are
// stored from the argument strings, never re-formatted by Lua (which would print 1e+15).
const COMMON = `
local spentKey, holdsKey, expiryKey, settledKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local function dropExpired(now)
  local expired = redis.call('ZRANGEBYSCORE', expiryKey, '-inf', now)
  for i = 1, #expired do
    redis.call('HDEL', holdsKey, expired[i])
    redis.call('ZREM', expiryKey, expired[i])
  end
end
local function windowSpend(windowStart, prune)
  local total = 0
  local fields = redis.call('HGETALL', spentKey)
  for i = 1, #fields, 2 do
    if tonumber(fields[i]) >= windowStart then
      total = total + tonumber(fields[i + 1])
    elseif prune then
      redis.call('HDEL', spentKey, fields[i])
    end
  end
  return total
end
local function reserved()
  local total = 0
  local values = redis.call('HVALS', holdsKey)
  for i = 1, #values do total = total + tonumber(string.match(values[i], '^(-?%d+)')) end
  return total
end
`;

// ARGV: id, amount, limit, hard, bucket, windowStart, now, expiresAt, bucketTtlMs
const RESERVE = `${COMMON}
dropExpired(tonumber(ARGV[7]))
local spent = windowSpend(tonumber(ARGV[6]), true)
local held = reserved()
if ARGV[4] == '1' and spent + held + tonumber(ARGV[2]) > tonumber(ARGV[3]) then
  return {0, spent, held}
end
redis.call('HSET', holdsKey, ARGV[1], ARGV[2] .. ':' .. ARGV[5])
redis.call('ZADD', expiryKey, ARGV[8], ARGV[1])
local ttl = tonumber(ARGV[9])
if redis.call('PTTL', spentKey) < ttl then redis.call('PEXPIRE', spentKey, ttl) end
redis.call('PEXPIRE', holdsKey, ttl)
redis.call('PEXPIRE', expiryKey, ttl)
return {1, spent, held}
`;

// ARGV: id, actual, fallbackBucket, windowStart, now, bucketTtlMs
// A settled hold's id stays in settledKey until the hold would have expired, so a settle
// repeated after a timeout (it may have run after all) counts once.
const SETTLE = `${COMMON}
local bucket = ARGV[3]
redis.call('ZREMRANGEBYSCORE', settledKey, '-inf', ARGV[5])
if redis.call('ZSCORE', settledKey, ARGV[1]) then
  dropExpired(tonumber(ARGV[5]))
  return {windowSpend(tonumber(ARGV[4]), false), reserved()}
end
local hold = redis.call('HGET', holdsKey, ARGV[1])
if hold then
  bucket = string.match(hold, ':(.+)$')
  local expiresAt = redis.call('ZSCORE', expiryKey, ARGV[1])
  redis.call('HDEL', holdsKey, ARGV[1])
  redis.call('ZREM', expiryKey, ARGV[1])
  if expiresAt then
    redis.call('ZADD', settledKey, expiresAt, ARGV[1])
    if redis.call('PTTL', settledKey) < tonumber(ARGV[6]) then redis.call('PEXPIRE', settledKey, ARGV[6]) end
  end
end
if ARGV[2] ~= '0' then
  redis.call('HINCRBY', spentKey, bucket, ARGV[2])
  local ttl = tonumber(ARGV[6])
  if redis.call('PTTL', spentKey) < ttl then redis.call('PEXPIRE', spentKey, ttl) end
end
dropExpired(tonumber(ARGV[5]))
return {windowSpend(tonumber(ARGV[4]), false), reserved()}
`;

// ARGV: windowStart, now
const USAGE = `${COMMON}
dropExpired(tonumber(ARGV[2]))
return {windowSpend(tonumber(ARGV[1]), false), reserved()}
`;

/**
 * A {@link BudgetStore} in Redis, so processes and machines share one budget. Every operation
 * is one Lua script, atomic in Redis: two processes never both take the last room. Keys of one
 * budget share a hash tag (`{key}`), so they live on one Redis Cluster slot. Spend expires by
 * itself once out of every window.
 *
 * Outages: every operation waits at most `commandTimeoutMs` (and stops when the request's
 * `signal` aborts), then fails with {@link BudgetStoreError}; the client's `error` events are
 * listened to (no "Unhandled error event" output) and the last one is named in that error. A
 * `reserve` given up on is released once the connection is back, and a `settle` repeated
 * before its hold expires counts once.
 *
 * @example
 * import Redis from "ioredis";
 * const store = new RedisBudgetStore({ client: new Redis("redis://127.0.0.1:6379") });
 * // or: const store = await RedisBudgetStore.connect("redis://127.0.0.1:6379");
 */
export class RedisBudgetStore implements BudgetStore {
  private readonly client: Redis;
  private readonly prefix: string;
  private readonly ownsClient: boolean;
  private readonly hashes = new Map<string, string>();
  private readonly commandTimeoutMs: number;
  private lastError: Error | undefined;
  private readonly onError = (error: Error): void => {
    this.lastError = error;
  };

  constructor(options: RedisBudgetStoreOptions, ownsClient = false) {
    this.client = options.client;
    this.prefix = options.prefix ?? "llmteam:budget:";
    this.ownsClient = ownsClient;
    this.commandTimeoutMs = options.commandTimeoutMs ?? DEFAULT_REDIS_COMMAND_TIMEOUT_MS;
    this.client.on("error", this.onError);
  }

  /**
   * Connects a new ioredis client (loaded only now) and returns a store that closes it on `close()`.
   * @example const store = await RedisBudgetStore.connect("redis://127.0.0.1:6379");
   */
  static async connect(
    url: string,
    options: Omit<RedisBudgetStoreOptions, "client"> & { redis?: RedisOptions } = {},
  ): Promise<RedisBudgetStore> {
    const { Redis: RedisClient } = await import("ioredis");
    const { redis, ...storeOptions } = options;
    const client = new RedisClient(url, { lazyConnect: true, ...redis });
    const store = new RedisBudgetStore({ ...storeOptions, client }, true);
    try {
      await store.bounded("connect", client.connect());
    } catch (error) {
      client.disconnect();
      client.off("error", store.onError);
      throw error;
    }
    return store;
  }

  async reserve(request: BudgetReserveRequest): Promise<BudgetReserveResult> {
    const reserving = this.run(RESERVE, request.key, [
      request.reservationId,
      integer(request.amountNano),
      integer(request.limitNano),
      request.hardLimit ? "1" : "0",
      integer(request.bucketStartMs),
      integer(request.windowStartMs),
      integer(request.nowMs),
      integer(request.expiresAtMs),
      integer(Math.max(1, request.bucketExpiresAtMs - request.nowMs)),
    ]);
    let reply: unknown;
    try {
      reply = await this.bounded("reserve", reserving, request.signal);
    } catch (error) {
      // The script may still run once the connection is back: a release queued after it undoes it.
      this.release({ key: request.key, reservationId: request.reservationId }).catch(() => {});
      throw error;
    }
    const [granted, spent, held] = reply as [number, number, number];
    return { granted: granted === 1, spentNano: spent, reservedNano: held };
  }

  async settle(request: BudgetSettleRequest): Promise<BudgetWindowUsage> {
    const settling = this.run(SETTLE, request.key, [
      request.reservationId,
      integer(request.actualNano),
      integer(request.bucketStartMs),
      integer(request.windowStartMs),
      integer(request.nowMs),
      integer(Math.max(1, request.bucketExpiresAtMs - request.nowMs)),
    ]);
    const [spent, held] = (await this.bounded("settle", settling, request.signal)) as [
      number,
      number,
    ];
    return { spentNano: spent, reservedNano: held };
  }

  async release(request: BudgetReleaseRequest): Promise<void> {
    const [, holdsKey, expiryKey] = this.keysOf(request.key);
    await this.bounded(
      "release",
      this.client
        .multi()
        .hdel(holdsKey, request.reservationId)
        .zrem(expiryKey, request.reservationId)
        .exec(),
      request.signal,
    );
  }

  async usage(request: BudgetUsageRequest): Promise<BudgetWindowUsage> {
    const reading = this.run(USAGE, request.key, [
      integer(request.windowStartMs),
      integer(request.nowMs),
    ]);
    const [spent, held] = (await this.bounded("usage", reading, request.signal)) as [
      number,
      number,
    ];
    return { spentNano: spent, reservedNano: held };
  }

  async close(): Promise<void> {
    if (this.ownsClient) {
      await this.bounded("close", this.client.quit()).catch(() => this.client.disconnect());
    }
    this.client.off("error", this.onError);
  }

  private lastErrorText(): string {
    return this.lastError ? ` Last connection error: ${this.lastError.message}.` : "";
  }

  /**
   * Waits for `command` at most `commandTimeoutMs` and until `signal` aborts. A command given
   * up on keeps its place in the client's queue; its outcome is ignored.
   */
  private bounded<T>(operation: string, command: Promise<T>, signal?: AbortSignal): Promise<T> {
    command.catch(() => {});
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal!.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        reject(
          new BudgetStoreError(
            `Redis budget store: no answer to ${operation} within ${this.commandTimeoutMs} ms (commandTimeoutMs).${this.lastErrorText()}`,
            { operation, timeoutMs: this.commandTimeoutMs, cause: this.lastError },
          ),
        );
      }, this.commandTimeoutMs);
      signal?.addEventListener("abort", onAbort, { once: true });
      command.then(
        (value) => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", onAbort);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", onAbort);
          reject(
            new BudgetStoreError(
              `Redis budget store: ${operation} failed: ${error instanceof Error ? error.message : String(error)}.${this.lastErrorText()}`,
              { operation, cause: error },
            ),
          );
        },
      );
    });
  }

  private keysOf(key: string): [string, string, string, string] {
    const base = `${this.prefix}{${key}}`;
    return [`${base}:spent`, `${base}:holds`, `${base}:expiry`, `${base}:settled`];
  }

  /** EVALSHA, loading the script on first use and again after a Redis restart (NOSCRIPT). */
  private async run(script: string, key: string, args: string[]): Promise<unknown> {
    const keys = this.keysOf(key);
    let sha = this.hashes.get(script);
    if (sha === undefined) {
      sha = (await this.client.script("LOAD", script)) as string;
      this.hashes.set(script, sha);
    }
    try {
      return await this.client.evalsha(sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
      this.hashes.delete(script);
      return this.client.eval(script, keys.length, ...keys, ...args);
    }
  }
}

/** An integer as the decimal string Redis and Lua read exactly. */
function integer(value: number): string {
  if (!Number.isSafeInteger(value)) throw new RangeError(`Expected a safe integer, got ${value}.`);
  return String(value);
}
