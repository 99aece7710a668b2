/** The kinds of event a run emits. Values are the seed's, plus those a production run needs. */
export const StreamEventType = {
  RUN_STARTED: "run_started",
  RUN_COMPLETED: "run_completed",
  RUN_FAILED: "run_failed",
  RUN_CANCELLED: "run_cancelled",
  RUN_RESUMED: "run_resumed",
  AGENT_STARTED: "agent_started",
  AGENT_COMPLETED: "agent_completed",
  AGENT_FAILED: "agent_failed",
  AGENT_SELECTED: "agent_selected",
  TOKEN: "token",
  CHUNK: "chunk",
  PROGRESS: "progress",
  COST_UPDATE: "cost_update",
  TOOL_CALL: "tool_call",
  TOOL_RESULT: "tool_result",
  RETRY: "retry",
  CIRCUIT_STATE_CHANGED: "circuit_state_changed",
  FALLBACK: "fallback",
  BUDGET_ALERT: "budget_alert",
  BUDGET_EXCEEDED: "budget_exceeded",
  LIFECYCLE_CHANGED: "lifecycle_changed",
  APPROVAL_REQUESTED: "approval_requested",
  WARNING: "warning",
  RETRIEVAL: "retrieval",
  ESCALATION: "escalation",
} as const;

/** One of the {@link StreamEventType} values. */
export type StreamEventType = (typeof StreamEventType)[keyof typeof StreamEventType];
