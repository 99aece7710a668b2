import type { AgentResult } from "../agents/agent-result.js";
import {
  runToolAgent,
  type AgentCallSettings,
  type AgentOutput,
  type AgentRunContext,
  type PreparedAgent,
} from "../agents/llm-agent.js";
import { AgentCall, AgentSink } from "./agent-call.js";
import type { AgentStepHost } from "./agent-step-host.js";
import type { ToolApprovalFunction } from "../tools/tool-approval.js";
import { createEvent, eventCause } from "../events/create-event.js";
import { toErrorInfo } from "../events/error-info.js";
import type { EventSink } from "../events/event-sink.js";
import { RunTimeoutError } from "../errors/run-timeout-error.js";
import type { RunStatus, StreamEvent, StreamEventDataMap } from "../events/stream-event.js";
import type { StreamEventType } from "../events/stream-event-type.js";
import { emptyUsage, type Usage } from "../events/usage.js";
import type { Clock } from "../internal/clock.js";
import type { ModelCall, ResolvedModel } from "../providers/model-call.js";
import { nestedTeamInput, runTeamStep, type NestedTeam } from "./nested-team.js";
import { getRetryMetrics, shouldEscalate } from "../resilience/retry-metrics.js";
import { RunResultBuilder, type RunResult } from "./run-result.js";

/** Where a run's events go besides the fold: a stream's channel, or a parent run's log. */
export interface EventOutlet {
  push(event: StreamEvent): void | Promise<void>;
}

/** Everything a run needs, fixed at run start. */
export interface RunPlan {
  runId: string;
  teamId: string;
  agents: PreparedAgent[];
  /** Each agent's role by agent id (shared by the team's runs). */
  roles?: ReadonlyMap<string, string>;
  models: Map<string, ResolvedModel>;
  /** Each agent's fallback models, in order. */
  fallbackModels?: Map<string, ResolvedModel[]>;
  /** Each agent's call settings (model, fallbacks, pipeline, temperature, …), shared by the team's runs. */
  agentSettings?: Map<string, AgentCallSettings>;
  /** Each agent's model-call pipeline (its retry policy, breaker and timeout). */
  agentCalls?: Map<string, ModelCall>;
  /** The team's pipeline, for calls that belong to no agent. */
  call: ModelCall;
  clock: Clock;
  signal: AbortSignal;
  input: Record<string, unknown>;
  /** Prefix of agent paths, e.g. `support` or `group/support`. */
  pathPrefix: string;
  mode: string;
  /** Team-wide call settings; `stream: undefined` streams when the run is {@link RunPlan.observed}. */
  defaults: {
    temperature: number | undefined;
    maxTokens: number | undefined;
    stream: boolean | undefined;
  };
  /**
   * Whether someone consumes the run's events as they happen. Default: the run has a stream
   * consumer or listeners. A nested run takes its parent's.
   */
  observed?: boolean;
  /** Extra listeners of every event (stores, loggers). */
  listeners: ((event: StreamEvent) => void)[];
  /** Called at every step boundary; may wait (pause) before the run goes on. */
  gate?: (execution: RunExecution) => Promise<void>;
  /** Agents of type `team`, by agent id: the nested teams they run. */
  teams?: Map<string, NestedTeam<RunExecution>>;
  /** Asks people for approvals (set by `team.start()`); absent when nobody can be asked. */
  approver?: RunApprover;
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
}

/**
 * One run in progress: numbers and stamps its events, folds them into the result and feeds
 * the stream consumer, if any. Flows drive it with `runAgent`.
 */
export class RunExecution implements AgentStepHost {
  readonly builder: RunResultBuilder;
  /** Run input and agents' outputs by name: what prompts read. */
  readonly variables: Record<string, unknown>;
  /**
   * Whether someone consumes the run's events as they happen (a stream, a handle, listeners,
   * an observed parent run). Agents without a `stream` setting stream their answers then.
   */
  readonly observed: boolean;
  /**
   * Nobody but the fold sees this run's events: no stream consumer, parent log or listener
   * (listeners are on the plan before the execution is made).
   */
  private readonly unread: boolean;
  private seq = 0;
  private scratch: ScratchEvent | undefined;
  private lastTimestamp = 0;
  /** When the execution began (ms since the epoch): the time `run_started` carries. */
  readonly startedAt: number;

