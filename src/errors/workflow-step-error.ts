import { LLMTeamError, errorMarker, hasMarker } from "./llmteam-error.js";

const MARKER = errorMarker("WorkflowStepError");

/** Why a workflow step failed. */
export type WorkflowStepFailure =
  /** A transform's expression failed, ran too long or nested too deep. */
  | "expression"
  /** A transform's input or output, or an http response, was larger than allowed. */
  | "too_large"
  /** An http step's request was refused (host not allowed, private address, bad URL) or failed. */
  | "request"
  /** An http step's response had a status other than 2xx. */
  | "http_status"
  /** Nobody answered a human task in time (`onTimeout: fail`). */
  | "human_timeout"
  /** A human task in a run that has nobody to ask. */
  | "no_person";

/** A workflow step (`transform`, `http`, `human`) failed; `reason` says how. */
export class WorkflowStepError extends LLMTeamError {
  readonly [MARKER] = true;
  override readonly code = "workflow_step_failed";
  readonly reason: WorkflowStepFailure;
  /** The step's agent id. */
  readonly agentId: string;
  /** The HTTP status, for `http_status`. */
  readonly status: number | undefined;
  /** Response headers, for `http_status` (a `Retry-After` is honoured by the step's retries). */
  readonly headers: Record<string, string> | undefined;

  constructor(
    reason: WorkflowStepFailure,
    agentId: string,
    message: string,
    options: { cause?: unknown; status?: number; headers?: Record<string, string> } = {},
  ) {
    super(message, options);
    this.reason = reason;
    this.agentId = agentId;
    this.status = options.status;
    this.headers = options.headers;
  }

  static override isInstance(error: unknown): error is WorkflowStepError {
    return hasMarker(error, MARKER);
  }
}
