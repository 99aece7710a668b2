// Public names of flows: the shapes of `flow` settings and edge conditions.
export type { FlowConfig, FlowEdgeConfig } from "./flow-config.js";
export type { ConditionConfig, StructuredCondition } from "./condition.js";