  constructor(
    readonly plan: RunPlan,
    private readonly channel: EventOutlet | undefined,
  ) {
    this.builder = new RunResultBuilder(plan.runId, plan.teamId, plan.pathPrefix, plan.roles);
    this.unread = channel === undefined && plan.listeners.length === 0;
    this.observed = plan.observed ?? !this.unread;
    this.variables = { ...plan.input };
    this.startedAt = plan.clock.now();
  }

  get signal(): AbortSignal {
    return this.plan.signal;
  }

  /** Emits one event of the run. Returns a promise only under back-pressure. */
  emit<T extends StreamEventType>(
    type: T,
    data: StreamEventDataMap[T],
    agentId?: string,
    cause?: unknown,
  ): void | Promise<void> {
    return this.emitAt(this.plan.clock.now(), type, data, agentId, cause);
  }

  /**
   * A flow's `progress` event after a step: `completed` of `total` steps, the last one `label`.
   * When nobody reads the run's events its data is not even built (the fold only counts it).
   */
  progress(completed: number, total: number | undefined, label: string): void | Promise<void> {
    if (this.unread) {
      this.seq++;
      this.builder.count();
      return;
    }
    return this.emitAt(this.lastTimestamp, "progress", { completed, total, label });
  }

  /** {@link emit} with a timestamp the caller has read already (saves a clock read per event). */
  emitAt<T extends StreamEventType>(
    timestamp: number,
    type: T,
    data: StreamEventDataMap[T],
    agentId?: string,
    cause?: unknown,
  ): void | Promise<void> {
    this.lastTimestamp = timestamp;
    if (this.unread) {
      // Nobody sees this event but the fold (a plain `run()`): fold it from one reused object
      // instead of allocating an event that would be garbage at once. The fold keeps no event.
      const scratch = (this.scratch ??= {
        type,
        runId: this.plan.runId,
        seq: 0,
        timestamp,
        agentId,
        agentPath: undefined,
        data,
        cause,
      });
      scratch.type = type;
      scratch.seq = ++this.seq;
      scratch.timestamp = timestamp;
      scratch.agentId = agentId;
      scratch.data = data;
      scratch.cause = cause;
      this.builder.apply(scratch as unknown as StreamEvent, true);
      scratch.data = undefined;
      scratch.cause = undefined;
      return;
    }
    const event = createEvent(
      type,
      this.plan.runId,
      ++this.seq,
      timestamp,
      agentId,
      agentId === undefined ? undefined : `${this.plan.pathPrefix}/${agentId}`,
      data,
      cause,
    );
    this.builder.apply(event, true);
    const listeners = this.plan.listeners;
    for (let index = 0; index < listeners.length; index++) listeners[index]!(event);
    return this.channel?.push(event);
  }

  /**
   * Appends an event of a nested run (a team used as an agent, a team in a group) to this
   * run's log: renumbered in this log, with its agent path kept. The nested run's own
   * `run_*` events stay in its own result; its agents count here through the step that ran it.
   */
  forward(event: StreamEvent): void | Promise<void> {
    if (event.type.startsWith("run_")) return;
    const data = event.data;
    const forwarded = createEvent(
      event.type,
      this.plan.runId,
      ++this.seq,
      event.timestamp,
      event.agentId,
      event.agentPath,
      data,
      eventCause(event),
    );
    this.builder.apply(forwarded);
    for (const listener of this.plan.listeners) listener(forwarded);
    return this.channel?.push(forwarded);
  }

  /** An event sink whose events are tagged with `agentId`. */
  sinkFor(agentId: string): EventSink {
    return new AgentSink(this, agentId);
  }

  /**
   * A step boundary: flows call it between agents (and tool rounds). Throws the abort reason
   * when the run was cancelled; waits here while the run is paused.
   */
  async checkpoint(): Promise<void> {
    this.plan.signal.throwIfAborted();
    if (this.plan.gate) await this.plan.gate(this);
    this.plan.signal.throwIfAborted();
  }

  /**
   * {@link checkpoint} without a promise when the run has no gate (the common case): throws the
   * abort reason when the run was cancelled, and returns the wait only when there is one.
   * Flows write `const wait = execution.passBoundary(); if (wait) await wait;`.
   */
  passBoundary(): void | Promise<void> {
    if (this.plan.gate) return this.checkpoint();
    this.plan.signal.throwIfAborted();
  }

  /** Milliseconds since the run started. */
  elapsedMs(): number {
    return this.plan.clock.now() - this.startedAt;
  }

