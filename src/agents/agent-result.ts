import type { ErrorInfo } from "../events/error-info.js";
import type { Citation, RetrievalFact } from "../events/retrieval.js";
import type { RetryMetrics } from "../events/retry-metrics.js";
import type { RunStatus } from "../events/run-status.js";
import type { Usage } from "../events/usage.js";
import type { ToolCallRecord, ToolLoopStopReason } from "../tools/tool-call-record.js";

/**
 * What an agent step reports beyond its output and usage, by what produced it. The same object
 * is `data.details` of its `agent_completed` / `agent_failed` event and is spread into its
 * {@link AgentResult}, so `result.agentResults[i].toolCalls` and `event.data.details.toolCalls`
 * are one record, typed once.
 */
export interface AgentResultDetails {
  /** Model calls the agent made (retries and a structured-output repair included). */
  modelCalls?: number;
  /** Agents with tools: every tool call, in the order they ended. */
  toolCalls?: ToolCallRecord[];
  /** Agents with tools: tool rounds run. */
  toolRounds?: number;
  /** Agents with tools: true when the model still asked for tools after `maxToolRounds`. */
  maxRoundsReached?: boolean;
  /** Agents with tools: why the tool loop ended. */
  toolLoopStopReason?: ToolLoopStopReason;
  /** What retries, the circuit breaker and fallbacks did, when any of them acted. */
  retryMetrics?: RetryMetrics;
  /** True when the agent's failure asks for escalation (see `shouldEscalate`). */
  shouldEscalate?: boolean;
  /** `type: team` agents: the nested run. */
  team?: { teamId: string; status: RunStatus | "running"; agentsCalled: string[] };
  /** `rag` / `kag` agents: where each retrieved passage comes from (document, chunk, score). */
  citations?: Citation[];
  /** Other run variables that hold this agent's output too (`context` for `rag` / `kag` agents). */
  outputAliases?: string[];
  /** `rag` agents in vector or hybrid mode: the embedding call of the query (model, tokens). */
  embedding?: { model: string; tokens: number };
  /** `kag` agents with `includeRelations`: the facts of the graph walk. */
  facts?: RetrievalFact[];
  /** Workflow steps: the kind of step (`transform`, `http`, `human`, `switch`). */
  step?: "transform" | "http" | "human" | "switch";
  /** `http` steps: the response's status. */
  httpStatus?: number;
  /** `human` steps: who gave the answer, a person or the timeout. */
  answeredBy?: "person" | "timeout";
  /** Fields added by custom middleware. */
  [detail: string]: unknown;
}

/** What one agent produced in a run. */
export interface AgentResult extends AgentResultDetails {
  agentId: string;
  role: string;
  /** The answer: text, or an object for structured output. Undefined when the agent failed. */
  output: unknown;
  success: boolean;
  /** Why the agent failed. */
  error?: ErrorInfo;
  /** Tokens over all of the agent's model calls, as the provider reported them. */
  usage: Usage;
  /** The model that answered (the last one, after any fallback). */
  model: string | undefined;
  /** Wall time of the agent, in ms. */
  latencyMs: number;
  /** Model calls the agent made. */
  modelCalls: number;
}
