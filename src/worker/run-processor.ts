import { DelayedError, UnrecoverableError, type Job } from "bullmq";
import { isStoreOutage } from "../run/store-outage.js";
import type { RunResult } from "../run/run-result.js";
import { isEndedStatus } from "../store/run-store-rows.js";
import type { RunStore, StoredRun } from "../store/run-store.js";
import type { RunHandle } from "../team/lifecycle/run-handle.js";
import type { LLMTeam } from "../team/llm-team.js";
import { runIdOfJob, type QueuedRunResult, type RunJobData } from "./run-job.js";
import type { WorkerMetrics } from "./worker-metrics.js";

/** How a worker backs off a run parked because a store was unreachable. */
export interface ParkPolicy {
  /** First wait, in ms; doubled each park. */
  firstMs: number;
  /** Longest wait, in ms. */
  maxMs: number;
}

/** What {@link RunProcessor} works with. */
export interface RunProcessorOptions {
  teams: ReadonlyMap<string, LLMTeam>;
  store: RunStore;
  metrics: WorkerMetrics;
  park: ParkPolicy;
  /** The worker's name, for messages. */
  name: string;
  /**
   * How long a job of a team this worker lacks goes back to the queue for another worker
   * (a rolling deploy that adds a team) before it fails, in ms.
   */
  missingTeamGraceMs: number;
  /**
   * A stored run that is `running` and changed less than this long ago is still someone's: a
   * worker that is slow to renew its lock, not a dead one. Its job goes back to the queue for
   * a while instead of resuming it alongside (the job lock's duration).
   */
  liveRunMs: number;
  /** True when the run was paused on request (`POST /runs/:id/pause`): its job is parked, not run. */
  isPauseMarked?: (runId: string) => Promise<boolean>;
  /** Told of every run this worker starts or resumes (to publish its events). */
  onRun?: (runId: string, handle: RunHandle) => void;
  log: (line: string) => void;
}

/** How long the job of a run paused on request waits in the queue: until a resume promotes it. */
export const PAUSED_JOB_DELAY_MS = 365 * 24 * 3600 * 1000;

/** A run this worker executes now. */
interface ActiveRun {
  handle: RunHandle;
  /** Set by a graceful shutdown once the run has stopped at a step boundary. */
  parked: boolean;
  /** Resolves when the shutdown parked the run (the run's own promise never settles then). */
  onParked: () => void;
  /** The job's id (its lock may be lost to another worker). */
  jobId: string | undefined;
  /** Set when the run was parked because its job's lock was lost. */
  lost: boolean;
}

type RunJob = Job<RunJobData, QueuedRunResult>;

/**
 * The job processor of a worker: a job names a run; the run store says where it stands.
 * A run the store does not know starts (`team.start` with the job's run id); a stored run that
 * did not end resumes from its last durable step (`team.resume`: no completed step runs again);
 * an ended one is reported as it ended. A store outage parks the job (back to the queue, later,
 * not an attempt); a run that fails, a team this worker lacks or a run that cannot resume fail
 * the job at once, with the reason, never retried.
 */
export class RunProcessor {
  private readonly active = new Map<string, ActiveRun>();
  private closing = false;

  constructor(private readonly options: RunProcessorOptions) {}

  /** Runs executing now. */
  get activeCount(): number {
    return this.active.size;
  }

  /** The BullMQ processor. */
  readonly process = async (job: RunJob, token?: string): Promise<QueuedRunResult> => {
    const { teams, metrics } = this.options;
    const runId = runIdOfJob(job);
    const { teamId } = job.data;
    const team = teams.get(teamId);
    if (!team) return this.missingTeam(job, token);
    if (this.closing) return this.handBack(job, token, 0, "the worker is shutting down");
    if (await this.pauseMarked(runId)) {
      return this.handBack(job, token, PAUSED_JOB_DELAY_MS, "it was paused on request");
    }
    metrics.started(job);
    let stored: StoredRun | undefined;
    try {
      stored = await this.options.store.getRun(runId);
    } catch (error) {
      return this.settleError(job, token, runId, error);
    }
    if (stored && isEndedStatus(stored.status)) return this.ended(stored);
    if (this.stillOwned(job, stored)) {
      const waitMs = this.options.liveRunMs / 2;
      return this.handBack(job, token, waitMs, "another worker is still running it");
    }
    let handle: RunHandle;
    try {
      handle = stored ? await team.resume(runId) : team.start(job.data.input, { runId });
    } catch (error) {
      // The run may have ended meanwhile (its first worker was slow, not dead): report that.
      const now = await this.options.store.getRun(runId).catch(() => undefined);
      if (now && isEndedStatus(now.status)) return this.ended(now);
      return this.settleError(job, token, runId, error);
    }
    if (stored) metrics.resumed++;
    return this.execute(job, token, runId, handle);
  };

