/** An approval the run is waiting for. */
export interface ApprovalRequest {
  /** Pass it to `handle.approve(id)` or `handle.reject(id, reason)` (a human task: `handle.answer(id, value)`). */
  approvalId: string;
  /** `agent` (an agent marked `requiresApproval`), `tool` (a tool call), `human` (a human step's task). */
  kind: "agent" | "tool" | "human";
  /** The agent to run, the agent whose tool call waits, or the human step. */
  agentId: string;
  toolName?: string;
  arguments?: unknown;
  callId?: string;
  /** Human tasks: what the person is asked. */
  prompt?: string;
  /** Human tasks: who should answer. */
  assignee?: string;
  /** Human tasks: the JSON Schema the answer's value must match. */
  form?: Record<string, unknown>;
  /** Human tasks: how long the run waits, in ms from `requestedAt`. */
  timeoutMs?: number;
  /** When it was asked, in ms since the epoch (the run's clock). */
  requestedAt: number;
}

/** A decision on an approval; human tasks carry the answer's `value`. */
export interface Decision {
  approved: boolean;
  reason?: string | undefined;
  value?: unknown;
  /** Nobody decided before the task's timeout. */
  timedOut?: boolean | undefined;
}