  /**
   * Runs one agent: `agent_started`, the agent, then `agent_completed` (its output becomes a
   * variable for later prompts) or `agent_failed`.
   * @throws AgentFailedError wrapping the agent's error.
   */
  runAgent(
    agent: PreparedAgent,
    step: number,
    signal: AbortSignal = this.plan.signal,
  ): Promise<AgentResult> {
    const { plan } = this;
    if (
      agent.executor ||
      plan.teams?.has(agent.id) ||
      (plan.approver && agent.config.requiresApproval)
    )
      return this.runAgentInFull(agent, step, signal);
    // A tool-less LLM agent (the common step): its model call's promise with one reaction,
    // no async frame of its own (at a thousand runs in flight, frames are what costs).
    const settings = plan.agentSettings?.get(agent.id) ?? this.settingsOf(agent);
    const started = plan.clock.now();
    const call = new AgentCall(this, agent, settings, signal, started);
    const announced = this.emitAt(
      started,
      "agent_started",
      { role: agent.role, model: settings.model.name, step },
      agent.id,
    );
    return announced ? announced.then(() => call.run()) : call.run();
  }

  /** {@link runAgent} for nested teams, agents with tools and agents that need approval. */
  private async runAgentInFull(
    agent: PreparedAgent,
    step: number,
    signal: AbortSignal,
  ): Promise<AgentResult> {
    const { plan } = this;
    const nested = plan.teams?.get(agent.id);
    if (nested) {
      if (plan.approver && agent.config.requiresApproval)
        await this.approve(plan.approver, agent, undefined);
      const who = { agentId: agent.id, role: agent.role, outputKey: agent.outputKey };
      const outcome = await runTeamStep(
        this,
        who,
        nested,
        nestedTeamInput(agent, this),
        step,
        signal,
      );
      if (outcome.error !== undefined) throw new AgentFailure(agent.id, outcome.error);
      return outcome.agentResult;
    }
    const settings = plan.agentSettings?.get(agent.id) ?? this.settingsOf(agent);
    const model = settings.model;
    if (plan.approver && agent.config.requiresApproval)
      await this.approve(plan.approver, agent, model.name);
    const started = plan.clock.now();
    const announced = this.emitAt(
      started,
      "agent_started",
      { role: agent.role, model: model.name, step },
      agent.id,
    );
    if (announced) await announced;
    const call = new AgentCall(this, agent, settings, signal, started);
    // A tool-less agent that needed approval goes on as any tool-less step.
    const executor = agent.executor;
    if (!executor) return call.run();
    let outcome: AgentOutput;
    try {
      const context: AgentRunContext = {
        settings,
        variables: this.variables,
        observed: this.observed,
        checkpoint: () => this.checkpoint(),
      };
      if (plan.approver)
        context.approveTool = plan.approver.toolApprover(agent.id, this, { announce: false });
      outcome = await runToolAgent(agent, executor, context, call);
    } catch (error) {
      return call.failed(error);
    }
    return call.complete(outcome);
  }

  /**
   * Ends an agent's step with `agent_completed`; its output becomes a variable for later
   * prompts. Returns the agent's result (the fold's), or a promise of it under back-pressure.
   */
  completeAgent(
    agent: PreparedAgent,
    started: number,
    outcome: AgentOutput,
  ): AgentResult | Promise<AgentResult> {
    const ended = this.plan.clock.now();
    this.variables[agent.outputKey] = outcome.output;
    // The agent's output is the event's data, once its latency is in.
    outcome.latencyMs = ended - started;
    const completed = this.emitAt(ended, "agent_completed", outcome, agent.id);
    // The fold has just built the agent's result from this event: hand out the same object.
    const result = this.builder.lastAgentResult!;
    return completed ? completed.then(() => result) : result;
  }

  /**
   * Ends an agent's step with `agent_failed`, its usage `spent` (what the agent's calls
   * reported) or else the usage `error` carries.
   * @throws AgentFailure wrapping `error`, always.
   */
  async failAgent(
    agent: PreparedAgent,
    model: string,
    started: number,
    error: unknown,
    spent?: Usage,
  ): Promise<never> {
    const latencyMs = this.plan.clock.now() - started;
    const usage = spent ?? usageOf(error);
    const details = detailsOf(error);
    await this.emit(
      "agent_failed",
      { error: toErrorInfo(error), usage, model, latencyMs, ...(details ? { details } : {}) },
      agent.id,
      error,
    );
    throw new AgentFailure(agent.id, error);
  }

