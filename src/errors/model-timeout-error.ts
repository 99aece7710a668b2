import { LLMTeamError, errorMarker, hasMarker } from "./llmteam-error.js";

const MARKER = errorMarker("ModelTimeoutError");

/** Options of {@link ModelTimeoutError}. */
export interface ModelTimeoutErrorOptions {
  /** The per-call limit that was reached, in ms. */
  timeoutMs: number;
  /** The model that did not answer in time. */
  model?: string;
  /** True when the limit was the streamed attempt's wait for its first delta (`firstTokenTimeoutMs`). */
  firstToken?: boolean;
  cause?: unknown;
}

/**
 * One model call took longer than its `timeoutMs`. Retryable, and a failure for the circuit
 * breaker. Not an abort: the run goes on (the run's own signal is what cancels a run).
 *
 * @example
 * if (ModelTimeoutError.isInstance(error)) console.log(`no answer in ${error.timeoutMs} ms`);
 */
export class ModelTimeoutError extends LLMTeamError {
  readonly [MARKER] = true;
  override readonly code = "model_timeout";
  /** The per-call limit that was reached, in ms. */
  readonly timeoutMs: number;
  /** The model that did not answer in time. */
  readonly model: string | undefined;
  /** True when no first delta of a streamed attempt came within `firstTokenTimeoutMs`. */
  readonly firstToken: boolean;

  constructor(options: ModelTimeoutErrorOptions) {
    const to = options.model ? ` to "${options.model}"` : "";
    super(
      options.firstToken
        ? `Model call${to} sent no first token within ${options.timeoutMs} ms (firstTokenTimeoutMs).`
        : `Model call${to} timed out after ${options.timeoutMs} ms (timeoutMs).`,
      options,
    );
    this.timeoutMs = options.timeoutMs;
    this.model = options.model;
    this.firstToken = options.firstToken ?? false;
  }

  static override isInstance(error: unknown): error is ModelTimeoutError {
    return hasMarker(error, MARKER);
  }
}
