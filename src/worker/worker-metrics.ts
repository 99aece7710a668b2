/** What a worker reports on `/metrics` and `worker.metrics()`. */
export interface WorkerMetricsSnapshot {
  /** Runs executing now. */
  active: number;
  /** Runs this worker may execute at once. */
  concurrency: number;
  /** Runs taken from the queue since start (a run taken again after a park counts again). */
  taken: number;
  /** Runs that ended completed (or cancelled) here. */
  completed: number;
  /** Runs or jobs that failed here. */
  failed: number;
  /** Stored runs this worker resumed (taken over from a worker that died or shut down). */
  resumed: number;
  /** Jobs handed back because a store was unreachable. */
  parked: number;
  /** Runs ended per second over the last minute (or since start, when shorter). */
  runsPerSecond: number;
  /** Time from a job being due (queued, or its delay over) to a worker taking it, in ms: the last one. */
  queueLagMs: number;
  /** The same, averaged over every job taken. */
  queueLagAverageMs: number;
  /** Seconds since the worker started. */
  uptimeSeconds: number;
}

/** The window `runsPerSecond` is measured over: one minute. */
const RATE_WINDOW_MS = 60_000;

/** Counters of one worker: runs taken, ended, parked, and the queue's lag. */
export class WorkerMetrics {
  completed = 0;
  failed = 0;
  resumed = 0;
  parked = 0;
  private taken = 0;
  private lagTotalMs = 0;
  private lastLagMs = 0;
  /** End times of recent runs, oldest first, within the rate window. */
  private readonly ends: number[] = [];
  private readonly startedAt = Date.now();

  /** A job was taken: its lag is now minus when it became due. */
  started(job: { timestamp: number; delay?: number | undefined }): void {
    const now = Date.now();
    this.taken++;
    this.lastLagMs = Math.max(0, now - (job.timestamp + (job.delay ?? 0)));
    this.lagTotalMs += this.lastLagMs;
  }

  /** A run ended here: completed (or cancelled), or failed (a job that could not run too). */
  finished(outcome: "completed" | "failed"): void {
    if (outcome === "completed") this.completed++;
    else this.failed++;
    const now = Date.now();
    this.ends.push(now);
    this.prune(now);
  }

  snapshot(active: number, concurrency: number): WorkerMetricsSnapshot {
    const now = Date.now();
    this.prune(now);
    const windowMs = Math.min(RATE_WINDOW_MS, Math.max(1, now - this.startedAt));
    return {
      active,
      concurrency,
      taken: this.taken,
      completed: this.completed,
      failed: this.failed,
      resumed: this.resumed,
      parked: this.parked,
      runsPerSecond: (this.ends.length * 1000) / windowMs,
      queueLagMs: this.lastLagMs,
      queueLagAverageMs: this.taken === 0 ? 0 : this.lagTotalMs / this.taken,
      uptimeSeconds: (now - this.startedAt) / 1000,
    };
  }

  private prune(now: number): void {
    let drop = 0;
    while (drop < this.ends.length && this.ends[drop]! < now - RATE_WINDOW_MS) drop++;
    if (drop > 0) this.ends.splice(0, drop);
  }
}
