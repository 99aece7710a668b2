import type { RetryMetrics } from "../events/retry-metrics.js";
import { LLMTeamError, errorMarker, hasMarker } from "./llmteam-error.js";

const MARKER = errorMarker("RetryError");

/**
 * Why retrying stopped:
 * - `max_retries`: every attempt failed with a retryable error (`maxRetries` + 1 attempts).
 * - `retry_after_too_long`: the provider asked to wait longer than `maxRetryAfterSeconds`.
 * - `fallbacks_exhausted`: the model and every fallback model failed for good.
 */
export type RetryErrorReason = "max_retries" | "retry_after_too_long" | "fallbacks_exhausted";

/** Options of {@link RetryError}. */
export interface RetryErrorOptions {
  reason: RetryErrorReason;
  /**
   * The errors, in order: one per failed attempt (`max_retries`, `retry_after_too_long`),
   * or the final error of each model tried (`fallbacks_exhausted`).
   */
  errors: unknown[];
  /** What the resilience layers did, up to the failure. */
  metrics?: RetryMetrics;
  /** The model the call was for (the last one tried). */
  model?: string;
}

/**
 * A model call failed for good after the resilience layers did what they could: retries
 * exhausted, a `Retry-After` beyond the cap, or every fallback model failed. Never retried again.
 * `cause` and `lastError` are the last underlying error; `errors` has them all.
 *
 * @example
 * if (RetryError.isInstance(error)) console.log(error.reason, error.errors.length, error.metrics);
 */
export class RetryError extends LLMTeamError {
  readonly [MARKER] = true;
  override readonly code = "retry_exhausted";
  /** Why retrying stopped. */
  readonly reason: RetryErrorReason;
  /** Every underlying error, in order. */
  readonly errors: unknown[];
  /** The last underlying error (also the native `cause`). */
  readonly lastError: unknown;
  /** What the resilience layers did, up to the failure. */
  readonly metrics: RetryMetrics | undefined;
  /** The model the call was for (the last one tried). */
  readonly model: string | undefined;

  constructor(message: string, options: RetryErrorOptions) {
    const lastError = options.errors[options.errors.length - 1];
    super(message, { cause: lastError });
    this.reason = options.reason;
    this.errors = options.errors;
    this.lastError = lastError;
    this.metrics = options.metrics;
    this.model = options.model;
  }

  static override isInstance(error: unknown): error is RetryError {
    return hasMarker(error, MARKER);
  }
}
