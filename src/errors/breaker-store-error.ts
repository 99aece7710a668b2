import { LLMTeamError, errorMarker, hasMarker } from "./llmteam-error.js";

const MARKER = errorMarker("BreakerStoreError");

/** Options of {@link BreakerStoreError}. */
export interface BreakerStoreErrorOptions {
  /** The store operation that failed: `update`, `get`, `delete` or `connect`. */
  operation: string;
  /** The breaker's key. */
  key?: string | undefined;
  /** The limit that was reached, in ms, when the store did not answer in time. */
  timeoutMs?: number | undefined;
  cause?: unknown;
}

/**
 * A shared circuit breaker store (Redis) did not answer in time or could not be reached.
 * Breakers fail closed, as budgets do: a call whose breaker cannot be read is not made. Never
 * retried by the retry layer, and not a failure of the model for the breaker. A durable run it
 * stops stays resumable (stored `interrupted`), and a worker parks it until the store is back.
 *
 * @example
 * if (BreakerStoreError.isInstance(error)) console.log(`breaker store: ${error.operation} failed`);
 */
export class BreakerStoreError extends LLMTeamError {
  readonly [MARKER] = true;
  override readonly code = "breaker_store_unavailable";
  /** The store operation that failed. */
  readonly operation: string;
  /** The breaker's key. */
  readonly key: string | undefined;
  /** The limit that was reached, in ms, when the store did not answer in time. */
  readonly timeoutMs: number | undefined;

  constructor(message: string, options: BreakerStoreErrorOptions) {
    super(message, options);
    this.operation = options.operation;
    this.key = options.key;
    this.timeoutMs = options.timeoutMs;
  }

  static override isInstance(error: unknown): error is BreakerStoreError {
    return hasMarker(error, MARKER);
  }
}