  /**
   * Graceful shutdown: no new run starts; each run in flight is asked to pause at its next step
   * boundary, and once its pause is stored its job goes back to the queue for another worker.
   * Runs still in a step after `timeoutMs` are left: their jobs come back when their locks
   * expire (the step in flight then runs again).
   */
  async parkAll(timeoutMs: number): Promise<void> {
    this.closing = true;
    const pauses = [...this.active.entries()].map(([runId, run]) =>
      this.parkRun(runId, run, timeoutMs),
    );
    await Promise.race([Promise.all(pauses), delay(timeoutMs)]);
  }

  /** Pauses a run at its next step boundary; once the pause is stored, its job lets go of it. */
  private async parkRun(runId: string, run: ActiveRun, timeoutMs: number): Promise<void> {
    try {
      await run.handle.pause();
    } catch {
      return; // ended meanwhile
    }
    if (await this.pauseStored(runId, timeoutMs)) {
      run.parked = true;
      run.onParked();
    }
  }

  /**
   * True when a job back from a stall names a run that its previous worker changed within the
   * lock's duration: that worker is slow (starved of CPU, a long GC), not dead, and still runs
   * it. A job back for any other reason (parked, handed back) is taken at once.
   */
  private stillOwned(job: RunJob, stored: StoredRun | undefined): boolean {
    return (
      job.stalledCounter > 0 &&
      stored?.status === "running" &&
      Date.now() - stored.updatedAt < this.options.liveRunMs
    );
  }

  /**
   * A request for a run this worker may hold: `pause` stops it at its next step boundary (it
   * keeps its slot, as a run waiting for an approval does), `resume` goes on, `cancel` stops it
   * now (the model call in flight is aborted; the run is stored `cancelled`). Runs held
   * elsewhere are not ours: nothing happens.
   */
  control(action: "pause" | "resume" | "cancel", runId: string, reason?: string): void {
    const run = this.active.get(runId);
    if (!run) return;
    const ignore = () => undefined;
    if (action === "pause") void run.handle.pause().catch(ignore);
    else if (action === "cancel")
      void run.handle.cancel(reason ?? "Cancelled on request.").catch(ignore);
    else {
      try {
        run.handle.resume();
      } catch {
        // Not paused (or only waiting for an approval): nothing to resume.
      }
    }
  }

  private async pauseMarked(runId: string): Promise<boolean> {
    if (!this.options.isPauseMarked) return false;
    return this.options.isPauseMarked(runId).catch(() => false);
  }

  /**
   * BullMQ could not renew these jobs' locks: another worker may take them. Their runs stop at
   * their next step boundary (a commit the other worker made first is refused by the store).
   */
  lockLost(jobIds: readonly string[]): void {
    const lost = new Set(jobIds);
    for (const [runId, run] of this.active) {
      if (run.jobId === undefined || !lost.has(run.jobId)) continue;
      this.options.log(`run ${runId}: the job's lock was lost; pausing at the next step boundary`);
      run.lost = true;
      void this.parkRun(runId, run, 60_000);
    }
  }

  private async execute(
    job: RunJob,
    token: string | undefined,
    runId: string,
    handle: RunHandle,
  ): Promise<QueuedRunResult> {
    let onParked: () => void = () => undefined;
    const parked = new Promise<undefined>((resolve) => (onParked = () => resolve(undefined)));
    const run: ActiveRun = { handle, parked: false, onParked, jobId: job.id, lost: false };
    this.active.set(runId, run);
    this.options.onRun?.(runId, handle);
    // A pause requested between the check in `process` and now: hear it.
    void this.pauseMarked(runId).then((marked) => marked && this.control("pause", runId));
    let result: RunResult | undefined;
    try {
      result = await Promise.race([handle.result, parked]);
    } catch (error) {
      return this.settleError(job, token, runId, error);
    } finally {
      this.active.delete(runId);
    }
    if (result === undefined && run.lost) {
      // Another worker may hold the job now: leave it to BullMQ (a retry if it is still ours).
      throw new Error(`Run ${runId} paused: its job's lock was lost to another worker.`);
    }
    if (result === undefined) return this.handBack(job, token, 0, "paused by a graceful shutdown");
    return this.settled(job, token, result);
  }

  private async settled(
    job: RunJob,
    token: string | undefined,
    result: RunResult,
  ): Promise<QueuedRunResult> {
    const { metrics } = this.options;
    if (result.status === "failed" && isStoreOutage(result.error)) {
      return this.park(job, token, result.error);
    }
    const summary = summarize(result);
    if (summary.status === "failed") {
      metrics.finished("failed");
      throw new UnrecoverableError(
        `Run ${result.runId} failed: ${summary.error ?? "unknown error"}`,
      );
    }
    metrics.finished("completed");
    return summary;
  }

