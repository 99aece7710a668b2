import { EventChannel } from "../events/event-channel.js";
import type { StreamEvent } from "../events/stream-event.js";
import { newRunId } from "../internal/ids.js";
import { EventLog } from "./lifecycle/event-log.js";
import { RunController } from "./lifecycle/run-controller.js";
import { RunHandle } from "./lifecycle/run-handle.js";
import { configRecord } from "./lifecycle/run-snapshot.js";
import { loadReplay } from "./load-replay.js";
import { ConfigError } from "../errors/config-error.js";
import { RunJournal } from "../run/run-journal.js";
import type { RunReplay } from "../run/run-replay.js";
import type { RunStore } from "../store/run-store.js";
import { LazyRunStore } from "../store/lazy-run-store.js";
import type { TeamLifecycle } from "./lifecycle/team-lifecycle.js";
import type { RunExecution, RunPlan } from "../run/run-execution.js";
import { normalizeInput, type RunInput, type RunOptions } from "../run/run-input.js";
import type { RunOutlet } from "../run/run-outlet.js";
import type { RunResult } from "../run/run-result.js";
import { RunStream } from "../run/run-stream.js";
import { startRun } from "../run/start-run.js";
import { traceRunOutlet } from "../telemetry/run-trace.js";
import type { TeamConfig } from "./team-config.js";
import { TeamPlanner, type TeamPlannerOptions } from "./team-planner.js";
import type { RunLaunch } from "./run-launch.js";

/** What a {@link TeamRunner} runs: live views of its team (what its planner plans from, and more). */
export interface TeamRunnerOptions extends TeamPlannerOptions {
  lifecycle: TeamLifecycle;
  /** Events buffered for a slow `stream()` consumer before the run pauses. */
  streamBufferSize: number;
  /** Where the team's runs are stored (durable runs); absent: runs live in memory only. */
  runStore?: RunStore | undefined;
}

/**
 * Runs a team, the four ways `LLMTeam` offers: to its end (`run`), as a stream of events
 * (`stream`), behind a handle that can pause and approve (`start`), or as a step of another
 * run (`runNested`). Each differs only in what it passes: the launch settings its plan is built
 * with (the team's {@link TeamPlanner}) and the outlet its events go to; `startRun` does the rest.
 */
export class TeamRunner {
  /** Plans the team's runs (its cache is shared by them). */
  readonly planner: TeamPlanner;
  /** The last configuration runs started with, its hash and JSON (see {@link configRecord}). */
  private record?: {
    settings: object;
    agents: readonly object[];
    hash: string;
    json: unknown;
  };

  constructor(private readonly team: TeamRunnerOptions) {
    this.planner = new TeamPlanner(team);
  }

  /** See `LLMTeam.run`. */
  run(input: RunInput, options: RunOptions = {}): Promise<RunResult> {
    return this.launch(input, options, this.uninteractive(new AbortController()), {});
  }

  /** See `LLMTeam.stream`. */
  stream(input: RunInput, options: RunOptions = {}): RunStream {
    const controller = new AbortController();
    const runId = options.runId ?? newRunId();
    const channel = new EventChannel<StreamEvent>(this.team.streamBufferSize, () =>
      controller.abort(
        Object.assign(new Error("The stream's consumer stopped reading."), { name: "AbortError" }),
      ),
    );
    const outlet: RunOutlet = {
      push: (event) => channel.push(event),
      close: () => channel.close(),
      fail: (error) => channel.fail(error),
    };
    const launch = this.uninteractive(controller);
    return new RunStream(runId, channel, this.launch(input, { ...options, runId }, launch, outlet));
  }

  /** Where the team's runs are stored, if anywhere. */
  get runStore(): RunStore | undefined {
    return this.team.runStore;
  }

  /** Closes the run store when the team opened it from a spec (`runStore: ".llmteam/runs.db"`). */
  async close(): Promise<void> {
    const store = this.team.runStore;
    if (store instanceof LazyRunStore) await store.close();
  }

  /** See `LLMTeam.resume`. */
  async resume(runId: string, options: Omit<RunOptions, "runId"> = {}): Promise<RunHandle> {
    const store = this.team.runStore;
    if (!store) {
      throw new ConfigError(
        `Team "${this.team.teamId}" has no run store, so it has no stored run "${runId}" to resume. Give it one: new LLMTeam({ ..., runStore: new SqliteRunStore() }) or runStore: in the team file.`,
      );
    }
    const replay = await loadReplay(store, runId, this.team.teamId, this.config());
    return this.start(replay.input, { ...options, runId }, replay);
  }

