import type { Job } from "bullmq";
import { ConfigError } from "../errors/config-error.js";
import { QueueError } from "../errors/queue-error.js";
import { newRunId } from "../internal/ids.js";
import { normalizeInput, type RunInput } from "../run/run-input.js";
import { idempotentRunId, type QueuedRunResult, type RunJobData } from "./run-job.js";
import type { RunQueue } from "./run-queue.js";

/** Options of {@link enqueueRun}. */
export interface EnqueueRunOptions {
  /** 1 is the highest priority, up to 2,097,152; runs without one go before any with one (BullMQ's rule). */
  priority?: number;
  /** Start the run no sooner than this many ms from now. */
  delayMs?: number;
  /** The run's id (default: a new one). Enqueueing an id that is queued already adds nothing. */
  runId?: string;
  /**
   * The same key always names the same run of the team: enqueueing again with it adds nothing
   * and returns the same run id (a retried request does not start a second run).
   */
  idempotencyKey?: string;
  /** Tries of a job whose worker threw unexpectedly (not a crash, see `maxStalledCount`). Default 3. */
  attempts?: number;
}

/**
 * Options of every run's job: tries of a job whose worker threw unexpectedly (crashes are
 * counted apart: `maxStalledCount`), completed jobs kept a day (for `waitForRun` and
 * `llmteam queue status`), failed ones a week (for inspection and retry).
 */
export const RUN_JOB_OPTIONS = Object.freeze({
  attempts: 3,
  backoff: Object.freeze({ type: "exponential", delay: 1_000 }),
  removeOnComplete: Object.freeze({ age: 24 * 3600, count: 10_000 }),
  removeOnFail: Object.freeze({ age: 7 * 24 * 3600 }),
});

/**
 * Queues a run of a team for any worker (`llmteam worker`, `createWorker`) that serves the team.
 * The job carries only the run id, the team id and the input; the worker runs it with its own
 * copy of the team and stores it in the shared run store.
 *
 * @returns the run id (the job id too), for {@link waitForRun} and the run store.
 * @throws ConfigError for input that is not named values, a bad priority, delay or run id, or an
 *   idempotency key used before with other input.
 * @throws QueueError when Redis cannot take the job.
 * @example
 * const runId = await enqueueRun(queue, "support", { query: "My invoice is wrong" }, { priority: 1 });
 */
export async function enqueueRun(
  queue: RunQueue,
  teamId: string,
  input: RunInput,
  options: EnqueueRunOptions = {},
): Promise<string> {
  const named = normalizeInput(input);
  checkOptions(teamId, options);
  const runId =
    options.runId ??
    (options.idempotencyKey === undefined
      ? newRunId()
      : idempotentRunId(teamId, options.idempotencyKey));
  let job: Job<RunJobData, QueuedRunResult>;
  try {
    job = await queue.queue.add(
      teamId,
      { runId, teamId, input: named },
      {
        jobId: runId,
        ...(options.priority === undefined ? {} : { priority: options.priority }),
        ...(options.delayMs === undefined ? {} : { delay: options.delayMs }),
        ...RUN_JOB_OPTIONS,
        backoff: { ...RUN_JOB_OPTIONS.backoff },
        removeOnComplete: { ...RUN_JOB_OPTIONS.removeOnComplete },
        removeOnFail: { ...RUN_JOB_OPTIONS.removeOnFail },
        attempts: options.attempts ?? RUN_JOB_OPTIONS.attempts,
      },
    );
  } catch (error) {
    throw new QueueError(
      `Could not queue run ${runId} of team "${teamId}" on ${queue.url}: ${(error as Error).message}.`,
      { operation: "enqueue", url: queue.url, runId, cause: error },
    );
  }
  // BullMQ adds nothing for an id it holds, and answers with the job as given: read what is there.
  const given = options.runId !== undefined || options.idempotencyKey !== undefined;
  const queued = given ? ((await queue.queue.getJob(runId)) ?? job) : job;
  // An id queued before names the run already there: the same request, or a mistake.
  if (queued.data.teamId !== teamId || !sameJson(queued.data.input, named)) {
    throw new ConfigError(
      `Run ${runId} is queued already with ${queued.data.teamId === teamId ? "other input" : `team "${queued.data.teamId}"`}; use a new ${options.idempotencyKey === undefined ? "run id" : "idempotency key"} for a new run.`,
    );
  }
  return runId;
}

/** Options of {@link waitForRun}. */
export interface WaitForRunOptions {
  /** Give up after this long, in ms (default: wait as long as it takes). */
  timeoutMs?: number;
}

/**
 * Waits until a queued run ends, on any worker. A failed run resolves too (`status: "failed"`,
 * with the reason), as `team.run()` does, and so does a job no worker could run (an unknown
 * team, a run that crashed its workers too often).
 * @throws QueueError when no job of that id is queued (or it was removed), or on timeout.
 * @example
 * const { status, output } = await waitForRun(queue, runId, { timeoutMs: 60_000 });
 */
export async function waitForRun(
  queue: RunQueue,
  runId: string,
  options: WaitForRunOptions = {},
): Promise<QueuedRunResult> {
  const job = await queue.queue.getJob(runId);
  if (!job) {
    throw new QueueError(
      `No queued run "${runId}" in queue "${queue.name}" on ${queue.url} (finished jobs are kept a day; the run store keeps the run).`,
      { operation: "wait", url: queue.url, runId },
    );
  }
  try {
    return await job.waitUntilFinished(await queue.events(), options.timeoutMs);
  } catch (error) {
    const state = await queue.queue.getJobState(runId);
    if (state === "failed") {
      const failed = await queue.queue.getJob(runId);
      return {
        runId,
        teamId: job.data.teamId,
        status: "failed",
        error: failed?.failedReason ?? (error as Error).message,
      };
    }
    throw new QueueError(
      `Run ${runId} did not end within ${options.timeoutMs} ms (its job is ${state}).`,
      { operation: "wait", url: queue.url, runId, cause: error },
    );
  }
}

function checkOptions(teamId: string, options: EnqueueRunOptions): void {
  const problems: string[] = [];
  if (teamId.length === 0) problems.push("teamId must not be empty");
  const { priority, delayMs, runId, attempts } = options;
  if (
    priority !== undefined &&
    !(Number.isInteger(priority) && priority >= 1 && priority <= 2_097_152)
  )
    problems.push(`priority must be a whole number from 1 (highest) to 2097152; got ${priority}`);
  if (delayMs !== undefined && !(Number.isFinite(delayMs) && delayMs >= 0))
    problems.push(`delayMs must be 0 or more; got ${delayMs}`);
  if (attempts !== undefined && !(Number.isInteger(attempts) && attempts >= 1))
    problems.push(`attempts must be a whole number of at least 1; got ${attempts}`);
  if (runId !== undefined && !/^[A-Za-z0-9_.-]+$/.test(runId))
    problems.push(`runId may hold letters, digits, "_", "." and "-" only; got "${runId}"`);
  if (runId !== undefined && /^\d+$/.test(runId))
    problems.push(
      `runId must not be only digits (BullMQ keeps those for its own ids); got "${runId}"`,
    );
  if (problems.length > 0) throw new ConfigError(`enqueueRun: ${problems.join("; ")}.`);
}

function sameJson(left: unknown, right: unknown): boolean {
  return JSON.stringify(left) === JSON.stringify(right);
}
