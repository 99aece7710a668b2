import { LLMTeamError, errorMarker, hasMarker } from "./llmteam-error.js";

const MARKER = errorMarker("BudgetStoreError");

/** Options of {@link BudgetStoreError}. */
export interface BudgetStoreErrorOptions {
  /** The store operation that failed: `reserve`, `settle`, `release`, `usage` or `connect`. */
  operation: string;
  /** The limit that was reached, in ms, when the store did not answer in time. */
  timeoutMs?: number;
  cause?: unknown;
}

/**
 * A shared budget store (Redis) did not answer in time or could not be reached. Budgets fail
 * closed: a call that cannot reserve is not made. Never retried by the retry layer (the store
 * already waited its `commandTimeoutMs`), and not a failure for the circuit breaker.
 *
 * @example
 * if (BudgetStoreError.isInstance(error)) console.log(`budget store: ${error.operation} failed`);
 */
export class BudgetStoreError extends LLMTeamError {
  readonly [MARKER] = true;
  override readonly code = "budget_store_unavailable";
  /** The store operation that failed. */
  readonly operation: string;
  /** The limit that was reached, in ms, when the store did not answer in time. */
  readonly timeoutMs: number | undefined;

  constructor(message: string, options: BudgetStoreErrorOptions) {
    super(message, options);
    this.operation = options.operation;
    this.timeoutMs = options.timeoutMs;
  }

  static override isInstance(error: unknown): error is BudgetStoreError {
    return hasMarker(error, MARKER);
  }
}
