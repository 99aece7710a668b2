import type { AgentResult, AgentResultDetails } from "../agents/agent-result.js";
import type { AgentCallSettings, AgentOutput, PreparedAgent } from "../agents/llm-agent.js";
import type { CostTracker } from "../cost/cost-tracker.js";
import type { UsageMeter } from "../cost/usage-meter.js";
import { AgentSink } from "./agent-call.js";
import { runModelStep } from "./model-step.js";
import { runAgentStep } from "./agent-step-run.js";
import { planCallSettings, type CallDefaults } from "./agent-call-settings.js";
import type { AgentStepHost } from "./agent-step-host.js";
import type { ToolApprovalFunction } from "../tools/tool-approval.js";
import { createEvent, eventCause } from "../events/create-event.js";
import type { EventSink } from "../events/event-sink.js";
import type { StreamEvent, StreamEventDataMap } from "../events/stream-event.js";
import type { StreamEventType } from "../events/stream-event-type.js";
import { emptyUsage, type Usage } from "../events/usage.js";
import type { Clock } from "../internal/clock.js";
import type { ModelCall, ResolvedModel } from "../providers/model-call.js";
import { nestedTeamInput, runTeamStep, type NestedTeam } from "./nested-team.js";
import { AgentFailure, storedError } from "./run-failure.js";
import { runEscalated, type EscalationHost, type EscalationPlan } from "./escalate-step.js";
import { completeAgentStep, failAgentStep } from "./agent-step-end.js";
import type { RunOutlet } from "./run-outlet.js";
import { RunResultBuilder } from "./run-result.js";
import type { RunJournal } from "./run-journal.js";
import type { RunReplay } from "./run-replay.js";
import {
  runWorkflowStep,
  type HumanAnswer,
  type HumanTask,
  type WorkflowStep,
} from "./workflow-step.js";

/** Hooks of a run's lifecycle, called by `startRun` (a team's `RunController`). */
export interface RunHooks {
  /** Before anything of the run happens; throws when the run may not start. */
  begin(runId: string): void;
  /** The run emitted `run_started`. */
  started(execution: RunExecution): Promise<void>;
  /** The run is about to emit its terminal event. */
  finish(execution: RunExecution, to: "completed" | "failed", reason: string): Promise<void>;
}

/**
 * Everything a run needs, fixed at run start and never changed after: the planner (a team's,
 * a group's) builds it complete, nested-run settings included, and `startRun` runs it.
 */
export interface RunPlan {
  readonly runId: string;
  readonly teamId: string;
  readonly agents: readonly PreparedAgent[];
  /** The ids `run_started` lists: the team's agents, or the group's teams. */
  readonly memberIds: readonly string[];
  /** Each agent's role by agent id (shared by the team's runs). */
  readonly roles?: ReadonlyMap<string, string>;
  readonly models: ReadonlyMap<string, ResolvedModel>;
  /** Each agent's fallback models, in order. */
  readonly fallbackModels?: ReadonlyMap<string, ResolvedModel[]>;
  /** Each agent's call settings (model, fallbacks, pipeline, temperature, …), shared by the team's runs. */
  readonly agentSettings?: ReadonlyMap<string, AgentCallSettings>;
  /** Each agent's model-call pipeline (its retry policy, breaker and timeout). */
  readonly agentCalls?: ReadonlyMap<string, ModelCall>;
  /** The team's pipeline, for calls that belong to no agent. */
  readonly call: ModelCall;
  /** The team's cost layer's meter of calls that are not model calls (`rag` query embeddings). */
  readonly meter?: UsageMeter | undefined;
  readonly clock: Clock;
  /** The run's signal: the caller's, joined with `controller`'s. */
  readonly signal: AbortSignal;
  /** Stops the run (the timeout, a stream consumer that left, a handle's `cancel`). */
  readonly controller: AbortController;
  readonly input: Readonly<Record<string, unknown>>;
  /** Prefix of agent paths, e.g. `support` or `group/support`. */
  readonly pathPrefix: string;
  readonly mode: string;
  /** Team-wide call settings; `stream: undefined` streams when the run is {@link RunPlan.observed}. */
  readonly defaults: CallDefaults;
  /** What the run does between `run_started` and its end; returns the run's output. */
  readonly flow: (execution: RunExecution) => Promise<unknown>;
  /** The run stops with `RunTimeoutError` after `ms`; `owner` names whose limit it is. */
  readonly timeout?: { readonly ms: number; readonly owner: string } | undefined;
  /** The cost tracker's run `startRun` closes (absent when a parent run ends it); `foldsCost`: the fold is what it counts. */
  readonly costRun?: { readonly tracker: CostTracker; readonly foldsCost: boolean } | undefined;
  /** The team's lifecycle around the run (`begin`, `started`, `finish`). */
  readonly hooks?: RunHooks | undefined;
  /** Whether someone reads the run's events as they happen (default: the outlet pushes or listens; nested: the parent's). */
  readonly observed?: boolean | undefined;
  /** Called at every step boundary; may wait (pause) before the run goes on. */
  readonly gate?: ((execution: RunExecution) => Promise<void>) | undefined;
  /** Agents of type `team`, by agent id: the nested teams they run. */
  readonly teams?: ReadonlyMap<string, NestedTeam<RunExecution>> | undefined;
  /** Workflow steps (agents of type transform, http, human, switch), by agent id. */
  readonly steps?: ReadonlyMap<string, WorkflowStep> | undefined;
  /** Asks people for approvals (set by `team.start()`); absent when nobody can be asked. */
  readonly approver?: RunApprover | undefined;
  /** Writes the run to a run store at its durability points; absent: nothing is stored. */
  readonly journal?: RunJournal | undefined;
  /** A stored run this run resumes (`team.resume`): its log, snapshot and decisions. */
  readonly replay?: RunReplay | undefined;
  /** The team's escalation policies; absent: a failed step fails the run. */
  readonly escalation?: EscalationPlan | undefined;
}