  /** The agent's call settings from the plan's maps (for plans built without `agentSettings`). */
  private settingsOf(agent: PreparedAgent): AgentCallSettings {
    const { plan } = this;
    return agentCallSettings(
      agent,
      plan.models.get(agent.id)!,
      plan.fallbackModels?.get(agent.id),
      plan.agentCalls?.get(agent.id) ?? plan.call,
      plan.defaults,
    );
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
      await this.emit(
        "agent_failed",
        { error: toErrorInfo(error), usage: emptyUsage(), model, latencyMs: 0 },
        agent.id,
        error,
      );
      throw new AgentFailure(agent.id, error);
    }
  }

  /** Ends the run with `run_completed`. */
  async complete(output: unknown): Promise<RunResult> {
    const now = this.plan.clock.now();
    const completed = this.emitAt(now, "run_completed", {
      output,
      usage: this.builder.result.usage,
      durationMs: now - this.startedAt,
    });
    if (completed) await completed;
    return this.builder.result;
  }

  /** Ends the run with `run_cancelled` or `run_failed`, as the error says. */
  async fail(thrown: unknown): Promise<RunResult> {
    const failedAgent = thrown instanceof AgentFailure ? thrown.agentId : undefined;
    const error = thrown instanceof AgentFailure ? thrown.error : thrown;
    const usage = this.builder.result.usage;
    const abortReason = this.plan.signal.aborted ? (this.plan.signal.reason as unknown) : undefined;
    if (this.plan.signal.aborted && !RunTimeoutError.isInstance(abortReason)) {
      const reason = abortReason;
      const message =
        reason instanceof Error
          ? reason.message
          : typeof reason === "string"
            ? reason
            : "cancelled";
      await this.emit(
        "run_cancelled",
        { reason: message, usage, durationMs: this.elapsedMs() },
        undefined,
        reason,
      );
    } else {
      const failure = abortReason ?? error;
      await this.emit(
        "run_failed",
        {
          error: toErrorInfo(failure),
          status: statusOf(failure),
          ...(failedAgent ? { failedAgent } : {}),
          usage,
          durationMs: this.elapsedMs(),
        },
        undefined,
        failure,
      );
    }
    return this.builder.result;
  }
}

/**
 * An agent's call settings: its model, fallbacks and pipeline, and its own temperature, token
 * limit and `stream` over the team's `defaults` (`stream` unset: stream when the run is observed).
 */
export function agentCallSettings(
  agent: PreparedAgent,
  model: ResolvedModel,
  fallbackModels: ResolvedModel[] | undefined,
  call: ModelCall,
  defaults: RunPlan["defaults"],
): AgentCallSettings {
  return {
    model,
    fallbackModels,
    call,
    temperature: agent.config.temperature ?? defaults.temperature,
    maxTokens: agent.config.maxTokens ?? defaults.maxTokens,
    stream: agent.config.stream ?? defaults.stream,
  };
}

/** The fields of an event, for folding an event nobody else sees (see `RunExecution.emitAt`). */
interface ScratchEvent {
  type: StreamEventType;
  runId: string;
  seq: number;
  timestamp: number;
  agentId: string | undefined;
  agentPath: string | undefined;
  data: unknown;
  cause: unknown;
}

/** An agent failed; carries which one, so the run can name it. */
export class AgentFailure extends Error {
  override readonly name = "AgentFailure";
  constructor(
    readonly agentId: string,
    readonly error: unknown,
  ) {
    super(`Agent "${agentId}" failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}

function statusOf(error: unknown): RunStatus {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code === "budget_exceeded") return "budget_exceeded";
  if (code === "run_timeout" || (error instanceof Error && error.name === "TimeoutError"))
    return "timeout";
  return "failed";
}

function usageOf(error: unknown): Usage {
  const usage = (error as { usage?: Usage } | undefined)?.usage;
  return usage && typeof usage.totalTokens === "number" ? usage : emptyUsage();
}

function detailsOf(error: unknown): Record<string, unknown> | undefined {
  const found = (error as { details?: unknown } | undefined)?.details;
  const details: Record<string, unknown> =
    typeof found === "object" && found !== null ? { ...(found as Record<string, unknown>) } : {};
  const retryMetrics = getRetryMetrics(error);
  if (retryMetrics) {
    details.retryMetrics = retryMetrics;
    details.modelCalls ??= retryMetrics.attempts;
  }
  if (shouldEscalate(error)) details.shouldEscalate = true;
  return Object.keys(details).length > 0 ? details : undefined;
}
