import type { AgentResult } from "../agents/agent-result.js";
import { agentAnswer, agentRequest, type AgentCallSettings, type AgentOutput, type PreparedAgent } from "../agents/llm-agent.js";
import type { EventSink } from "../events/event-sink.js";
import type { StreamEventDataMap } from "../events/stream-event.js";
import type { StreamEventType } from "../events/stream-event-type.js";
import type { Clock } from "../internal/clock.js";
import type { CallContext, ModelRequest, ModelResponse } from "../providers/model-call.js";
import { callInto, type CallTarget } from "./model-pipeline.js";
import type { RunExecution } from "./run-execution.js";

/** The event sink of one agent of a run: its events are tagged with the agent's id. */
export class AgentSink implements EventSink {
  constructor(
    protected readonly execution: RunExecution,
    private readonly sinkAgentId: string,
  ) {}

  emit<T extends StreamEventType>(type: T, data: StreamEventDataMap[T], timestamp?: number): void | Promise<void> {
    return this.execution.emitAt(timestamp ?? this.execution.plan.clock.now(), type, data, this.sinkAgentId);
  }
}

/**
 * One agent step's model call. It is also the call's context and the agent's event sink
 * (`events` is itself): one object per step.
 */
export class AgentCall extends AgentSink implements CallContext, CallTarget<AgentResult> {
  readonly events: EventSink = this;
  readonly clock: Clock;
  readonly runId: string;
  readonly agentId: string;

  constructor(
    execution: RunExecution,
    private readonly agent: PreparedAgent,
    private readonly settings: AgentCallSettings,
    readonly signal: AbortSignal,
    private readonly started: number,
  ) {
    super(execution, agent.id);
    this.agentId = agent.id;
    this.clock = execution.plan.clock;
    this.runId = execution.plan.runId;
  }

  /** Renders the prompts, calls the model and ends the step (tool-less agents). */
  run(): Promise<AgentResult> {
    let request: ModelRequest;
    try {
      request = agentRequest(this.agent, this.settings, this.execution.variables, this.execution.observed);
    } catch (error) {
      return this.failed(error);
    }
    return callInto(this.settings.call, request, this, this);
  }

  /** The model answered: the agent's answer, then `agent_completed` (as a {@link CallTarget}). */
  answered(response: ModelResponse): AgentResult | Promise<AgentResult> {
    let outcome: AgentOutput;
    try {
      outcome = agentAnswer(this.agent, response);
    } catch (error) {
      return this.failed(error);
    }
    return this.execution.completeAgent(this.agent, this.started, outcome);
  }

  /** The call failed for good: `agent_failed`, then the step's rejection. */
  failed(error: unknown): Promise<never> {
    return this.execution.failAgent(this.agent, this.settings.model.name, this.started, error);
  }
}