/** Asks a person before an agent marked `requiresApproval`, or a tool with `needsApproval`, runs. */
export interface RunApprover {
  /** Resolves when the agent may run; throws `ApprovalRejectedError` when a person said no. */
  approveAgent(agent: PreparedAgent, execution: RunExecution): Promise<void>;
  /**
   * The approval function handed to the agent's tool loop. Its approval id is the tool call's
   * id. With `announce: false` it does not emit `approval_requested` (the tool loop does).
   */
  toolApprover(
    agentId: string,
    execution: RunExecution,
    options?: { announce?: boolean },
  ): ToolApprovalFunction;
  /** Asks a person the task of a human step and waits for the answer (or the task's timeout). */
  askHuman(agent: PreparedAgent, task: HumanTask, execution: RunExecution): Promise<HumanAnswer>;
}

/**
 * One run in progress: numbers and stamps its events, folds them into the result and hands
 * them to the run's outlet. Flows drive it with `runAgent` and `checkpoint`; `startRun`
 * starts and ends it.
 */
export class RunExecution implements AgentStepHost, EscalationHost {
  readonly builder: RunResultBuilder;
  /** Run input and agents' outputs by name: what prompts read. */
  readonly variables: Record<string, unknown>;
  /**
   * Whether someone consumes the run's events as they happen (a stream, a handle, an observed
   * parent run). Agents without a `stream` setting stream their answers then.
   */
  readonly observed: boolean;
  private seq = 0;
  /** When the execution began (ms since the epoch): the time `run_started` carries. */
  readonly startedAt: number;
  /**
   * True while a resumed run replays steps the store already holds: events made meanwhile are
   * in the log already and are dropped. The first step that runs for real ends it.
   */
  private replaying = false;

  constructor(
    readonly plan: RunPlan,
    private readonly outlet: RunOutlet = {},
  ) {
    this.builder = new RunResultBuilder(plan.runId, plan.teamId, plan.pathPrefix, plan.roles);
    this.observed = plan.observed ?? (outlet.push !== undefined || outlet.listen !== undefined);
    this.variables = { ...plan.input };
    const replay = plan.replay;
    if (replay) {
      const outputKeys = new Map(plan.agents.map((agent) => [agent.id, agent.outputKey]));
      replay.restore(this.builder, this.variables, plan.pathPrefix, outputKeys);
      this.seq = replay.lastSeq;
      this.startedAt = replay.startedAt;
    } else {
      this.startedAt = plan.clock.now();
    }
  }

