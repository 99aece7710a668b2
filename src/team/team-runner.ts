import type { PreparedAgent } from "../agents/llm-agent.js";
import type { CostTracker } from "../cost/cost-tracker.js";
import { RunTimeoutError } from "../errors/run-timeout-error.js";
import { EventChannel } from "../events/event-channel.js";
import type { StreamEvent } from "../events/stream-event.js";
import type { Clock } from "../internal/clock.js";
import { newRunId } from "../internal/ids.js";
import { EventLog } from "./lifecycle/event-log.js";
import { RunController } from "./lifecycle/run-controller.js";
import { RunHandle } from "./lifecycle/run-handle.js";
import { hashConfig } from "./lifecycle/run-snapshot.js";
import type { TeamLifecycle } from "./lifecycle/team-lifecycle.js";
import { RunExecution, type RunPlan } from "../run/run-execution.js";
import type { RunInput, RunOptions } from "../run/run-input.js";
import type { RunResult } from "../run/run-result.js";
import { RunStream } from "../run/run-stream.js";
import type { TeamConfig } from "./team-config.js";
import { runTeamFlow } from "../flows/team-flow.js";
import type { TeamPlanner } from "./team-planner.js";

const RUN_ENDED = new Error("The run ended.");

/** What a {@link TeamRunner} runs: live views of its team. */
export interface TeamRunnerOptions {
  teamId: string;
  /** The team's agents in run order (the team's own list; read for the configuration hash). */
  agents: readonly PreparedAgent[];
  /** The team's current settings (replaced when approved proposals are applied). */
  settings: () => Omit<TeamConfig, "agents">;
  planner: TeamPlanner;
  lifecycle: TeamLifecycle;
  costTracker: CostTracker;
  /** Whether the team has budgets (their reservations are kept in the tracker, call by call). */
  hasBudgets: boolean;
  clock: Clock;
  /** Events buffered for a slow `stream()` consumer before the run pauses. */
  streamBufferSize: number;
}

/**
 * Runs a team, the four ways `LLMTeam` offers: to its end (`run`), as a stream of events
 * (`stream`), behind a handle that can pause and approve (`start`), or as a step of another
 * run (`runNested`). Each plans with the team's {@link TeamPlanner}, then executes its flow
 * under the team's timeout and lifecycle.
 */
export class TeamRunner {
  constructor(private readonly team: TeamRunnerOptions) {}

  /** See `LLMTeam.run`. */
  run(input: RunInput, options: RunOptions = {}): Promise<RunResult> {
    const { lifecycle, planner } = this.team;
    const controller = new AbortController();
    let control: RunController | undefined;
    let planned: RunPlan | Promise<RunPlan>;
    try {
      lifecycle.assertCanRun();
      control = lifecycle.enforced ? new RunController(lifecycle, false) : undefined;
      planned = planner.plan(input, options, controller, control);
    } catch (error) {
      return Promise.reject(error);
    }
    // Without an async frame of its own: a run is planned at once once the team's plan is built.
    const begin = (plan: RunPlan): Promise<RunResult> => {
      control?.begin(plan.runId);
      return this.execute(new RunExecution(plan, undefined), controller, control);
    };
    return planned instanceof Promise ? planned.then(begin) : begin(planned);
  }

  /** See `LLMTeam.stream`. */
  stream(input: RunInput, options: RunOptions = {}): RunStream {
    const { lifecycle, planner } = this.team;
    const controller = new AbortController();
    const runId = options.runId ?? newRunId();
    const channel = new EventChannel<StreamEvent>(this.team.streamBufferSize, () =>
      controller.abort(
        Object.assign(new Error("The stream's consumer stopped reading."), { name: "AbortError" }),
      ),
    );
    const result = (async () => {
      let plan: RunPlan;
      const control = lifecycle.enforced ? new RunController(lifecycle, false) : undefined;
      try {
        lifecycle.assertCanRun();
        plan = await planner.plan(input, { ...options, runId }, controller, control);
        control?.begin(runId);
      } catch (error) {
        channel.fail(error);
        throw error;
      }
      const finished = await this.execute(new RunExecution(plan, channel), controller, control);
      channel.close();
      return finished;
    })();
    return new RunStream(runId, channel, result);
  }

