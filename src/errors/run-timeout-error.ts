import { LLMTeamError, errorMarker, hasMarker } from "./llmteam-error.js";

const MARKER = errorMarker("RunTimeoutError");

/**
 * A run took longer than its team's `timeoutMs`: the run was stopped, the model calls in
 * flight were aborted, and the run ended with status `timeout`.
 */
export class RunTimeoutError extends LLMTeamError {
  readonly [MARKER] = true;
  override readonly code = "run_timeout";

  constructor(
    /** The limit that was passed, in ms. */
    readonly timeoutMs: number,
    what = "The run",
  ) {
    super(`${what} exceeded its timeout of ${timeoutMs} ms and was stopped.`);
  }

  static override isInstance(error: unknown): error is RunTimeoutError {
    return hasMarker(error, MARKER);
  }
}
