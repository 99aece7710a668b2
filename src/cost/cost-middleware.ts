import type {
  CallContext,
  ModelCall,
  ModelCallMiddleware,
  ModelRequest,
  ModelResponse,
} from "../providers/model-call.js";
import { settleFailedAttempt } from "./settle-failed-attempt.js";
import type { CostGuard, CostHold } from "./cost-guard.js";
import { BudgetGuard, type CostMiddlewareOptions } from "./budget-guard.js";
import { usageMeterOf, type UsageMeter } from "./usage-meter.js";

/**
 * The cost layer of a model call, as a {@link ModelCallMiddleware}: put it **innermost** (next
 * to the provider call), so every attempt that reaches the provider — retries, fallbacks,
 * tool-loop rounds, router decisions — is priced with the model actually called.
 *
 * Per call: (1) with budgets, reserve the worst case — estimated input tokens plus
 * `maxOutputTokens` (or `reserveOutputTokens`) at the model's price — in every budget; a call
 * that does not fit a hard budget is **not made**: `budget_exceeded` is emitted and
 * {@link BudgetExceededError} thrown. (2) Call. (3) On failure release the reservations; on
 * success settle them with the real cost, record the usage in the tracker, emit `cost_update`,
 * and `budget_alert` (once per crossing) or, for a soft budget over its limit, `warning`.
 *
 * @throws {BudgetExceededError} when a hard budget has no room for the call.
 * @throws {ConfigError} when a budget applies and the model is unpriced (unless `allowUnpriced`).
 * @example
 * const tracker = new CostTracker();
 * const cost = createCostMiddleware({ tracker, budgets: [new Budget({ maxCost: 10 }), new Budget({ maxCost: 50, period: "day" })], store, teamId: "support" });
 * const call = cost(providerCall);
 */
export function createCostMiddleware(options: CostMiddlewareOptions): ModelCallMiddleware {
  return costMiddlewareOf(new BudgetGuard(options));
}

/**
 * The cost layer of model calls and the {@link UsageMeter} of embedding calls over one
 * {@link BudgetGuard}: both price with the tracker's registry, record in the tracker and
 * reserve in the same budgets (a team's `rag` agents' query embeddings count like its calls).
 */
export function createCostLayer(options: CostMiddlewareOptions): {
  middleware: ModelCallMiddleware;
  meter: UsageMeter;
} {
  const guard = new BudgetGuard(options);
  return { middleware: costMiddlewareOf(guard), meter: usageMeterOf(guard) };
}

/** The cost layer as a middleware, over the steps of a {@link BudgetGuard}. */
function costMiddlewareOf(guard: CostGuard): ModelCallMiddleware {
  return (next) => (request, outerContext) => {
    // A streamed call reports what a cut stream produced through `streamProgress`.
    const context =
      request.stream && !outerContext.streamProgress
        ? { ...outerContext, streamProgress: { tokens: 0 } }
        : outerContext;
    const startedAtMs = context.clock.now();
    // Reactions on the call's promise, not an async frame (docs/performance.md).
    const attempt = (hold: CostHold | undefined): Promise<ModelResponse> =>
      callSafely(next, hold?.request ?? request, context).then(
        (response) => {
          const settling = guard.settle(hold, response, context, startedAtMs);
          return settling ? settling.then(() => response) : response;
        },
        (error: unknown) => {
          const progress = context.streamProgress;
          const counting = settleFailedAttempt(
            guard,
            hold,
            request,
            context,
            progress,
            startedAtMs,
          );
          if (!counting) throw error;
          return counting.then(() => {
            throw error;
          });
        },
      );
    try {
      const reserving = guard.reserve(request, context, startedAtMs);
      return reserving === undefined ? attempt(undefined) : reserving.then(attempt);
    } catch (error) {
      return Promise.reject(error);
    }
  };
}

/** `call(request, context)`, with a synchronous throw turned into a rejection. */
function callSafely(
  call: ModelCall,
  request: ModelRequest,
  context: CallContext,
): Promise<ModelResponse> {
  try {
    return call(request, context);
  } catch (error) {
    return Promise.reject(error);
  }
}

export {
  DEFAULT_RESERVATION_TTL_MS,
  DEFAULT_RESERVE_OUTPUT_TOKENS,
  unpricedError,
  type CostMiddlewareOptions,
} from "./budget-guard.js";
