import type { EventSink } from "../events/event-sink.js";
import type { Usage } from "../events/usage.js";
import type { MeteredCall } from "../cost/usage-meter.js";
import type { AgentResultDetails } from "./agent-result.js";

/** What an agent step that makes no model call of the run sees. */
export interface AgentStepContext {
  /** Run input and earlier agents' outputs, by name (the step may set documented variables, e.g. `context`). */
  variables: Record<string, unknown>;
  signal: AbortSignal;
  /** Its events, tagged with the agent. */
  events: EventSink;
  /**
   * Counts a call that is not a model call (a query embedding) in the run's cost layer, as
   * the agent's: priced, in its usage and budgets, or refused by a hard budget without room.
   * Absent when the run has no cost layer.
   */
  meter?: <T>(call: MeteredCall<T>) => Promise<T>;
}

/**
 * The work of an agent kind that calls no model of the run (`rag`, `kag`): the run emits
 * `agent_started`, calls it, then `agent_completed` with its output (or `agent_failed`).
 */
export type AgentStep = (context: AgentStepContext) => Promise<AgentStepOutput>;

/** What an agent step answers (the same shape as an `llm` agent's output). */
export interface AgentStepOutput {
  output: unknown;
  usage: Usage;
  /** The model that answered; undefined when the step called none. */
  model: string | undefined;
  /** 0 here: the run sets the step's wall time. */
  latencyMs: number;
  details: AgentResultDetails & { modelCalls: number };
}
