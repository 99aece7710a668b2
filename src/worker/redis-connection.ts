import { Redis } from "ioredis";
import { QueueError } from "../errors/queue-error.js";

/** Where Redis is: a `redis://` (or `rediss://`) URL, or a ready ioredis client. */
export type RedisSpec = string | Redis;

/** Default wait for Redis to answer at start: 5 s. */
export const DEFAULT_REDIS_CONNECT_TIMEOUT_MS = 5_000;

/** A Redis client for BullMQ, and whether it was made here (then it is closed here too). */
export interface RedisConnection {
  client: Redis;
  /** The server as `redis://host:port/db`, without a password. */
  url: string;
  owned: boolean;
}

/**
 * Connects to Redis and checks it answers, within `timeoutMs`. A URL gets a client made for
 * BullMQ (`maxRetriesPerRequest: null`: commands wait for a reconnect instead of failing, so a
 * worker pauses through an outage); a client given is used as it is and never closed here.
 * @throws QueueError naming the server (without its password) when it cannot be reached.
 */
export async function connectRedis(
  spec: RedisSpec,
  timeoutMs = DEFAULT_REDIS_CONNECT_TIMEOUT_MS,
): Promise<RedisConnection> {
  if (typeof spec !== "string") {
    return { client: spec, url: describeClient(spec), owned: false };
  }
  const url = redactRedisUrl(spec);
  if (!/^rediss?:\/\//i.test(spec)) {
    throw new QueueError(
      `"${url}" is not a Redis URL. Give one like redis://127.0.0.1:6379 (or rediss:// for TLS).`,
      { operation: "connect", url },
    );
  }
  const client = new Redis(spec, {
    lazyConnect: true,
    maxRetriesPerRequest: null,
    // Reconnect every 0.1-2 s for as long as it takes: a worker outlives a Redis restart.
    retryStrategy: (times) => Math.min(times * 100, 2_000),
  });
  let lastError: Error | undefined;
  const onError = (error: Error): void => {
    lastError = error;
  };
  client.on("error", onError);
  try {
    await withTimeout(
      (async () => {
        await client.connect();
        await client.ping();
      })(),
      timeoutMs,
    );
  } catch (error) {
    client.disconnect();
    const reason = (lastError ?? (error as Error)).message;
    throw new QueueError(
      `Cannot reach Redis at ${url} (connect): ${reason}. Start Redis, or point --redis / $LLMTEAM_REDIS_URL at a running server.`,
      { operation: "connect", url, cause: lastError ?? error },
    );
  } finally {
    client.off("error", onError);
  }
  return { client, url, owned: true };
}

/** A Redis URL without its password: `redis://user@host:6379/0`. */
export function redactRedisUrl(spec: string): string {
  try {
    const url = new URL(spec);
    url.password = "";
    return url.toString().replace(/\/$/, "");
  } catch {
    return spec.replace(/:[^:@/]*@/, "@");
  }
}

function describeClient(client: Redis): string {
  const { host, port, db } = client.options;
  return `redis://${host ?? "127.0.0.1"}:${port ?? 6379}${db ? `/${db}` : ""}`;
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  promise.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