  /** A run that could not start or resume: a store outage parks it, anything else fails the job. */
  private settleError(
    job: RunJob,
    token: string | undefined,
    runId: string,
    error: unknown,
  ): Promise<QueuedRunResult> {
    if (isStoreOutage(error)) return this.park(job, token, error);
    this.options.metrics.finished("failed");
    const message = error instanceof Error ? error.message : String(error);
    return Promise.reject(new UnrecoverableError(`Run ${runId} could not run: ${message}`));
  }

  /**
   * A job of a team this worker lacks: back to the queue for a worker that has it, until
   * `missingTeamGraceMs` passed since the first miss; then it fails, naming the teams here.
   */
  private async missingTeam(job: RunJob, token: string | undefined): Promise<QueuedRunResult> {
    const { teams, metrics, name, missingTeamGraceMs } = this.options;
    const now = Date.now();
    const missedSince = job.data.missedSince ?? now;
    if (now - missedSince < missingTeamGraceMs) {
      if (job.data.missedSince === undefined) await job.updateData({ ...job.data, missedSince });
      return this.handBack(job, token, 1_000, `team "${job.data.teamId}" is not loaded here`);
    }
    metrics.finished("failed");
    throw new UnrecoverableError(
      `Team "${job.data.teamId}" is not loaded on worker ${name}; it runs ${[...teams.keys()].sort().join(", ")}. Start workers with the team's file (every worker of a queue should run the same teams).`,
    );
  }

  /** Reports a run that ended before this job took it (a job taken again after its worker died). */
  private async ended(stored: StoredRun): Promise<QueuedRunResult> {
    const base = {
      runId: stored.runId,
      teamId: stored.teamId,
      costUsd: stored.costUsd,
      usage: { inputTokens: stored.inputTokens, outputTokens: stored.outputTokens },
    };
    if (stored.status === "completed") {
      const [last] = await this.options.store.readEvents(stored.runId, {
        afterSeq: stored.lastSeq - 1,
      });
      const data = last?.event.data as { output?: unknown } | undefined;
      this.options.metrics.finished("completed");
      return { ...base, status: "completed", output: data?.output };
    }
    if (stored.status === "cancelled") {
      this.options.metrics.finished("completed");
      return { ...base, status: "cancelled", error: stored.error ?? "cancelled" };
    }
    this.options.metrics.finished("failed");
    throw new UnrecoverableError(`Run ${stored.runId} failed: ${stored.error ?? "unknown error"}`);
  }

  /** A store is unreachable: the job waits in the queue (not an attempt), backing off. */
  private async park(
    job: RunJob,
    token: string | undefined,
    error: unknown,
  ): Promise<QueuedRunResult> {
    const { park, metrics, log } = this.options;
    const parks = job.data.parks ?? 0;
    const waitMs = Math.min(park.maxMs, park.firstMs * 2 ** Math.min(parks, 20));
    metrics.parked++;
    log(
      `run ${runIdOfJob(job)} parked for ${waitMs} ms: ${error instanceof Error ? error.message : String(error)}`,
    );
    await job.updateData({ ...job.data, parks: parks + 1 });
    return this.handBack(job, token, waitMs, "a store is unreachable");
  }

  /** Puts the job back in the queue, to be taken in `waitMs` by any worker. */
  private async handBack(
    job: RunJob,
    token: string | undefined,
    waitMs: number,
    why: string,
  ): Promise<never> {
    await job.moveToDelayed(Date.now() + waitMs, token);
    throw new DelayedError(`Run ${runIdOfJob(job)} handed back to the queue: ${why}.`);
  }

  /** Waits until the store shows the run parked (paused or waiting), at most `timeoutMs`. */
  private async pauseStored(runId: string, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const stored = await this.options.store.getRun(runId).catch(() => undefined);
      if (stored?.status === "paused" || stored?.status === "waiting_approval") return true;
      if (stored && isEndedStatus(stored.status)) return false;
      await delay(50);
    }
    return false;
  }
}

/** What a job's result says of a run. */
function summarize(result: RunResult): QueuedRunResult {
  const status =
    result.status === "completed"
      ? "completed"
      : result.status === "cancelled"
        ? "cancelled"
        : "failed";
  return {
    runId: result.runId,
    teamId: result.teamId,
    status,
    ...(status === "completed" ? { output: result.finalOutput } : {}),
    ...(result.error
      ? { error: result.error.message }
      : status === "completed"
        ? {}
        : { error: `the run ended with status ${result.status}` }),
    costUsd: result.cost.totalUsd,
    usage: { inputTokens: result.usage.inputTokens, outputTokens: result.usage.outputTokens },
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
