import { LLMTeamError, errorMarker, hasMarker } from "./llmteam-error.js";

const MARKER = errorMarker("LifecycleError");

/** Options of {@link LifecycleError}. */
export interface LifecycleErrorOptions {
  /** What to do instead, appended to the message (e.g. `Call team.markReady() first.`). */
  hint?: string;
  cause?: unknown;
}

/**
 * A state change that the lifecycle does not allow: a team moving between two `TeamState`s
 * outside the transition table, a run paused or resumed in the wrong state, or a
 * configuration proposal approved, rejected or applied in the wrong status.
 *
 * @example
 * try {
 *   await team.run("q");
 * } catch (error) {
 *   if (LifecycleError.isInstance(error)) console.log(error.from, "→", error.to, error.message);
 * }
 */
export class LifecycleError extends LLMTeamError {
  readonly [MARKER] = true;
  override readonly code = "lifecycle_error";
  /** The state (or proposal status) it was in. */
  readonly from: string;
  /** The state (or proposal status) it was asked to move to. */
  readonly to: string;

  constructor(from: string, to: string, message?: string, options: LifecycleErrorOptions = {}) {
    const base = message ?? `Cannot go from "${from}" to "${to}".`;
    super(options.hint ? `${base} ${options.hint}` : base, options);
    this.from = from;
    this.to = to;
  }

  static override isInstance(error: unknown): error is LifecycleError {
    return hasMarker(error, MARKER);
  }
}
