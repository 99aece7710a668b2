import type { AgentResult } from "../agents/agent-result.js";
import {
  agentAnswer,
  agentRequest,
  announceRepair,
  repairRequest,
  type AgentCallSettings,
  type AgentOutput,
  type PreparedAgent,
} from "../agents/llm-agent.js";
import { OutputValidationError } from "../errors/output-validation-error.js";
import type { EventSink } from "../events/event-sink.js";
import { addUsage, emptyUsage, type Usage } from "../events/usage.js";
import type { StreamEventDataMap } from "../events/stream-event.js";
import type { StreamEventType } from "../events/stream-event-type.js";
import type { Clock } from "../internal/clock.js";
import type { CallContext, ModelRequest, ModelResponse } from "../providers/model-call.js";
import type { AgentStepHost } from "./agent-step-host.js";

/**
 * The event sink of one agent of a run: its events are tagged with the agent's id. Its state is
 * private (`#`), so a context that carries it stays plain data for spreads and `JSON.stringify`.
 */
export class AgentSink implements EventSink {
  readonly #execution: AgentStepHost;
  readonly #agentId: string;
  #spent: Usage | undefined;
  #shared = false;

  constructor(execution: AgentStepHost, agentId: string) {
    this.#execution = execution;
    this.#agentId = agentId;
  }

  /**
   * The tokens of every model call made through this sink, as its `cost_update` events
   * reported them (attempts that failed after producing tokens included); `undefined` before
   * the first.
   */
  get spent(): Usage | undefined {
    return this.#spent;
  }

  emit<T extends StreamEventType>(
    type: T,
    data: StreamEventDataMap[T],
    timestamp?: number,
  ): void | Promise<void> {
    if (type === "cost_update") this.count((data as StreamEventDataMap["cost_update"]).tokens);
    return this.#execution.emitAt(
      timestamp ?? this.#execution.plan.clock.now(),
      type,
      data,
      this.#agentId,
    );
  }

  /** Counts tokens spent before this process (a resumed step's earlier calls). */
  seed(usage: Usage): void {
    this.#spent = addUsage(emptyUsage(), usage);
  }

  /** Adds one call's tokens; the first call's usage is kept as it is (most steps make one call). */
  private count(tokens: Usage): void {
    if (this.#spent === undefined) {
      this.#spent = tokens;
      this.#shared = true;
      return;
    }
    if (this.#shared) {
      this.#spent = addUsage(emptyUsage(), this.#spent);
      this.#shared = false;
    }
    addUsage(this.#spent, tokens);
  }
}

/**
 * One agent step's model call, which is also the call's context: what middleware sees is its
 * public fields (`signal`, `clock`, `events`, `runId`, `agentId`); the step's state is private.
 */
export class AgentCall implements CallContext {
  readonly events: EventSink;
  readonly clock: Clock;
  readonly runId: string;
  readonly agentId: string;
  readonly signal: AbortSignal;
  readonly #execution: AgentStepHost;
  readonly #agent: PreparedAgent;
  readonly #settings: AgentCallSettings;
  readonly #started: number;
  #request: ModelRequest | undefined;
  /** The first, invalid structured answer while its repair is asked for. */
  #invalid: ModelResponse | undefined;

  readonly #sink: AgentSink;

  constructor(
    execution: AgentStepHost,
    agent: PreparedAgent,
    settings: AgentCallSettings,
    signal: AbortSignal,
    started: number,
  ) {
    this.#sink = new AgentSink(execution, agent.id);
    this.events = this.#sink;
    this.clock = execution.plan.clock;
    this.runId = execution.plan.runId;
    this.agentId = agent.id;
    this.signal = signal;
    this.#execution = execution;
    this.#agent = agent;
    this.#settings = settings;
    this.#started = started;
  }

  /** Renders the prompts, calls the model and ends the step (tool-less agents). */
  run(): Promise<AgentResult> {
    let request: ModelRequest;
    try {
      request = agentRequest(
        this.#agent,
        this.#settings,
        this.#execution.variables,
        this.#execution.observed,
      );
    } catch (error) {
      return this.failed(error);
    }
    this.#request = request;
    return this.#settings.call(request, this).then(
      (response) => this.answered(response),
      (error: unknown) => this.failed(error),
    );
  }

  /** The model answered: the agent's answer, then `agent_completed`. */
  answered(response: ModelResponse): Promise<AgentResult> {
    let outcome: AgentOutput;
    const first = this.#invalid;
    try {
      outcome = agentAnswer(this.#agent, first ? withEarlier(first, response) : response);
      if (first) outcome.details.modelCalls += first.retryMetrics?.attempts ?? 1;
    } catch (error) {
      if (first === undefined && this.#request && OutputValidationError.isInstance(error))
        return this.repair(this.#request, response, error);
      return this.failed(error);
    }
    return this.complete(outcome);
  }

  /** The step's calls before a restart spent `usage` (a resumed tool loop): it counts in the step's usage. */
  spentBefore(usage: Usage): void {
    this.#sink.seed(usage);
  }

  /**
   * Ends the step with `agent_completed`. The agent's usage is every token its calls reported
   * (a failed attempt's included), or the outcome's when no call reported any.
   */
  complete(outcome: AgentOutput): Promise<AgentResult> {
    const spent = this.#sink.spent;
    if (spent !== undefined) outcome.usage = spent;
    return this.#execution.completeAgent(this.#agent, this.#started, outcome);
  }

  /**
   * A structured answer that is not JSON or does not match the schema is asked for once more,
   * with what was wrong (what a grammar cannot enforce, such as `maximum`).
   */
  private async repair(
    request: ModelRequest,
    response: ModelResponse,
    error: OutputValidationError,
  ): Promise<AgentResult> {
    this.#invalid = response;
    await announceRepair(this, this.#agent, error);
    return this.#settings.call(repairRequest(request, response.text, error), this).then(
      (answer) => this.answered(answer),
      (failure: unknown) => this.failed(failure),
    );
  }

  /**
   * The call failed for good: `agent_failed` with the tokens the agent's calls reported so far
   * (earlier tool rounds, a cut stream), then the step's rejection.
   */
  failed(error: unknown): Promise<never> {
    return this.#execution.failAgent(
      this.#agent,
      this.#settings.model.name,
      this.#started,
      error,
      this.#sink.spent,
    );
  }
}

/** The repaired answer, counting the tokens of the invalid one too. */
function withEarlier(earlier: ModelResponse, response: ModelResponse): ModelResponse {
  return { ...response, usage: addUsage(addUsage(emptyUsage(), earlier.usage), response.usage) };
}