  /** See `LLMTeam.start`. */
  start(input: RunInput, options: RunOptions = {}, replay?: RunReplay): RunHandle {
    const { lifecycle } = this.team;
    const abort = new AbortController();
    const runId = options.runId ?? newRunId();
    const control = new RunController(lifecycle, true);
    const log = new EventLog();
    const outlet: RunOutlet = {
      listen: log.append,
      close: () => log.close(),
      fail: (error) => log.fail(error),
    };
    const launch: RunLaunch = { controller: abort, control, ...(replay ? { replay } : {}) };
    const result = this.launch(input, { ...options, runId }, launch, outlet);
    return new RunHandle({
      runId,
      teamId: this.team.teamId,
      configVersion: lifecycle.configVersion,
      configHash: this.configRecord().hash,
      input: typeof input === "string" ? { query: input } : input,
      clock: this.team.clock,
      controller: control,
      abort,
      log,
      result,
    });
  }

  /** See `LLMTeam.runNested`. */
  runNested(
    input: Record<string, unknown>,
    parent: RunExecution,
    agentId: string,
    signal: AbortSignal,
  ): Promise<RunResult> {
    const { gate, approver, runId, pathPrefix } = parent.plan;
    const launch: RunLaunch = {
      controller: new AbortController(),
      nested: {
        pathPrefix: `${pathPrefix}/${agentId}`,
        gate: gate && (() => gate(parent)),
        approver,
        // Its events go to the parent's log: they are read live when the parent's are.
        observed: parent.observed,
        // A tracker shared with the parent already counts this run: the parent ends it.
        parentEndsCost: this.team.costTracker.isActive(runId),
      },
    };
    // Nested runs skip the lifecycle check: the parent run holds the team's lifecycle.
    return this.launch(
      input,
      { runId, signal },
      launch,
      { push: (event) => parent.forward(event) },
      false,
    );
  }

  /** The team's configuration as a run starts with it. */
  private config(): TeamConfig {
    return { ...this.team.settings(), agents: this.team.agents.map((agent) => agent.config) };
  }

  /**
   * The hash and JSON of the configuration a run starts with, written once while the team's
   * settings and agents stay the same objects (a change replaces them).
   */
  private configRecord(): { hash: string; json: unknown } {
    const settings = this.team.settings();
    const agents = this.team.agents.map((agent) => agent.config);
    const last = this.record;
    if (
      last?.settings === settings &&
      last.agents.length === agents.length &&
      last.agents.every((agent, index) => agent === agents[index])
    )
      return last;
    this.record = { settings, agents, ...configRecord({ ...settings, agents }) };
    return this.record;
  }

  /** A durable run's writer, for a top-level run of a team with a run store. */
  private journal(input: RunInput, runId: string, replay: RunReplay | undefined): RunJournal {
    const { runStore, teamId, clock } = this.team;
    if (replay) {
      const journal = new RunJournal(runStore!, runId, clock, undefined);
      journal.continueAfter(replay.lastSeq);
      return journal;
    }
    const config = this.configRecord();
    return new RunJournal(runStore!, runId, clock, {
      runId,
      teamId,
      configHash: config.hash,
      config: config.json,
      input: normalizeInput(input),
      options: {},
      status: "running",
      createdAt: clock.now(),
    });
  }

  /** A `run()`/`stream()` launch: the lifecycle's controller only when the lifecycle is enforced. */
  private uninteractive(controller: AbortController): RunLaunch {
    const { lifecycle } = this.team;
    return lifecycle.enforced
      ? { controller, control: new RunController(lifecycle, false) }
      : { controller };
  }

  /**
   * Plans the run (after the lifecycle's check) and starts it. A planning error rejects the
   * result and fails the outlet.
   */
  private launch(
    input: RunInput,
    options: RunOptions,
    launch: RunLaunch,
    outlet: RunOutlet,
    checkLifecycle = true,
  ): Promise<RunResult> {
    let planned: RunPlan | Promise<RunPlan>;
    // A top-level run is traced when a tracer provider records spans; its nested runs' events
    // reach the same listener through its log.
    const traced = launch.nested ? undefined : traceRunOutlet(this.team.teamId, outlet);
    if (traced) {
      outlet = traced.outlet;
      launch = { ...launch, observed: traced.observed };
    }
    try {
      if (checkLifecycle) this.team.lifecycle.assertCanRun();
      // A top-level run of a team with a run store is durable: it gets its journal.
      if (checkLifecycle && this.team.runStore) {
        const runId = options.runId ?? newRunId();
        const journal = this.journal(input, runId, launch.replay);
        planned = this.planner.plan(input, { ...options, runId }, { ...launch, journal });
      } else {
        planned = this.planner.plan(input, options, launch);
      }
    } catch (error) {
      outlet.fail?.(error);
      return Promise.reject(error);
    }
    return startRun(planned, outlet);
  }
}
