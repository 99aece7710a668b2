import type { RunStatus, StreamEventJSON } from "../events/stream-event.js";
import type { GroupResult } from "../groups/group-result.js";
import type { GroupStream } from "../groups/group-stream.js";
import type { LLMGroup } from "../groups/llm-group.js";
import { HttpProblem } from "./http-problem.js";

/** One event of a group run, with its sequence number (the shape the SSE writer takes). */
export interface GroupRunEvent {
  seq: number;
  event: StreamEventJSON;
}

/** One group run this server started: its events and, once it has ended, its result. */
export interface GroupRun {
  readonly runId: string;
  readonly groupId: string;
  /** ms since the epoch. */
  readonly startedAt: number;
  /** Every event so far, in order (`seq` 1, 2, 3…). */
  readonly events: readonly GroupRunEvent[];
  /** `running` until the run ends, then its status. */
  readonly status: RunStatus | "running";
  readonly result: GroupResult | undefined;
  /** Why the run could not run (a configuration problem found as it started). */
  readonly error: string | undefined;
  readonly endedAt: number | undefined;
  /** Resolves when the run has ended, however it ended. */
  readonly done: Promise<void>;
}

interface MutableGroupRun {
  runId: string;
  groupId: string;
  startedAt: number;
  events: GroupRunEvent[];
  status: RunStatus | "running";
  result: GroupResult | undefined;
  error: string | undefined;
  endedAt: number | undefined;
  done: Promise<void>;
  controller: AbortController;
  waiters: (() => void)[];
}

/**
 * The group runs of this server, in memory: group runs are not kept in the run store. Live
 * runs are all kept; of the ended ones, the last `keepEnded` (their events and result), the
 * oldest forgotten first. Their events are numbered like a team run's (`seq` 1, 2, 3…), so an
 * SSE client resumes after `Last-Event-ID` while the server keeps the run.
 */
export class GroupRuns {
  private readonly runs = new Map<string, MutableGroupRun>();
  private readonly ended: string[] = [];
  private accepting = true;

  constructor(
    private readonly keepEnded: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(runId: string): GroupRun | undefined {
    return this.runs.get(runId);
  }

  /** Every kept run, newest first. */
  all(): GroupRun[] {
    return [...this.runs.values()].reverse();
  }

  /**
   * Starts a run of `group` and reads its events into memory as they happen.
   * @throws ConfigError when the group cannot run this input; HttpProblem 503 while shutting down.
   */
  start(group: LLMGroup, input: Record<string, unknown>): GroupRun {
    if (!this.accepting) {
      throw new HttpProblem(503, "The server is shutting down and takes no new group runs.", {
        headers: { "retry-after": "5" },
      });
    }
    group.validate(Object.keys(input));
    const controller = new AbortController();
    const stream = group.stream(input, { signal: controller.signal });
    const run: MutableGroupRun = {
      runId: stream.runId,
      groupId: group.groupId,
      startedAt: this.now(),
      events: [],
      status: "running",
      result: undefined,
      error: undefined,
      endedAt: undefined,
      done: Promise.resolve(),
      controller,
      waiters: [],
    };
    this.runs.set(run.runId, run);
    run.done = this.follow(run, stream);
    return run;
  }

  /**
   * Cancels a live group run; its teams' model calls are aborted.
   * @throws HttpProblem 409 when it has ended.
   */
  async cancel(runId: string, reason: string): Promise<GroupRun> {
    const run = this.find(runId);
    if (run.status !== "running") {
      throw new HttpProblem(
        409,
        `Group run ${runId} has ${run.status === "completed" ? "completed" : `ended (${run.status})`}; an ended run cannot be cancelled.`,
      );
    }
    run.controller.abort(Object.assign(new Error(reason), { name: "AbortError" }));
    await run.done;
    return run;
  }

  /** Stops taking group runs and cancels the live ones (group runs are not durable). */
  async shutdown(): Promise<string[]> {
    this.accepting = false;
    const live = [...this.runs.values()].filter((run) => run.status === "running");
    for (const run of live) {
      run.controller.abort(
        Object.assign(new Error("The server shut down."), { name: "AbortError" }),
      );
    }
    await Promise.all(live.map((run) => run.done));
    return live.map((run) => run.runId);
  }

  /**
   * The run's events after `afterSeq`, each once, in batches of what has happened since the last
   * (at most `batch` events), waiting for new ones until the run ends or `signal` aborts.
   */
  async *feed(
    runId: string,
    afterSeq: number,
    signal: AbortSignal,
    batch = 512,
  ): AsyncGenerator<GroupRunEvent[]> {
    const run = this.find(runId);
    let index = run.events.findIndex((event) => event.seq > afterSeq);
    if (index === -1) index = run.events.length;
    while (!signal.aborted) {
      while (index < run.events.length) {
        const events = run.events.slice(index, index + batch);
        index += events.length;
        yield events;
      }
      if (run.status !== "running") return;
      await new Promise<void>((resolve) => {
        const wake = () => {
          signal.removeEventListener("abort", wake);
          resolve();
        };
        run.waiters.push(wake);
        signal.addEventListener("abort", wake, { once: true });
      });
    }
  }

  /** @throws HttpProblem 404 naming how long runs are kept. */
  find(runId: string): MutableGroupRun {
    const run = this.runs.get(runId);
    if (run) return run;
    throw new HttpProblem(
      404,
      `Unknown group run "${runId}". This server keeps its live group runs and the last ${this.keepEnded} ended ones, in memory; list them with GET /group-runs.`,
    );
  }

  private async follow(run: MutableGroupRun, stream: GroupStream): Promise<void> {
    try {
      for await (const event of stream) {
        run.events.push({ seq: event.seq, event: event.toDict() });
        this.wake(run);
      }
    } catch {
      // The run could not start: its result says why.
    }
    try {
      run.result = await stream.result;
      run.status = run.result.status === "running" ? "failed" : run.result.status;
    } catch (error) {
      run.status = "failed";
      run.error = error instanceof Error ? error.message : String(error);
    }
    run.endedAt = this.now();
    this.wake(run);
    this.ended.push(run.runId);
    while (this.ended.length > this.keepEnded) this.runs.delete(this.ended.shift()!);
  }

  private wake(run: MutableGroupRun): void {
    const waiters = run.waiters;
    run.waiters = [];
    for (const wake of waiters) wake();
  }
}
