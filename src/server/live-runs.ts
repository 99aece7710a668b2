import { createHash } from "node:crypto";
import type { RunHandle } from "../team/lifecycle/run-handle.js";
import type { LLMTeam } from "../team/llm-team.js";
import { isEndedStatus } from "../store/run-store-rows.js";
import type { RunStore, StoredRun } from "../store/run-store.js";
import { LifecycleError } from "../errors/lifecycle-error.js";
import { HttpProblem } from "./http-problem.js";
import { RunBroadcast } from "./run-broadcast.js";
import { canonicalJson } from "../store/run-log-hash.js";

/** A run this server process is executing. */
export interface LiveRun {
  readonly runId: string;
  readonly teamId: string;
  readonly handle: RunHandle;
  /** The run's input (what a repeated `Idempotency-Key` is compared with). */
  readonly input: Record<string, unknown>;
  /** Its events as SSE frames, made when the first client reads them. */
  broadcast?: RunBroadcast;
}

/** What `start` did: a new run, or the run an `Idempotency-Key` already named. */
export interface StartedRun {
  runId: string;
  /** False when the key named a run that exists (nothing was started). */
  created: boolean;
  /** The live run, when this process runs it. */
  live: LiveRun | undefined;
}

/**
 * The runs this server executes, by id. Runs are started and resumed here, so that their
 * events can be read live (from the handle's log) and their handles reached to pause, cancel
 * and approve; a run leaves the map when it ends (its store then holds everything).
 */
export class LiveRuns {
  private readonly runs = new Map<string, LiveRun>();
  private accepting = true;

  constructor(private readonly store: RunStore) {}

  get(runId: string): LiveRun | undefined {
    return this.runs.get(runId);
  }

  /** False once `shutdown` has begun: new runs are refused with 503. */
  get takingRuns(): boolean {
    return this.accepting;
  }

  /** The SSE frames of a live run (started on first use), or `undefined` when it is not live here. */
  broadcast(runId: string): RunBroadcast | undefined {
    const live = this.runs.get(runId);
    if (!live) return undefined;
    return (live.broadcast ??= new RunBroadcast(live.handle));
  }

  get size(): number {
    return this.runs.size;
  }

  all(): LiveRun[] {
    return [...this.runs.values()];
  }

  /**
   * Starts a run of `team`. With an idempotency key, the run id is derived from the key (and
   * who sent it), so a repeated request — even to a restarted server — finds the same run.
   * @throws HttpProblem 503 while shutting down; 409 when the key was used with other input.
   * @throws LifecycleError when the team enforces its lifecycle and is not ready.
   */
  async start(
    team: LLMTeam,
    input: Record<string, unknown>,
    options: { idempotencyKey?: string | undefined; keyId?: string | undefined } = {},
  ): Promise<StartedRun> {
    this.assertAccepting();
    const { idempotencyKey } = options;
    const runId =
      idempotencyKey === undefined
        ? undefined
        : idempotentRunId(team.teamId, idempotencyKey, options.keyId);
    if (runId !== undefined) {
      const stored = this.runs.has(runId) ? undefined : await this.store.getRun(runId);
      // Read after the await: a request with the same key may have started the run meanwhile.
      const existing = this.runs.get(runId);
      if (existing || stored) {
        assertSameRequest(runId, input, existing?.input ?? stored?.input);
        return { runId, created: false, live: existing };
      }
    }
    assertCanStart(team, this.all());
    const handle = team.start(input, runId === undefined ? {} : { runId });
    return { runId: handle.runId, created: true, live: this.track(team.teamId, handle, input) };
  }

  /**
   * Resumes a stored run that no process is running (paused, interrupted, waiting for an
   * approval in no process).
   * @throws HttpProblem 409 for a run live here or ended; 503 while shutting down.
   */
  async resume(team: LLMTeam, run: StoredRun): Promise<LiveRun> {
    this.assertAccepting();
    if (this.runs.has(run.runId)) {
      throw new HttpProblem(
        409,
        `Run ${run.runId} is running in this server; there is nothing to resume.`,
      );
    }
    if (isEndedStatus(run.status)) {
      throw new HttpProblem(
        409,
        `Run ${run.runId} has ${run.status}; an ended run cannot be resumed.`,
      );
    }
    const handle = await team.resume(run.runId);
    return this.track(team.teamId, handle, run.input);
  }

  /**
   * Stops taking runs, pauses every live run at its next step boundary (a model call in flight
   * finishes), marks it `interrupted` in the store — no process runs it now, so the next server
   * resumes it without `?force=true` — and resolves when all are parked or `deadlineMs` has
   * passed. A run paused already (by a client, or waiting for an approval) is marked too.
   */
  async shutdown(deadlineMs: number): Promise<{ parked: string[]; unfinished: string[] }> {
    this.accepting = false;
    const parked: string[] = [];
    const park = async (run: LiveRun) => {
      const state = run.handle.state;
      if (state === "completed" || state === "failed") return;
      await run.handle.pause();
      if (run.handle.state !== "paused") return;
      await this.store.setStatus(run.runId, "interrupted", Date.now(), "The server shut down.");
      parked.push(run.runId);
    };
    const all = Promise.allSettled(this.all().map(park));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, deadlineMs)));
    await Promise.race([all, deadline]);
    clearTimeout(timer);
    const unfinished = this.all()
      .map((run) => run.runId)
      .filter((runId) => !parked.includes(runId));
    return { parked, unfinished };
  }

  private track(teamId: string, handle: RunHandle, input: Record<string, unknown>): LiveRun {
    const live: LiveRun = { runId: handle.runId, teamId, handle, input };
    this.runs.set(handle.runId, live);
    const forget = () => {
      if (this.runs.get(handle.runId) === live) this.runs.delete(handle.runId);
    };
    handle.result.then(forget, forget);
    return live;
  }

  /** @throws HttpProblem 503 once `shutdown` has begun. */
  assertAccepting(): void {
    if (this.accepting) return;
    throw new HttpProblem(
      503,
      "The server is shutting down and takes no new runs; retry on another server.",
      {
        headers: { "retry-after": "5" },
      },
    );
  }
}

/**
 * A team that enforces its lifecycle must be ready and runs one run at a time: a
 * LifecycleError now (a 409), not a run whose handle fails as it begins and that nobody can
 * find. The lifecycle moves to `running` only once the run has begun, so a run of the team
 * live here counts as running already.
 */
function assertCanStart(team: LLMTeam, live: readonly LiveRun[]): void {
  if (!team.lifecycle.enforced) return;
  const busy = live.find((run) => run.teamId === team.teamId);
  if (busy) {
    throw new LifecycleError(
      "running",
      "running",
      `Team "${team.teamId}" is running run ${busy.runId}: a team with enforceLifecycle runs one run at a time.`,
      { hint: "Wait for it to end, then call team.markReady()." },
    );
  }
  team.lifecycle.assertCanRun();
}

/** The run id an idempotency key stands for: the same key from the same caller, the same run (queued or not). */
export function idempotentRunId(teamId: string, key: string, keyId: string | undefined): string {
  const digest = createHash("sha256")
    .update(`${keyId ?? ""}\0${teamId}\0${key}`)
    .digest("hex");
  return `run_${digest.slice(0, 24)}`;
}

/** @throws HttpProblem 409 when a repeated key comes with other input than the first request's. */
function assertSameRequest(runId: string, input: unknown, first: unknown): void {
  if (canonicalJson(input) === canonicalJson(first)) return;
  throw new HttpProblem(
    409,
    `This Idempotency-Key was used for run ${runId} with other input; use a new key for a new run.`,
    { extra: { runId } },
  );
}
