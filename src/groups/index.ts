// Public API of flows, the router, groups and reports. The lead wires these names into src/index.ts.
export {
  agentCalled,
  terminateAtCostUsd,
  maxIterations,
  textMention,
  terminateAfterMs,
  TerminationCondition,
} from "../router/termination.js";
export type { TerminationConfig, TerminationState } from "../router/termination.js";
export {
  INVALID_DECISION_RULES,
  ORCHESTRATOR_DEFAULTS,
  orchestratorSchema,
} from "../router/orchestrator-config.js";
export type { OrchestratorConfig } from "../router/orchestrator-config.js";
export { ORCHESTRATOR_ID } from "../router/route-decision.js";
export { flowSchema, flowEdgeSchema, flowGraphSchema } from "../flows/flow-config.js";
export type { FlowConfig, FlowEdgeConfig } from "../flows/flow-config.js";
export type { ConditionConfig, StructuredCondition } from "../flows/condition.js";
export { RunReport } from "../run/report/run-report.js";
export type { RunReportAgent, RunReportData, RunReportDecision } from "../run/report/run-report.js";
export { RunTimeoutError } from "../errors/run-timeout-error.js";
export { OutputValidationError } from "../errors/output-validation-error.js";
export { RouterDecisionError } from "../errors/router-decision-error.js";
export type { JsonSchema } from "../agents/structured-output.js";
export { LLMGroup, GroupOrchestrator } from "./llm-group.js";
export type { GroupTeamEntry, LLMGroupOptions } from "./llm-group.js";
export { GROUP_ROLES, TEAM_ROLES, groupConfigSchema, groupTeamSchema } from "./group-config.js";
export type { GroupConfig, GroupRole, TeamRole } from "./group-config.js";
export type { GroupResult, GroupTeamError } from "./group-result.js";
export { GroupStream } from "./group-stream.js";
export { loadGroup, loadTeamOrGroup, parseGroupText, readGroupFile } from "./load-group.js";
export { GroupTeamFailedError } from "../errors/group-team-failed-error.js";
export { SYNTHESIS } from "./arbitrate.js";
