import type { RunQueue } from "./run-queue.js";

/** The states `queueStatus` counts: `waiting` includes runs waiting with a priority. */
export const QUEUE_STATES = ["waiting", "active", "delayed", "failed", "completed"] as const;

/** A job state `queueStatus` counts. */
export type QueueState = (typeof QUEUE_STATES)[number];

/** What `llmteam queue status` shows. */
export interface QueueStatus {
  queue: string;
  /** Jobs of the whole queue by state. */
  totals: Record<QueueState, number>;
  /** Jobs by team and state (`completed` is not broken down: it is counted in `totals` only). */
  teams: Record<string, Record<Exclude<QueueState, "completed">, number>>;
  /** True when a state held more jobs than were read for the per-team counts. */
  truncated: boolean;
}

/**
 * Counts a queue's runs by state, for the queue and per team (a job's name is its team id).
 * Per-team counts read at most `scanLimit` jobs of each state (default 10,000).
 * @example const status = await queueStatus(queue); console.log(status.totals.waiting);
 */
export async function queueStatus(
  queue: RunQueue,
  options: { scanLimit?: number } = {},
): Promise<QueueStatus> {
  const scanLimit = options.scanLimit ?? 10_000;
  const counts = await queue.queue.getJobCounts(
    "waiting",
    "prioritized",
    "active",
    "delayed",
    "failed",
    "completed",
  );
  const totals: Record<QueueState, number> = {
    waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
    active: counts.active ?? 0,
    delayed: counts.delayed ?? 0,
    failed: counts.failed ?? 0,
    completed: counts.completed ?? 0,
  };
  const teams: QueueStatus["teams"] = {};
  let truncated = false;
  const scanned = [
    ["waiting", ["waiting", "prioritized"]],
    ["active", ["active"]],
    ["delayed", ["delayed"]],
    ["failed", ["failed"]],
  ] as const;
  for (const [state, types] of scanned) {
    if (totals[state] > scanLimit) truncated = true;
    const jobs = await queue.queue.getJobs([...types], 0, scanLimit - 1, true);
    for (const job of jobs) {
      if (!job) continue;
      const team = (teams[job.data?.teamId ?? job.name] ??= {
        waiting: 0,
        active: 0,
        delayed: 0,
        failed: 0,
      });
      team[state]++;
    }
  }
  return { queue: queue.name, totals, teams, truncated };
}
