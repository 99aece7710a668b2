import { namesNoModel } from "../team/names-no-model.js";
import { hostname } from "node:os";
import { Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { LLMTeam } from "../team/llm-team.js";
import type { BreakerStore } from "../resilience/breaker-store.js";
import { openRunStore } from "../store/open-run-store.js";
import { RedisBreakerStore } from "../store/redis-breaker-store.js";
import { RedisBudgetStore } from "../store/redis-budget-store.js";
import type { RunStore } from "../store/run-store.js";
import { loadWorkerTeams, type WorkerTeamEntry } from "./load-worker-teams.js";
import { connectRedis, type RedisSpec } from "./redis-connection.js";
import { RunProcessor, type ParkPolicy } from "./run-processor.js";
import {
  DEFAULT_QUEUE_NAME,
  DEFAULT_QUEUE_PREFIX,
  type QueuedRunResult,
  type RunJobData,
} from "./run-job.js";
import { RunQueue } from "./run-queue.js";
import { isPauseMarked, listenForRunControl } from "./run-control.js";
import { RunEventPublisher } from "./run-event-publisher.js";
import { syncSchedules } from "./schedules.js";
import { WorkerMetrics, type WorkerMetricsSnapshot } from "./worker-metrics.js";

/** Options of {@link createWorker}. */
export interface CreateWorkerOptions {
  /** The teams this worker runs: instances (with a run store), team files, or folders of them. */
  teams: readonly WorkerTeamEntry[];
  /** Where Redis is: a `redis://` URL, or an ioredis client (never closed by the worker). */
  redis: RedisSpec;
  /**
   * Where runs are stored, shared by every worker: a `PostgresRunStore` or a `postgres://` URL
   * (a SQLite file works for workers on one machine only).
   */
  runStore: RunStore | string;
  /** Runs this worker executes at once. Default {@link WORKER_DEFAULTS}.concurrency (10). */
  concurrency?: number;
  /** The queue to take runs from. Default `llmteam-runs`. */
  queueName?: string;
  /**
   * Prefix of every Redis key the fleet keeps: the queue (`<prefix>:<queue>:…`), period budgets
   * (`<prefix>:budget:…`) and circuit breakers (`<prefix>:breaker:…`). Default `llmteam`.
   */
  prefix?: string;
  /** The worker's name in logs and job records. Default `<hostname>:<pid>`. */
  name?: string;
  /**
   * How long a job's lock lasts, in ms; the worker renews it at half that while it runs. A
   * worker that died loses its jobs to others after at most this plus `stalledIntervalMs`.
   * Default 30,000.
   */
  lockDurationMs?: number;
  /** How often workers look for jobs whose worker died, in ms. Default 30,000. */
  stalledIntervalMs?: number;
  /**
   * Times a run may lose its worker (a crash, a kill) and be taken again; one more and its job
   * fails ("job stalled more than allowable limit"): a poison run stops. Default 2.
   */
  maxStalledCount?: number;
  /**
   * How long a job of a team this worker does not run keeps going back to the queue for a
   * worker that does (a rolling deploy adding a team), before it fails, in ms. Default 30,000.
   */
  missingTeamGraceMs?: number;
  /** Back-off of runs parked because a store was unreachable. Default 1 s doubling to 60 s. */
  park?: Partial<ParkPolicy>;
  /** Where circuit breakers keep their state (default: in Redis, shared by the fleet). */
  breakerStore?: BreakerStore;
  /** Environment for `${VAR}` and provider keys of team files (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** The model of agents that name none (`llmteam worker`: as `llmteam run` and `serve` pick it). */
  defaultModel?: string;
  /**
   * Publish each run's events on Redis as they happen, for servers that relay them to SSE
   * clients (`llmteam serve --queue`): one `PUBLISH` per batch of events. Default true.
   */
  publishEvents?: boolean;
  /** Where the worker writes its log lines (default: stderr). */
  log?: (line: string) => void;
}

/** Defaults of {@link CreateWorkerOptions}. */
export const WORKER_DEFAULTS = Object.freeze({
  concurrency: 10,
  lockDurationMs: 30_000,
  stalledIntervalMs: 30_000,
  maxStalledCount: 2,
  missingTeamGraceMs: 30_000,
  park: Object.freeze({ firstMs: 1_000, maxMs: 60_000 }),
  /** How long a graceful `close()` waits for runs to reach a step boundary. */
  shutdownTimeoutMs: 30_000,
});

/** What `/health` and `worker.health()` say. */
export interface WorkerHealth {
  /** True while the worker takes runs and Redis answers. */
  ok: boolean;
  /** The Redis client's state: `ready`, `reconnecting`, `end`… */
  redis: string;
  closing: boolean;
  active: number;
  concurrency: number;
  teams: string[];
}

/** A running worker: see {@link createWorker}. */
export interface LLMTeamWorker {
  readonly name: string;
  /** The ids of the teams it runs. */
  readonly teamIds: readonly string[];
  /** The queue it takes runs from (to enqueue or inspect from this process). */
  readonly queue: RunQueue;
  /** The BullMQ worker underneath. */
  readonly bullWorker: Worker<RunJobData, QueuedRunResult>;
  /** The store runs are kept in. */
  readonly runStore: RunStore;
  metrics(): WorkerMetricsSnapshot;
  health(): WorkerHealth;
  /**
   * Stops gracefully: takes no new run, pauses each run in flight at its next step boundary
   * (stored `paused`) and hands its job back to the queue, where another worker resumes it;
   * then closes. Runs still inside a step after `timeoutMs` (default 30 s) are left to the
   * stalled-job check (that step runs again elsewhere).
   */
  close(options?: { timeoutMs?: number }): Promise<void>;
}

/**
 * Starts a worker: it takes queued runs (see `enqueueRun`) from a BullMQ queue in Redis and
 * executes them with the run engine, storing each in the shared run store. A run whose worker
 * died is taken by another worker after its lock expires and resumes from its last durable step.
 * Period budgets and circuit breakers of the teams loaded from files live in Redis, shared by
 * every worker.
 *
 * @throws QueueError when Redis cannot be reached; RunStoreError when the run store cannot;
 *   ConfigError for a missing or invalid team file.
 * @example
 * const worker = await createWorker({
 *   teams: ["teams/"],
 *   redis: "redis://127.0.0.1:6379",
 *   runStore: "postgres://llmteam@db.internal:5432/app",
 *   concurrency: 20,
 * });
 * process.on("SIGTERM", () => void worker.close());
 */
export async function createWorker(options: CreateWorkerOptions): Promise<LLMTeamWorker> {
  const name = options.name ?? `${hostname()}:${process.pid}`;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const connection = await connectRedis(options.redis);
  const closers: (() => Promise<unknown>)[] = [];
  if (connection.owned) closers.push(() => connection.client.quit().catch(() => undefined));
  try {
    const runStore =
      typeof options.runStore === "string"
        ? await openRunStore(options.runStore)
        : options.runStore;
    if (typeof options.runStore === "string") closers.unshift(() => runStore.close());
    const prefix = options.prefix ?? DEFAULT_QUEUE_PREFIX;
    const budgetStore = new RedisBudgetStore({
      client: connection.client,
      prefix: `${prefix}:budget:`,
    });
    closers.unshift(() => budgetStore.close());
    const { teams } = await loadWorkerTeams(options.teams, {
      runStore,
      budgetStore,
      breakerStore:
        options.breakerStore ??
        new RedisBreakerStore({ client: connection.client, prefix: `${prefix}:breaker:` }),
      ...(options.env ? { env: options.env } : {}),
      ...(options.defaultModel ? { defaultModel: options.defaultModel } : {}),
    });
    closers.unshift(() => Promise.all([...teams.values()].map((team) => team.close())));
    const queue = await RunQueue.open({
      redis: connection.client,
      queueName: options.queueName ?? DEFAULT_QUEUE_NAME,
      prefix,
    });
    closers.unshift(() => queue.close());
    await syncSchedules(queue, teams.values());
    const defaulted = [...teams.values()].filter(namesNoModel).map((team) => team.teamId);
    if (options.defaultModel && defaulted.length > 0)
      log(
        `worker ${name}: agents without a model (teams ${defaulted.join(", ")}) run on ${options.defaultModel}.`,
      );
    return startWorker({ name, log, options, runStore, teams, queue, closers, connection });
  } catch (error) {
    for (const close of closers) await close().catch(() => undefined);
    throw error;
  }
}

function startWorker(parts: {
  name: string;
  log: (line: string) => void;
  options: CreateWorkerOptions;
  runStore: RunStore;
  teams: Map<string, LLMTeam>;
  queue: RunQueue;
  closers: (() => Promise<unknown>)[];
  connection: { client: Redis };
}): LLMTeamWorker {
  const { name, log, options, runStore, teams, queue, closers, connection } = parts;
  const concurrency = options.concurrency ?? WORKER_DEFAULTS.concurrency;
  const metrics = new WorkerMetrics();
  const publisher =
    options.publishEvents === false ? undefined : new RunEventPublisher(connection.client, queue);
  const processor = new RunProcessor({
    teams,
    store: runStore,
    metrics,
    park: { ...WORKER_DEFAULTS.park, ...options.park },
    name,
    missingTeamGraceMs: options.missingTeamGraceMs ?? WORKER_DEFAULTS.missingTeamGraceMs,
    liveRunMs: options.lockDurationMs ?? WORKER_DEFAULTS.lockDurationMs,
    isPauseMarked: (runId) => isPauseMarked(connection.client, queue, runId),
    ...(publisher ? { onRun: (runId, handle) => publisher.follow(runId, handle) } : {}),
    log,
  });
  const listening = listenForRunControl(connection.client, queue, (message) =>
    processor.control(message.action, message.runId, message.reason),
  );
  listening.catch(quietLog(log));
  closers.unshift(async () => (await listening.catch(() => undefined))?.close());
  const bullWorker = new Worker<RunJobData, QueuedRunResult>(queue.name, processor.process, {
    connection: connection.client,
    prefix: queue.prefix,
    name,
    concurrency,
    lockDuration: options.lockDurationMs ?? WORKER_DEFAULTS.lockDurationMs,
    stalledInterval: options.stalledIntervalMs ?? WORKER_DEFAULTS.stalledIntervalMs,
    maxStalledCount: options.maxStalledCount ?? WORKER_DEFAULTS.maxStalledCount,
  });
  bullWorker.on("error", quietLog(log));
  bullWorker.on("lockRenewalFailed", (jobIds) => processor.lockLost(jobIds));
  let closing: Promise<void> | undefined;
  const teamIds = [...teams.keys()].sort();
  return {
    name,
    teamIds,
    queue,
    bullWorker,
    runStore,
    metrics: () => metrics.snapshot(processor.activeCount, concurrency),
    health: () => ({
      ok: closing === undefined && connection.client.status === "ready" && bullWorker.isRunning(),
      redis: connection.client.status,
      closing: closing !== undefined,
      active: processor.activeCount,
      concurrency,
      teams: teamIds,
    }),
    close: ({ timeoutMs = WORKER_DEFAULTS.shutdownTimeoutMs } = {}) => {
      closing ??= (async () => {
        await bullWorker.pause(true).catch(() => undefined);
        await processor.parkAll(timeoutMs);
        // Runs still in a step are left to the stalled-job check: do not wait for them.
        await bullWorker.close(processor.activeCount > 0);
        for (const close of closers) await close().catch(() => undefined);
      })();
      return closing;
    },
  };
}

/** Logs BullMQ's errors, each distinct message at most once every 10 s (an outage repeats them). */
function quietLog(log: (line: string) => void): (error: Error) => void {
  const lastAt = new Map<string, number>();
  return (error) => {
    const now = Date.now();
    if ((lastAt.get(error.message) ?? 0) > now - 10_000) return;
    lastAt.set(error.message, now);
    log(`worker: ${error.message}`);
  };
}