  /** A resumed run's first event (`run_resumed`); the replay of its stored steps starts after it. */
  async resumed(replay: RunReplay): Promise<void> {
    await this.emit("run_resumed", {
      afterSeq: replay.lastSeq,
      replayedSteps: replay.replayedSteps,
    });
    this.replaying = replay.pending;
  }

  /**
   * A router decision of a resumed run, when the store holds it (taken); `undefined` makes the
   * decision a live one (and ends the replay).
   */
  recallRoute(iteration: number): StreamEventDataMap["agent_selected"] | undefined {
    const route = this.plan.replay?.takeRoute(iteration);
    if (route === undefined) this.replaying = false;
    return route;
  }

  get signal(): AbortSignal {
    return this.plan.signal;
  }

  /** Emits one event of the run, stamped now. Returns a promise only under back-pressure. */
  emit<T extends StreamEventType>(
    type: T,
    data: StreamEventDataMap[T],
    agentId?: string,
    cause?: unknown,
  ): void | Promise<void> {
    return this.emitAt(this.plan.clock.now(), type, data, agentId, cause);
  }

  /** A flow's `progress` event after a step: `completed` of `total` steps, the last one `label`. */
  progress(completed: number, total: number | undefined, label: string): void | Promise<void> {
    return this.emit("progress", { completed, total, label });
  }

  /**
   * The one way an event of this run is made: numbered, folded, heard by the outlet's
   * listener, then pushed to the outlet (whose promise, under back-pressure, is returned).
   */
  emitAt<T extends StreamEventType>(
    timestamp: number,
    type: T,
    data: StreamEventDataMap[T],
    agentId?: string,
    cause?: unknown,
  ): void | Promise<void> {
    if (this.replaying) return;
    const path = agentId === undefined ? undefined : `${this.plan.pathPrefix}/${agentId}`;
    return this.record(
      createEvent(type, this.plan.runId, ++this.seq, timestamp, agentId, path, data, cause),
    );
  }

  /**
   * Appends an event of a nested run (a team used as an agent, a team in a group) to this
   * run's log: renumbered in this log, with its agent path kept. The nested run's own
   * `run_*` events stay in its own result; its agents count here through the step that ran it.
   */
  forward(event: StreamEvent): void | Promise<void> {
    if (event.type.startsWith("run_") || this.replaying) return;
    return this.record(
      createEvent(
        event.type,
        this.plan.runId,
        ++this.seq,
        event.timestamp,
        event.agentId,
        event.agentPath,
        event.data,
        eventCause(event),
      ),
      false,
    );
  }

  /** Folds the event (`own`: this run's, not a nested run's), then hands it to the outlet. */
  private record(event: StreamEvent, own = true): void | Promise<void> {
    this.builder.apply(event, own);
    this.plan.journal?.hear(event);
    this.outlet.listen?.(event);
    return this.outlet.push?.(event);
  }

  /** An event sink whose events are tagged with `agentId`. */
  sinkFor(agentId: string): EventSink {
    return new AgentSink(this, agentId);
  }

  /**
   * A step boundary: flows call it between agents (and tool rounds). Throws the abort reason
   * when the run was cancelled; waits here while the run is paused (the plan's `gate`).
   */
  async checkpoint(): Promise<void> {
    this.plan.signal.throwIfAborted();
    if (this.plan.journal) {
      await this.plan.journal.commit();
      this.plan.signal.throwIfAborted();
    }
    if (!this.plan.gate) return;
    await this.plan.gate(this);
    this.plan.signal.throwIfAborted();
  }

  /** Milliseconds since the run started. */
  elapsedMs(): number {
    return this.plan.clock.now() - this.startedAt;
  }

  /**
   * Runs one agent step (see {@link runStep}) under the team's escalation policy, if any
   * (see {@link runEscalated}). Flows run every agent through it.
   * @throws AgentFailure wrapping the agent's error.
   */
  runAgent(
    agent: PreparedAgent,
    step: number,
    signal: AbortSignal = this.plan.signal,
  ): Promise<AgentResult> {
    const escalation = this.plan.escalation;
    if (!escalation) return this.runStep(agent, step, signal);
    return runEscalated(this, escalation, agent, step, signal);
  }

