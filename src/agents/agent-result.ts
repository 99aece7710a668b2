import type { ErrorInfo } from "../events/stream-event.js";
import type { Usage } from "../events/usage.js";

/** What one agent produced in a run. */
export interface AgentResult {
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
  /** Further fields added by tools, resilience and cost (tool calls, retry metrics, …). */
  [detail: string]: unknown;
}