  /** See `LLMTeam.start`. */
  start(input: RunInput, options: RunOptions = {}): RunHandle {
    const { lifecycle, planner } = this.team;
    const abort = new AbortController();
    const runId = options.runId ?? newRunId();
    const control = new RunController(lifecycle, true);
    const log = new EventLog();
    const result = (async () => {
      try {
        lifecycle.assertCanRun();
        const plan = await planner.plan(input, { ...options, runId }, abort, control);
        plan.listeners.push(log.append);
        control.begin(runId);
        return await this.execute(new RunExecution(plan, undefined), abort, control);
      } catch (error) {
        log.fail(error);
        throw error;
      } finally {
        log.close();
      }
    })();
    return new RunHandle({
      runId,
      teamId: this.team.teamId,
      configVersion: lifecycle.configVersion,
      configHash: hashConfig({
        ...this.team.settings(),
        agents: this.team.agents.map((agent) => agent.config),
      }),
      input: typeof input === "string" ? { query: input } : input,
      clock: this.team.clock,
      controller: control,
      abort,
      log,
      result,
    });
  }

  /** See `LLMTeam.runNested`. */
  async runNested(
    input: Record<string, unknown>,
    parent: RunExecution,
    agentId: string,
    signal: AbortSignal,
  ): Promise<RunResult> {
    const controller = new AbortController();
    // A tracker shared with the parent already counts this run: the parent ends it.
    const sharedTracker = this.team.costTracker.isActive(parent.plan.runId);
    const plan = await this.team.planner.plan(
      input,
      { runId: parent.plan.runId, signal },
      controller,
    );
    plan.pathPrefix = `${parent.plan.pathPrefix}/${agentId}`;
    const { gate, approver } = parent.plan;
    if (gate) plan.gate = () => gate(parent);
    if (approver) plan.approver = approver;
    // Its events go to the parent's log: they are read live when the parent's are.
    plan.observed = parent.observed;
    return this.execute(
      new RunExecution(plan, { push: (event) => parent.forward(event) }),
      controller,
      undefined,
      sharedTracker,
    );
  }

  /**
   * Runs the flow. `abort` stops the run (the team's `timeoutMs` uses it); with
   * `parentEndsCost`, the cost tracker's run (shared with a parent run) is left to the parent.
   */
  private async execute(
    execution: RunExecution,
    abort: AbortController,
    control?: RunController,
    parentEndsCost = false,
  ): Promise<RunResult> {
    const { teamId, costTracker } = this.team;
    const { plan } = execution;
    const timeoutMs = this.team.settings().timeoutMs;
    // Only teams with a timeout pay for a timer; it is cleared with a preallocated reason.
    const timer = timeoutMs === undefined ? undefined : new AbortController();
    if (timer) {
      plan.clock.sleep(timeoutMs!, timer.signal).then(
        () => abort.abort(new RunTimeoutError(timeoutMs!, `Team "${teamId}"`)),
        () => undefined,
      );
    }
    // Without budgets the run's folded cost counts it in the tracker too (no second count per call).
    if (!parentEndsCost && !this.team.hasBudgets)
      costTracker.attachRun(plan.runId, execution.builder.result.cost);
    try {
      const announced = execution.emitAt(execution.startedAt, "run_started", {
        teamId,
        agents: plan.agents.map((agent) => agent.id),
        input: plan.input,
        mode: plan.mode,
      });
      if (announced) await announced;
      if (control) await control.started(execution);
      const output = await runTeamFlow(execution, this.team.planner.flow());
      if (control) await control.finish(execution, "completed", "run completed");
      return await execution.complete(output);
    } catch (error) {
      if (control)
        await control.finish(
          execution,
          "failed",
          execution.signal.aborted
            ? "run cancelled"
            : `run failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      return await execution.fail(error);
    } finally {
      timer?.abort(RUN_ENDED);
      if (!parentEndsCost && costTracker.isActive(plan.runId)) costTracker.closeRun(plan.runId);
    }
  }
}
