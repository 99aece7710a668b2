import type { Job } from "bullmq";
import { cancelStoredRun } from "../run/stored-run-control.js";
import { isEndedStatus } from "../store/run-store-rows.js";
import type { RunStore, StoredRun, StoredRunStatus } from "../store/run-store.js";
import { enqueueRun } from "./enqueue-run.js";
import { clearPaused, isPauseMarked, markPaused, signalRun } from "./run-control.js";
import { runChannels } from "./run-channels.js";
import type { QueuedRunResult, RunJobData } from "./run-job.js";
import type { RunQueue } from "./run-queue.js";

/** Why a request about a queued run was not taken; `message` says what is wrong and what is valid. */
export interface QueuedControlRefusal {
  ok: false;
  /** `unknown`: neither the store nor the queue has the run; `ended`: it has ended; `conflict`: its state forbids it. */
  reason: "unknown" | "ended" | "conflict";
  message: string;
}

/** Where a queued run stands: its stored row (once a worker started it) and its job's state. */
export interface QueuedRunState {
  run: StoredRun | undefined;
  job: Job<RunJobData, QueuedRunResult> | undefined;
  /** The job's state: `waiting`, `prioritized`, `delayed`, `active`, `completed`, `failed`… */
  jobState: string | undefined;
}

/** Reads a run's stored row and its job. */
export async function queuedRunState(
  queue: RunQueue,
  store: RunStore,
  runId: string,
): Promise<QueuedRunState> {
  const [run, job] = await Promise.all([store.getRun(runId), queue.queue.getJob(runId)]);
  const jobState = job ? await job.getState() : undefined;
  return { run, job: job ?? undefined, jobState };
}

/** Options of the control functions: how long to wait for a worker to act, in ms (default 10,000). */
export interface QueuedControlOptions {
  waitMs?: number;
}

/**
 * Pauses a queued run on request, whichever worker holds it: the worker pauses it at its next
 * step boundary (stored `paused`; it keeps its slot); a run not taken yet is parked by the worker
 * that takes it. Resolves `paused` once the store shows it (or at once for a run not taken),
 * `pause_requested` when the worker did not reach a step boundary within `waitMs`.
 */
export async function pauseQueuedRun(
  queue: RunQueue,
  store: RunStore,
  runId: string,
  options: QueuedControlOptions = {},
): Promise<{ ok: true; status: "paused" | "pause_requested" } | QueuedControlRefusal> {
  const state = await queuedRunState(queue, store, runId);
  const refusal = refuseEnded(state, runId, "paused");
  if (refusal) return refusal;
  await markPaused(queue.client, queue, runId);
  if (state.jobState !== "active") return { ok: true, status: "paused" };
  const stored = await waitForStatus(store, runId, ["paused", "waiting_approval"], options.waitMs);
  return { ok: true, status: stored ? "paused" : "pause_requested" };
}

/**
 * Resumes a queued run paused on request, or a stored run that no worker holds (interrupted,
 * parked): a worker holding it paused goes on; otherwise its job goes back to the queue
 * (promoted, retried, or queued again when the queue no longer has it) and any worker resumes
 * it from its last durable step. A stored run that is `running` (or waits for an approval) is
 * refused unless `force` says its worker died.
 */
export async function resumeQueuedRun(
  queue: RunQueue,
  store: RunStore,
  runId: string,
  options: { force?: boolean } = {},
): Promise<{ ok: true; status: "running" | "queued" } | QueuedControlRefusal> {
  const state = await queuedRunState(queue, store, runId);
  const refusal = refuseEnded(state, runId, "resumed");
  if (refusal) return refusal;
  const { run, job, jobState } = state;
  const marked = await isPauseMarked(queue.client, queue, runId);
  const parked = run?.status === "paused" || run?.status === "interrupted";
  if (!marked && !parked && !options.force) {
    return {
      ok: false,
      reason: "conflict",
      message: `Run ${runId} is ${run?.status ?? "queued"} (its job is ${jobState}), not paused; there is nothing to resume. If the worker running it died, resume it with ?force=true.`,
    };
  }
  await clearPaused(queue.client, queue, runId);
  // A worker holds it (it goes on there), or the job waits for one already.
  if (jobState === "active") return { ok: true, status: "running" };
  if (jobState === "waiting" || jobState === "prioritized") return { ok: true, status: "queued" };
  if (job && jobState === "delayed") await job.promote().catch(() => undefined);
  else if (job && jobState === "failed") await job.retry("failed");
  else {
    if (job) await job.remove();
    await enqueueRun(queue, run!.teamId, run!.input, { runId });
  }
  return { ok: true, status: "queued" };
}

