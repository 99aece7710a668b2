import type { Job } from "bullmq";
import { ConfigError } from "../errors/config-error.js";
import { QueueError } from "../errors/queue-error.js";
import { canonicalJson } from "../store/run-log-hash.js";
import type { RunStore, StoredRun } from "../store/run-store.js";
import type { LLMTeam } from "../team/llm-team.js";
import { enqueueRun } from "../worker/enqueue-run.js";
import { isPauseMarked } from "../worker/run-control.js";
import type { QueuedRunResult, RunJobData } from "../worker/run-job.js";
import { RunQueue } from "../worker/run-queue.js";
import { HttpProblem } from "./http-problem.js";
import { idempotentRunId } from "./live-runs.js";
import { RunEventRelay } from "./run-event-relay.js";

/** How SSE events of runs on workers reach the server: published on Redis, or read from the store. */
export type EventRelayKind = "redis" | "store";

/** The queue option of `createServer`: a queue, or where Redis is and which queue to use. */
export interface ServerQueueOptions {
  /** A `redis://` URL, or a `RunQueue` (never closed by the server). */
  redis: string | RunQueue;
  /** The queue's name (default `llmteam-runs`); workers must take from the same. */
  queueName?: string;
  /** BullMQ's key prefix (default `llmteam`), as the workers'. */
  prefix?: string;
  /**
   * `redis` (default): workers publish each event as it happens and the server relays it (token
   * by token); `store`: the server reads the run store every `storePollMs` (events arrive a step
   * at a time). docs/scale-out.md says why the default is what it is.
   */
  eventRelay?: EventRelayKind;
}

/** A run only the queue knows: queued, not yet started by a worker (or failed before it started). */
export interface QueuedOnlyRun {
  runId: string;
  teamId: string;
  /** `queued` until a worker starts it; `paused` when paused on request; `failed` when its job failed before it started. */
  status: "queued" | "paused" | "failed";
  input: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
  error?: string;
  /** The job's state in the queue: `waiting`, `prioritized`, `delayed`, `active`, `failed`. */
  queue: { state: string; delayedUntil?: number };
}

/** Longest wait for Redis on a request, in ms: past it the request gets a 503. */
const QUEUE_ANSWER_MS = 5_000;

/**
 * A queue-backed server's runs (`createServer({ queue })`): started by enqueueing them for
 * workers, read from the run store once a worker started them and from the queue before; their
 * events relayed from Redis. Every call that needs Redis fails with a 503 problem naming the
 * queue when Redis does not answer — never a 500, never a request left hanging.
 */
export class QueuedRuns {
  readonly relay: RunEventRelay | undefined;

  private constructor(
    readonly queue: RunQueue,
    private readonly store: RunStore,
    relayKind: EventRelayKind,
    private readonly owned: boolean,
  ) {
    this.relay = relayKind === "redis" ? new RunEventRelay(queue.client, queue) : undefined;
  }

  /**
   * Opens the queue (checking Redis answers).
   * @throws QueueError when Redis cannot be reached.
   */
  static async open(options: ServerQueueOptions, store: RunStore): Promise<QueuedRuns> {
    const relay = options.eventRelay ?? "redis";
    if (relay !== "redis" && relay !== "store") {
      throw new ConfigError(`eventRelay must be "redis" or "store", not "${String(relay)}".`);
    }
    const owned = typeof options.redis === "string";
    const queue =
      typeof options.redis === "string"
        ? await RunQueue.open({
            redis: options.redis,
            ...(options.queueName === undefined ? {} : { queueName: options.queueName }),
            ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
          })
        : options.redis;
    const queued = new QueuedRuns(queue, store, relay, owned);
    try {
      await queued.relay?.start();
    } catch (error) {
      await queued.close();
      throw error;
    }
    return queued;
  }

  /**
   * Queues a run of `team`. With an idempotency key the run id is derived as a server without a
   * queue derives it, so a repeated request finds the same run: in the store once a worker
   * started it, in the queue before.
   * @throws HttpProblem 409 when the key was used with other input; 503 when Redis does not answer.
   */
  async enqueue(
    team: LLMTeam,
    input: Record<string, unknown>,
    options: { idempotencyKey?: string | undefined; keyId?: string | undefined },
  ): Promise<{ runId: string; created: boolean }> {
    const { idempotencyKey, keyId } = options;
    const runId =
      idempotencyKey === undefined
        ? undefined
        : idempotentRunId(team.teamId, idempotencyKey, keyId);
    if (runId !== undefined) {
      const stored = await this.store.getRun(runId);
      const queued = stored
        ? undefined
        : await this.answer("read", () => this.queue.queue.getJob(runId));
      const first = stored?.input ?? queued?.data.input;
      if (first !== undefined) {
        if (canonicalJson(first) !== canonicalJson(input)) throw otherInput(runId);
        return { runId, created: false };
      }
    }
    const queuedId = await this.answer("enqueue", () =>
      enqueueRun(this.queue, team.teamId, input, runId === undefined ? {} : { runId }),
    ).catch((error: unknown) => {
      if (ConfigError.isInstance(error) && runId !== undefined) throw otherInput(runId);
      throw error;
    });
    return { runId: queuedId, created: true };
  }

