import type { Job } from "bullmq";
import { QueueError } from "../errors/queue-error.js";
import type { RunStore } from "../store/run-store.js";
import { runIdOfJob, type QueuedRunResult, type RunJobData } from "./run-job.js";
import type { RunQueue } from "./run-queue.js";

/** A failed run of a queue, as `llmteam queue status` lists it. */
export interface FailedRun {
  runId: string;
  teamId: string;
  /** Why its job failed (the run's error, a missing team, too many crashes). */
  reason: string;
  /** ms since the epoch. */
  failedAt: number | undefined;
  attemptsMade: number;
}

/** Options of {@link retryRuns}: the runs to retry, by id, or every failed run of the queue. */
export type RetryRunsOptions = { runIds: readonly string[] } | { allFailed: true };

/** What {@link retryRuns} did with one run. */
export interface RetriedRun {
  runId: string;
  retried: boolean;
  /** Why a run was not retried (its job is not failed, or unknown). */
  reason?: string;
}

/**
 * The failed jobs of a queue, newest first (at most `limit`, default 100): failed jobs are kept a
 * week with their reason.
 */
export async function failedRuns(queue: RunQueue, limit = 100): Promise<FailedRun[]> {
  const jobs = await queue.queue.getJobs(["failed"], 0, limit - 1, false);
  return jobs.filter(Boolean).map((job) => ({
    runId: runIdOfJob(job),
    teamId: job.data.teamId,
    reason: job.failedReason ?? "unknown",
    failedAt: job.finishedOn,
    attemptsMade: job.attemptsMade,
  }));
}

/**
 * Runs failed jobs again: each goes back to the queue and a worker takes it. A run the store
 * holds as `failed` is marked `interrupted` first, so the worker resumes it from its last
 * durable step — completed steps are not run again, the step that failed is; a run the store
 * does not know (its team was missing, say) starts from the beginning.
 * @throws QueueError when Redis cannot be reached.
 * @example await retryRuns(queue, store, { allFailed: true });
 */
export async function retryRuns(
  queue: RunQueue,
  store: RunStore | undefined,
  options: RetryRunsOptions,
): Promise<RetriedRun[]> {
  try {
    const jobs: { runId: string; job: Job<RunJobData, QueuedRunResult> | undefined }[] =
      "allFailed" in options
        ? (await queue.queue.getJobs(["failed"], 0, -1)).map((job) => ({
            runId: runIdOfJob(job),
            job,
          }))
        : await Promise.all(
            options.runIds.map(async (runId) => ({
              runId,
              job: (await queue.queue.getJob(runId)) ?? undefined,
            })),
          );
    const retried: RetriedRun[] = [];
    for (const { runId, job } of jobs) retried.push(await retryOne(queue, store, runId, job));
    return retried;
  } catch (error) {
    if (QueueError.isInstance(error)) throw error;
    throw new QueueError(`Could not retry runs on ${queue.url}: ${(error as Error).message}.`, {
      operation: "retry",
      url: queue.url,
      cause: error,
    });
  }
}

async function retryOne(
  queue: RunQueue,
  store: RunStore | undefined,
  runId: string,
  job: Job<RunJobData, QueuedRunResult> | undefined,
): Promise<RetriedRun> {
  if (!job) {
    return {
      runId,
      retried: false,
      reason: `the queue "${queue.name}" has no job for it (failed jobs are kept a week)`,
    };
  }
  const state = await job.getState();
  if (state !== "failed")
    return { runId, retried: false, reason: `its job is ${state}, not failed` };
  const stored = await store?.getRun(runId);
  if (stored?.status === "failed") {
    await store!.setStatus(
      runId,
      "interrupted",
      Date.now(),
      `Retried after: ${stored.error ?? ""}`,
    );
  }
  await job.retry("failed");
  return { runId, retried: true };
}
