import { Queue, QueueEvents } from "bullmq";
import type { Redis } from "ioredis";
import {
  DEFAULT_QUEUE_NAME,
  DEFAULT_QUEUE_PREFIX,
  type QueuedRunResult,
  type RunJobData,
} from "./run-job.js";
import { connectRedis, type RedisConnection, type RedisSpec } from "./redis-connection.js";

/** Options of {@link RunQueue.open}. */
export interface RunQueueOptions {
  /** Where Redis is: a `redis://` URL, or an ioredis client (never closed by the queue). */
  redis: RedisSpec;
  /** The queue's name; workers must use the same. Default {@link DEFAULT_QUEUE_NAME}. */
  queueName?: string;
  /** BullMQ's key prefix. Default {@link DEFAULT_QUEUE_PREFIX}. */
  prefix?: string;
  /** Longest wait for Redis at start, in ms. Default 5,000. */
  connectTimeoutMs?: number;
}

/**
 * The queue of runs in Redis (a BullMQ queue): what {@link enqueueRun} adds to and
 * {@link waitForRun} waits on. Open it once per process and share it.
 *
 * @example
 * const queue = await RunQueue.open({ redis: "redis://127.0.0.1:6379" });
 * const runId = await enqueueRun(queue, "support", { query: "My invoice is wrong" });
 * const result = await waitForRun(queue, runId);
 * await queue.close();
 */
export class RunQueue {
  /** The BullMQ queue, for what this API does not cover (counts, cleaning, retries). */
  readonly queue: Queue<RunJobData, QueuedRunResult>;
  private listening: Promise<QueueEvents> | undefined;

  private constructor(
    private readonly connection: RedisConnection,
    readonly name: string,
    readonly prefix: string,
  ) {
    this.queue = new Queue<RunJobData, QueuedRunResult>(name, {
      connection: connection.client,
      prefix,
    });
    // Errors surface from the calls that hit them; the queue's own 'error' events are noise here.
    this.queue.on("error", () => undefined);
    // Each waitForRun listens for the queue closing: many runs are waited for at once.
    this.queue.setMaxListeners(0);
  }

  /**
   * Connects to Redis (checking it answers) and opens the queue.
   * @throws QueueError when Redis cannot be reached.
   */
  static async open(options: RunQueueOptions): Promise<RunQueue> {
    const connection = await connectRedis(options.redis, options.connectTimeoutMs);
    return new RunQueue(
      connection,
      options.queueName ?? DEFAULT_QUEUE_NAME,
      options.prefix ?? DEFAULT_QUEUE_PREFIX,
    );
  }

  /** The Redis server, as `redis://host:port` (no password). */
  get url(): string {
    return this.connection.url;
  }

  /** The Redis client the queue uses. */
  get client(): Redis {
    return this.connection.client;
  }

  /** The queue's event stream (made on first use): what waiting for results listens to. */
  events(): Promise<QueueEvents> {
    this.listening ??= (async () => {
      const events = new QueueEvents(this.name, {
        // A blocking reader: BullMQ reads on a duplicate of the client, and closes it.
        connection: this.connection.client,
        prefix: this.prefix,
      });
      events.on("error", () => undefined);
      await events.waitUntilReady();
      return events;
    })();
    return this.listening;
  }

  /** Closes the queue, its event stream and the Redis client it made. */
  async close(): Promise<void> {
    const listening = this.listening;
    this.listening = undefined;
    if (listening) await (await listening).close();
    await this.queue.close();
    if (this.connection.owned) await this.connection.client.quit().catch(() => undefined);
  }
}
