import type { CallContext, ModelResponse, StreamProgress } from "../providers/model-call.js";
import type { CostGuard, CostHold, CostRequest } from "./cost-guard.js";

/**
 * After a failed attempt: counts what a cut stream had produced (`progress.observed`,
 * cleared here) as a call of `request`'s model — settled, recorded, `cost_update` emitted —
 * or, when the attempt produced nothing, gives its reservations back.
 */
export function settleFailedAttempt(
  guard: CostGuard,
  hold: CostHold<CostRequest> | undefined,
  request: CostRequest,
  context: CallContext,
  progress: StreamProgress | undefined,
  startedAtMs: number,
): Promise<void> | undefined {
  const usage = progress?.observed?.();
  if (progress) progress.observed = undefined;
  if (usage === undefined) return hold ? guard.release(hold, context) : undefined;
  const attempt: ModelResponse = {
    text: "",
    toolCalls: [],
    usage,
    finishReason: "error",
    model: request.model.name,
    latencyMs: context.clock.now() - startedAtMs,
  };
  return guard.settle(hold, attempt, context, startedAtMs);
}
