import { withDeadline } from "../providers/attempt-deadline.js";
import type { ModelCallMiddleware } from "../providers/model-call.js";

/** Options of {@link createTimeoutMiddleware}. */
export interface TimeoutMiddlewareOptions {
  /** Longest time one model call (one attempt) may take, in ms. */
  timeoutMs: number;
}

/**
 * Bounds each model call (each attempt, when inside the retry layer) to `timeoutMs` on the
 * run's clock. The call gets a signal that aborts on the run's abort or at the deadline. At the
 * deadline this layer throws {@link ModelTimeoutError} at once, even if the call ignores its
 * signal; the error is retryable and counts as a failure for the circuit breaker. An abort of
 * the run's signal rethrows `signal.reason` (cancellation, not a timeout).
 *
 * @throws {ModelTimeoutError} the call did not finish within `timeoutMs`.
 * @example
 * const call = createTimeoutMiddleware({ timeoutMs: 60_000 })(modelCall);
 */
export function createTimeoutMiddleware(options: TimeoutMiddlewareOptions): ModelCallMiddleware {
  const { timeoutMs } = options;
  if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) {
    throw new RangeError(`timeoutMs must be a finite number > 0, got ${timeoutMs}.`);
  }
  const limits = { timeoutMs, firstTokenTimeoutMs: 0 };
  return (next) => (request, context) =>
    withDeadline(limits, false, context, request.model.name, (signal) =>
      next(request, { ...context, signal }),
    );
}
