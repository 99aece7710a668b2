import type { RetryMetrics } from "../events/retry-metrics.js";
import type { CallContext, StreamProgress } from "../providers/model-call.js";
import { createRetryMetrics } from "./retry-metrics.js";

/** The metrics and token counter the resilience layers of one call share. */
export interface SharedCallState {
  metrics: RetryMetrics;
  progress: StreamProgress;
  /** `context`, carrying `metrics` and `progress` for the layers inside. */
  innerContext: CallContext;
}

/** Uses the metrics and token counter an outer resilience layer put on `context`, or makes them. */
export function shareCallState(context: CallContext): SharedCallState {
  if (context.retryMetrics && context.streamProgress) {
    return {
      metrics: context.retryMetrics,
      progress: context.streamProgress,
      innerContext: context,
    };
  }
  const metrics = context.retryMetrics ?? createRetryMetrics();
  const progress = context.streamProgress ?? { tokens: 0 };
  return {
    metrics,
    progress,
    innerContext: { ...context, retryMetrics: metrics, streamProgress: progress },
  };
}
