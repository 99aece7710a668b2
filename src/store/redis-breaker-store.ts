import type { Redis } from "ioredis";
import { BreakerStoreError } from "../errors/breaker-store-error.js";
import type { BreakerState, BreakerStore, BreakerUpdate } from "./breaker-store.js";

/** Options of {@link RedisBreakerStore}. */
export interface RedisBreakerStoreOptions {
  /** A connected ioredis client. The store never closes it. */
  client: Redis;
  /** Prefix of every key the store writes. Default `"llmteam:breaker:"`. */
  prefix?: string;
  /**
   * Longest wait for one Redis command, in ms; past it the update fails with
   * {@link BreakerStoreError}. Default 2,000.
   */
  commandTimeoutMs?: number;
  /** A breaker not changed for this long is forgotten (closed), in seconds. Default one day. */
  ttlSeconds?: number;
}

/** Times an update is tried again after another process changed the breaker in between. */
const MAX_CONFLICTS = 100;

// Replaces the state only if it is still what the caller read (ARGV[1], '' for none).
// ARGV[2]: the new state ('' deletes it), ARGV[3]: its time to live in seconds.
const COMPARE_AND_SET = `
local current = redis.call('GET', KEYS[1]) or ''
if current ~= ARGV[1] then return 0 end
if ARGV[2] == '' then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], ARGV[2], 'EX', tonumber(ARGV[3]))
end
return 1
`;

/**
 * A {@link BreakerStore} in Redis, so that every process of a fleet shares its circuit breakers:
 * an outage seen by one worker opens the breaker for all of them, and while half-open exactly
 * one probe is in flight across the fleet. Each update reads the state, applies the breaker's
 * (pure) update, and writes it back with an atomic compare-and-set script: when another
 * process changed it in between, the update is read and applied again. A closed breaker with
 * nothing to remember is no key at all, so a healthy call costs two reads and no write.
 *
 * Fails closed: a Redis that does not answer within `commandTimeoutMs` fails the call with
 * {@link BreakerStoreError} (not retried, not counted against the model).
 *
 * @example
 * import { Redis } from "ioredis";
 * const breakerStore = new RedisBreakerStore({ client: new Redis("redis://127.0.0.1:6379") });
 * const team = new LLMTeam({ teamId: "support", circuitBreaker: { scope: "model" }, breakerStore });
 */
export class RedisBreakerStore implements BreakerStore {
  private readonly client: Redis;
  private readonly prefix: string;
  private readonly commandTimeoutMs: number;
  private readonly ttlSeconds: number;
  private sha: string | undefined;

  constructor(options: RedisBreakerStoreOptions) {
    this.client = options.client;
    this.prefix = options.prefix ?? "llmteam:breaker:";
    this.commandTimeoutMs = options.commandTimeoutMs ?? 2_000;
    this.ttlSeconds = options.ttlSeconds ?? 24 * 3600;
  }

  async update<T>(key: string, update: BreakerUpdate<T>): Promise<T> {
    const redisKey = this.prefix + key;
    for (let attempt = 0; attempt < MAX_CONFLICTS; attempt++) {
      const raw = await this.bounded("update", key, this.client.get(redisKey));
      const { state, result } = update(raw === null ? undefined : parseState(raw));
      const next = isPristine(state) ? null : JSON.stringify(state);
      if (next === raw) return result;
      const swapped = await this.bounded(
        "update",
        key,
        this.compareAndSet(redisKey, raw ?? "", next ?? ""),
      );
      if (swapped === 1) return result;
    }
    throw new BreakerStoreError(
      `Redis breaker store: the breaker "${key}" changed under ${MAX_CONFLICTS} updates in a row; giving up.`,
      { operation: "update", key },
    );
  }

  async get(key: string): Promise<BreakerState | undefined> {
    const raw = await this.bounded("get", key, this.client.get(this.prefix + key));
    return raw === null ? undefined : parseState(raw);
  }

  async delete(key: string): Promise<void> {
    await this.bounded("delete", key, this.client.del(this.prefix + key));
  }

  /** EVALSHA of the compare-and-set script, loading it on first use and after a Redis restart. */
  private async compareAndSet(redisKey: string, expected: string, next: string): Promise<number> {
    const args = [expected, next, String(this.ttlSeconds)];
    this.sha ??= (await this.client.script("LOAD", COMPARE_AND_SET)) as string;
    try {
      return (await this.client.evalsha(this.sha, 1, redisKey, ...args)) as number;
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
      this.sha = undefined;
      return (await this.client.eval(COMPARE_AND_SET, 1, redisKey, ...args)) as number;
    }
  }

  /** Waits for `command` at most `commandTimeoutMs`; failures become {@link BreakerStoreError}. */
  private bounded<T>(operation: string, key: string, command: Promise<T>): Promise<T> {
    command.catch(() => undefined);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new BreakerStoreError(
              `Redis breaker store: no answer to ${operation} of "${key}" within ${this.commandTimeoutMs} ms (commandTimeoutMs).`,
              { operation, key, timeoutMs: this.commandTimeoutMs },
            ),
          ),
        this.commandTimeoutMs,
      );
      command.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(
            new BreakerStoreError(
              `Redis breaker store: ${operation} of "${key}" failed: ${error instanceof Error ? error.message : String(error)}.`,
              { operation, key, cause: error },
            ),
          );
        },
      );
    });
  }
}

/** A closed breaker that remembers nothing: the same as no state at all. */
function isPristine(state: BreakerState): boolean {
  return (
    state.state === "closed" &&
    state.failureTimesMs.length === 0 &&
    state.halfOpenSuccesses === 0 &&
    state.probeId === undefined
  );
}

function parseState(raw: string): BreakerState {
  return JSON.parse(raw) as BreakerState;
}
