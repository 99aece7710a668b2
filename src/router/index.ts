// Public names of the router: termination conditions, orchestrator settings, the router's id.
export {
  TerminationCondition,
  agentCalled,
  maxIterations,
  terminateAfterMs,
  terminateAtCostUsd,
  textMention,
} from "./termination.js";
export type { TerminationConfig, TerminationState } from "./termination.js";
export type { OrchestratorConfig } from "./orchestrator-config.js";
export { ORCHESTRATOR_ID } from "./route-decision.js";
