/** A tool call waiting for approval. */
export interface ToolApprovalRequest {
  toolName: string;
  /** The validated arguments. */
  arguments: unknown;
  callId: string;
  /** The tool round of the loop (1-based), when asked from a tool loop. */
  round?: number;
  /** Aborted when the run is cancelled: stop waiting for a human then. */
  signal: AbortSignal | undefined;
}

/** `true` to run the call, `false` (or `{ approved: false, reason }`) to refuse it. */
export type ToolApprovalDecision = boolean | { approved: boolean; reason?: string };

/**
 * Decides whether a call to a tool with `needsApproval` may run. A refused call is reported
 * to the model as refused (`execution-denied`), never run.
 *
 * @example
 * const approve: ToolApprover = ({ toolName, arguments: args }) =>
 *   toolName !== "http_fetch" || String((args as { url: string }).url).startsWith("https://api.example.com/");
 */
export type ToolApprover = (
  request: ToolApprovalRequest,
) => ToolApprovalDecision | Promise<ToolApprovalDecision>;

/** An approver that always answers later (a person deciding): what a run handle gives the tool loop. */
export type ToolApprovalFunction = (request: ToolApprovalRequest) => Promise<ToolApprovalDecision>;
