import { createHash } from "node:crypto";

/** The queue runs go through when no `queueName` is given: `llmteam-runs`. */
export const DEFAULT_QUEUE_NAME = "llmteam-runs";

/** The BullMQ key prefix when no `prefix` is given: `llmteam` (keys `llmteam:<queue>:…`). */
export const DEFAULT_QUEUE_PREFIX = "llmteam";

/**
 * What a queued run's job carries: the run id, the team and the input, nothing else. The run
 * store is the truth about the run; the job only says which run to go on with.
 */
export interface RunJobData {
  /** Absent for runs a job scheduler creates: the run id then comes from the job id. */
  runId?: string;
  teamId: string;
  input: Record<string, unknown>;
  /** How often the run was parked because a store was unreachable (it backs off from this). */
  parks?: number;
  /** When a worker without the run's team first handed the job back (ms since the epoch). */
  missedSince?: number;
}

/** How a queued run ended, as `waitForRun` answers and a completed job holds. */
export interface QueuedRunResult {
  runId: string;
  teamId: string;
  /** `failed` also covers a job that could not run (unknown team, too many crashes). */
  status: "completed" | "failed" | "cancelled";
  /** The run's final output (completed runs). */
  output?: unknown;
  /** Why the run failed or was cancelled, one line. */
  error?: string;
  /** What the run's priced calls cost, in USD (when the worker reported it). */
  costUsd?: number;
  /** Tokens of the run (when the worker reported them). */
  usage?: { inputTokens: number; outputTokens: number };
}

/** The run id of a job: the one it carries, else one derived from the job id (scheduled runs). */
export function runIdOfJob(job: { id?: string | undefined; data: RunJobData }): string {
  if (job.data.runId !== undefined) return job.data.runId;
  const digest = createHash("sha256")
    .update(`job\0${job.id ?? ""}`)
    .digest("hex");
  return `run_${digest.slice(0, 24)}`;
}

/**
 * The run id an idempotency key names for a team: the same key always names the same run, so
 * enqueueing twice with one key queues one run.
 */
export function idempotentRunId(teamId: string, key: string): string {
  const digest = createHash("sha256").update(`queue\0${teamId}\0${key}`).digest("hex");
  return `run_${digest.slice(0, 24)}`;
}