  /** Resolves when the run's job has finished (or was removed); rejects with a 503 when Redis fails. */
  async finished(runId: string): Promise<void> {
    const job = await this.answer("read", () => this.queue.queue.getJob(runId));
    if (!job) return;
    const events = await this.answer("wait", () => this.queue.events());
    await job.waitUntilFinished(events).catch(() => undefined);
  }

  /** A run only the queue knows, or `undefined` (the store has it, or nobody does). */
  async queuedOnly(runId: string): Promise<QueuedOnlyRun | undefined> {
    const job = await this.answer("read", () => this.queue.queue.getJob(runId));
    if (!job || (await this.store.getRun(runId))) return undefined;
    return this.view(job);
  }

  /**
   * The run's stored row, else its queued view; the store is read again when the queue no longer
   * shows it as unstarted (a worker stored it meanwhile). `undefined` when neither has it.
   */
  async find(runId: string): Promise<StoredRun | QueuedOnlyRun | undefined> {
    return (
      (await this.store.getRun(runId)) ??
      (await this.queuedOnly(runId)) ??
      (await this.store.getRun(runId))
    );
  }

  /**
   * Runs queued and not yet started, and runs whose job failed before they started (a team no
   * worker runs, a run that could not start): newest first, at most `limit`, for `GET /runs`.
   */
  async queuedRuns(filter: {
    teamId?: string | undefined;
    limit: number;
  }): Promise<QueuedOnlyRun[]> {
    const jobs = await this.answer("read", () =>
      this.queue.queue.getJobs(
        ["waiting", "prioritized", "delayed", "active", "failed"],
        0,
        filter.limit - 1,
      ),
    );
    const views: QueuedOnlyRun[] = [];
    for (const job of jobs) {
      if (!job || (filter.teamId !== undefined && job.data.teamId !== filter.teamId)) continue;
      if (await this.store.getRun(job.id ?? "")) continue;
      views.push(await this.view(job));
    }
    return views;
  }

  /**
   * Runs `operation` on Redis, or answers 503 naming the queue: at once when the connection is
   * down, or after {@link QUEUE_ANSWER_MS} without an answer.
   */
  async answer<T>(operation: string, run: () => Promise<T>): Promise<T> {
    const { url, name } = this.queue;
    const unavailable = (why: string, cause?: unknown) =>
      new HttpProblem(
        503,
        `The run queue "${name}" on ${url} is unavailable (${why}), so the server cannot ${operation === "enqueue" ? "queue runs" : "read the queue"} now. Retry later; the runs already queued are kept.`,
        { headers: { "retry-after": "5" }, cause },
      );
    if (this.queue.client.status !== "ready")
      throw unavailable(`Redis is ${this.queue.client.status}`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(unavailable(`no answer within ${QUEUE_ANSWER_MS} ms`)),
        QUEUE_ANSWER_MS,
      );
    });
    try {
      return await Promise.race([run(), timeout]);
    } catch (error) {
      if (error instanceof HttpProblem || ConfigError.isInstance(error)) throw error;
      if (QueueError.isInstance(error) || error instanceof Error)
        throw unavailable(error.message, error);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.relay?.close();
    if (this.owned) await this.queue.close();
  }

  private async view(job: Job<RunJobData, QueuedRunResult>): Promise<QueuedOnlyRun> {
    const state = await job.getState();
    const runId = job.id ?? "";
    const paused = await isPauseMarked(this.queue.client, this.queue, runId);
    const status = state === "failed" ? "failed" : paused ? "paused" : "queued";
    return {
      runId,
      teamId: job.data.teamId,
      status,
      input: job.data.input,
      createdAt: job.timestamp,
      updatedAt: job.finishedOn ?? job.processedOn ?? job.timestamp,
      ...(job.failedReason ? { error: job.failedReason } : {}),
      queue: {
        state,
        ...(state === "delayed" && !paused ? { delayedUntil: job.timestamp + job.delay } : {}),
      },
    };
  }
}

function otherInput(runId: string): HttpProblem {
  return new HttpProblem(
    409,
    `This Idempotency-Key was used for run ${runId} with other input; use a new key for a new run.`,
    { extra: { runId } },
  );
}