/**
 * Cancels a queued run from any process. A run a worker holds stops now (its model call is
 * aborted; stored `cancelled`); a stored run no worker holds is marked `cancelled` (its job is
 * promoted so that a worker reports it ended); a job no worker has taken is removed from the
 * queue: `removed` (the run was never stored — the caller may record it).
 */
export async function cancelQueuedRun(
  queue: RunQueue,
  store: RunStore,
  runId: string,
  options: QueuedControlOptions & { how: string },
): Promise<{ ok: true; outcome: "cancelled" | "requested" | "removed" } | QueuedControlRefusal> {
  const state = await queuedRunState(queue, store, runId);
  const refusal = refuseEnded(state, runId, "cancelled");
  if (refusal) return refusal;
  const { run, job, jobState } = state;
  await queue.client.srem(runChannels(queue).paused, runId);
  if (!run && job && jobState !== "active") {
    const removed = await job.remove().then(
      () => true,
      () => false, // a worker locked it meanwhile: it is starting the run
    );
    if (removed) return { ok: true, outcome: "removed" };
  }
  const reason = `Cancelled with ${options.how}.`;
  await signalRun(queue.client, queue, { action: "cancel", runId, reason });
  const stored = run ?? (await waitForStatus(store, runId, undefined, options.waitMs));
  if (!stored) return { ok: true, outcome: "requested" };
  if (jobState !== "active" && run) {
    const cancelled = await cancelStoredRun(store, run, { now: Date.now(), how: options.how });
    if (!cancelled.ok) return { ok: false, reason: "ended", message: cancelled.message };
    if (job && jobState === "delayed") await job.promote().catch(() => undefined);
    return { ok: true, outcome: cancelled.outcome };
  }
  await store.requestCancel(runId, Date.now());
  const ended = await waitForStatus(
    store,
    runId,
    ["cancelled", "failed", "completed"],
    options.waitMs,
  );
  return { ok: true, outcome: ended ? "cancelled" : "requested" };
}

function refuseEnded(
  { run, job, jobState }: QueuedRunState,
  runId: string,
  verb: string,
): QueuedControlRefusal | undefined {
  if (!run && !job) {
    return {
      ok: false,
      reason: "unknown",
      message: `Unknown run "${runId}": neither the run store nor the queue has it.`,
    };
  }
  if (run && isEndedStatus(run.status)) {
    return {
      ok: false,
      reason: "ended",
      message: `Run ${runId} has ${run.status}; an ended run cannot be ${verb}.`,
    };
  }
  if (!run && (jobState === "failed" || jobState === "completed")) {
    return {
      ok: false,
      reason: "ended",
      message: `Run ${runId} never started: its job ${jobState}${job?.failedReason ? ` (${job.failedReason})` : ""}; it cannot be ${verb}.`,
    };
  }
  return undefined;
}

/** Polls the store until the run shows one of `statuses` (any, when not given); `undefined` on timeout. */
async function waitForStatus(
  store: RunStore,
  runId: string,
  statuses: readonly StoredRunStatus[] | undefined,
  waitMs = 10_000,
): Promise<StoredRun | undefined> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const run = await store.getRun(runId);
    if (run && (statuses === undefined || statuses.includes(run.status))) return run;
    if (Date.now() >= deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
