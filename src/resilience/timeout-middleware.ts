import { ModelTimeoutError } from "../errors/model-timeout-error.js";
import type { ModelCallMiddleware } from "../providers/model-call.js";

/** Reason given to the deadline timer's cancellation (a constant: an abort without one builds a DOMException). */
const CALL_SETTLED = Symbol("llmteam.callSettled");

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
  return (next) => async (request, context) => {
    const outer = context.signal;
    outer.throwIfAborted();
    const controller = new AbortController();
    const stopTimer = new AbortController();
    let rejectEarly!: (reason: unknown) => void;
    const early = new Promise<never>((_resolve, reject) => {
      rejectEarly = reject;
    });
    const onOuterAbort = (): void => {
      controller.abort(outer.reason);
      rejectEarly(outer.reason);
    };
    outer.addEventListener("abort", onOuterAbort, { once: true });
    context.clock.sleep(timeoutMs, stopTimer.signal).then(
      () => {
        const error = new ModelTimeoutError({ timeoutMs, model: request.model.name });
        controller.abort(error);
        rejectEarly(error);
      },
      () => undefined,
    );
    try {
      const call = next(request, { ...context, signal: controller.signal });
      // The call may reject later (after its abort); that rejection is not ours to report.
      call.catch(() => undefined);
      return await Promise.race([call, early]);
    } finally {
      stopTimer.abort(CALL_SETTLED);
      outer.removeEventListener("abort", onOuterAbort);
    }
  };
}
