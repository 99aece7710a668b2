import type { AgentConfig } from "../agents/agent-config.js";
import { STEP_DEFAULTS } from "../agents/step-config.js";
import type { CountRange } from "./estimate-agent.js";
import type { AgentEstimate } from "./estimate-agent.js";

/** What an estimate assumes of workflow steps' outputs. */
export const STEP_ASSUMPTION =
  "Workflow steps call no model and cost nothing; a prompt reading a step's output counts it at its size limit (http maxBytes, transform maxOutputBytes) / 3 tokens, a human answer at 1,000 tokens.";

/** The most tokens a workflow step's output may add to a prompt that reads it. */
export function stepOutputTokens(config: AgentConfig): number {
  if (config.http) return Math.ceil((config.http.maxBytes ?? STEP_DEFAULTS.httpMaxBytes) / 3);
  if (config.transform)
    return Math.ceil(
      (config.transform.maxOutputBytes ?? STEP_DEFAULTS.transformMaxOutputBytes) / 3,
    );
  if (config.human) return 1_000;
  return 10;
}

/** A workflow step's row: no model, no calls, no tokens, no cost. */
export function stepRow(agentId: string, runs: CountRange): AgentEstimate {
  const none = { min: 0, max: 0 };
  return {
    agentId,
    kind: "step",
    model: undefined,
    tokenizer: "none",
    runs,
    calls: none,
    inputTokens: none,
    outputTokens: none,
    minUsd: 0,
    maxUsd: 0,
    unpricedModels: [],
  };
}
