import { LLMTeamError, errorMarker, hasMarker } from "./llmteam-error.js";

const MARKER = errorMarker("RouterDecisionError");

/** The orchestrator's answer was invalid twice and its `onInvalidDecision` rule is `fail`. */
export class RouterDecisionError extends LLMTeamError {
  readonly [MARKER] = true;
  override readonly code = "invalid_router_decision";

  static override isInstance(error: unknown): error is RouterDecisionError {
    return hasMarker(error, MARKER);
  }
}
