/** A tool call waiting for a person's approval (tools declared with `needsApproval`). */
export interface ToolApprovalRequest {
  toolName: string;
  /** The arguments the model gave, parsed. */
  arguments: unknown;
  /** The model's id of the tool call. */
  callId: string;
}

/** The answer to a tool approval: `true`/`false`, or an object with the reason for a rejection. */
export type ToolApprovalDecision = boolean | { approved: boolean; reason?: string };

/**
 * Asks whether a tool call may run. The run emits `approval_requested` and waits (paused)
 * until `handle.approve(id)` or `handle.reject(id, reason)`; a rejection is reported to the model.
 * Rejects with the abort reason when the run is cancelled while waiting.
 */
export type ToolApprovalFunction = (request: ToolApprovalRequest) => Promise<ToolApprovalDecision>;
