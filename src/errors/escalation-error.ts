import { LLMTeamError, errorMarker, hasMarker } from "./llmteam-error.js";

const MARKER = errorMarker("EscalationError");

/** How an escalation ended the run. */
export type EscalationFailure =
  /** The agent's answer asked to escalate and the policy is `abort` (or its bounds were used up). */
  | "aborted"
  /** A person rejected the escalation's task. */
  | "human_rejected"
  /** Nobody answered the escalation's task within its `timeoutMs`. */
  | "human_timeout"
  /** A `human` policy in a run that has nobody to ask (a run started with `run()`, not `start()`). */
  | "no_person";

/** An escalated step could not be resolved: the run fails with this error; `reason` says how. */
export class EscalationError extends LLMTeamError {
  readonly [MARKER] = true;
  override readonly code = "escalation_failed";
  readonly reason: EscalationFailure;
  /** The agent whose step escalated. */
  readonly agentId: string;

  constructor(
    reason: EscalationFailure,
    agentId: string,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
    this.reason = reason;
    this.agentId = agentId;
  }

  static override isInstance(error: unknown): error is EscalationError {
    return hasMarker(error, MARKER);
  }
}
