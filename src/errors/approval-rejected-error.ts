import { LLMTeamError, errorMarker, hasMarker } from "./llmteam-error.js";

const MARKER = errorMarker("ApprovalRejectedError");

/**
 * A person rejected an approval the run asked for (`handle.reject(id, reason)`). For an agent
 * marked `requiresApproval`, the agent does not run and fails with this error, which ends
 * its branch of the run (in a sequential flow, the run).
 */
export class ApprovalRejectedError extends LLMTeamError {
  readonly [MARKER] = true;
  override readonly code = "approval_rejected";
  /** The approval that was rejected. */
  readonly approvalId: string;
  /** What needed approval. */
  readonly kind: "agent" | "tool";
  /** Why, as the person said. */
  readonly reason: string;

  constructor(approvalId: string, kind: "agent" | "tool", subject: string, reason: string) {
    super(`Approval ${approvalId} for ${kind} "${subject}" was rejected: ${reason}`);
    this.approvalId = approvalId;
    this.kind = kind;
    this.reason = reason;
  }

  static override isInstance(error: unknown): error is ApprovalRejectedError {
    return hasMarker(error, MARKER);
  }
}