  /**
   * Runs one agent step: approval when the agent needs it, `agent_started`, the agent (a model
   * call, a tool loop, a nested team, or its own `step`: rag, kag), then `agent_completed` (its
   * output becomes a variable for later prompts) or `agent_failed`.
   * @throws AgentFailure wrapping the agent's error.
   */
  async runStep(agent: PreparedAgent, step: number, signal: AbortSignal): Promise<AgentResult> {
    const { plan } = this;
    const stored = this.recall(agent.id);
    if (stored) return stored;
    const nested = plan.teams?.get(agent.id);
    const workflowStep = plan.steps?.get(agent.id);
    const settings =
      nested || workflowStep || agent.step
        ? undefined
        : (plan.agentSettings?.get(agent.id) ?? planCallSettings(plan, agent));
    const loop = plan.replay?.takeLoop(agent.id);
    if (plan.approver && agent.config.requiresApproval && !loop)
      await this.approve(plan.approver, agent, settings?.model.name);
    if (nested) return this.runTeam(agent, nested, step, signal);
    if (agent.step) return runAgentStep(this, agent, agent.step, step, signal);
    if (workflowStep) {
      const approver = plan.approver;
      const askHuman = approver && ((task: HumanTask) => approver.askHuman(agent, task, this));
      return runWorkflowStep(this, agent, workflowStep, { signal, askHuman }, step);
    }
    return runModelStep(this, agent, settings!, { number: step, signal, loop }, () => ({
      plan,
      variables: this.variables,
      observed: this.observed,
      checkpoint: () => this.checkpoint(),
      approveTool: plan.approver?.toolApprover(agent.id, this, { announce: false }),
    }));
  }

  /** A `type: team` agent's step: its team runs nested in this run. */
  private async runTeam(
    agent: PreparedAgent,
    nested: NestedTeam<RunExecution>,
    step: number,
    signal: AbortSignal,
  ): Promise<AgentResult> {
    const who = { agentId: agent.id, role: agent.role, outputKey: agent.outputKey };
    const input = nestedTeamInput(agent, this);
    const outcome = await runTeamStep(this, who, nested, input, step, signal);
    if (outcome.error !== undefined) throw new AgentFailure(agent.id, outcome.error);
    return outcome.agentResult;
  }

  /**
   * The stored result of the agent's next step while a resumed run replays (a stored escalated
   * failure is thrown again); `undefined` ends the replay: the step runs for real.
   */
  private recall(agentId: string): AgentResult | undefined {
    const stored = this.plan.replay?.takeAgent(agentId);
    if (stored === undefined) this.replaying = false;
    else if (!stored.success) throw new AgentFailure(agentId, storedError(stored));
    return stored;
  }

  /** Ends an escalated step with `output` (see {@link runEscalated}); replayed when stored. */
  async resolveStep(
    agent: PreparedAgent,
    started: number,
    output: unknown,
    details: AgentResultDetails,
  ): Promise<AgentResult> {
    if (this.plan.replay) {
      const stored = this.recall(agent.id);
      if (stored) return stored;
    }
    const outcome = { output, usage: emptyUsage(), model: undefined, latencyMs: 0 };
    return completeAgentStep(this, agent, started, {
      ...outcome,
      details: { ...details, modelCalls: 0 },
    });
  }

  /** Ends an agent's step with `agent_completed` (see {@link completeAgentStep}). */
  completeAgent(agent: PreparedAgent, started: number, outcome: AgentOutput): Promise<AgentResult> {
    return completeAgentStep(this, agent, started, outcome);
  }

  /** Ends an agent's step with `agent_failed` (see {@link failAgentStep}). @throws AgentFailure, always. */
  failAgent(
    agent: PreparedAgent,
    model: string | undefined,
    started: number,
    error: unknown,
    spent?: Usage,
  ): Promise<never> {
    return failAgentStep(this, agent, model, started, error, spent);
  }

  /** Waits for a person to approve the agent; a rejection fails the agent without running it. */
  private async approve(
    approver: RunApprover,
    agent: PreparedAgent,
    model: string | undefined,
  ): Promise<void> {
    try {
      await approver.approveAgent(agent, this);
    } catch (error) {
      if (this.plan.signal.aborted) throw error;
      await this.failAgent(agent, model, this.plan.clock.now(), error, emptyUsage());
    }
  }
}
