import type { CostGuard } from "../cost/cost-middleware.js";
import { costMiddlewareOf } from "../cost/cost-middleware.js";
import { callModel, callOptions, providerFailure, readGenerated, streamOnce } from "../providers/call-model.js";
import type { ModelCall, ModelCallMiddleware, ModelResponse } from "../providers/model-call.js";
import type { BreakerStore } from "../resilience/breaker-store.js";
import type { CircuitBreakerOptions } from "../resilience/circuit-breaker-policy.js";
import { resolveCircuitBreakerPolicy } from "../resilience/circuit-breaker-policy.js";
import { createResiliencePipeline } from "../resilience/resilience-pipeline.js";
import { createRetryMetrics } from "../resilience/retry-metrics.js";
import { beginAttempt, createRetryStrategy, type AttemptLog, type RetryStrategy } from "../resilience/retry-middleware.js";
import { resolveRetryPolicy, type RetryPolicyOptions } from "../resilience/retry-policy.js";

/** The policies of one pipeline (an agent's, or the team's for calls of no agent). */
export interface PipelinePolicies {
  retryPolicy: RetryPolicyOptions | false | undefined;
  circuitBreaker: CircuitBreakerOptions | false | undefined;
  timeoutMs: number | undefined;
}

/** What every pipeline of a team shares. */
export interface PipelineParts {
  /** The team's cost layer (its budgets and reservations). */
  cost: CostGuard;
  /** The user's layers, outermost first. */
  middleware: readonly ModelCallMiddleware[];
  breakerStore: BreakerStore;
  /** Prepended to breaker keys (the team's id and a colon). */
  breakerKeyPrefix: string;
}

/**
 * A model-call pipeline, outermost first: the user's middleware, fallback → retry → breaker →
 * timeout, cost, the provider call.
 *
 * Without user middleware, breaker or per-call timeout (the default), calls without fallback
 * models take {@link createDirectCall}: the same retry, cost and provider steps in one async
 * frame. At a thousand runs in flight every suspended frame is live state the garbage
 * collector copies, so the layer count is what the run pays for (docs/performance.md).
 */
export function buildModelPipeline(policies: PipelinePolicies, parts: PipelineParts): ModelCall {
  const { retryPolicy, circuitBreaker, timeoutMs } = policies;
  const resilience = createResiliencePipeline({
    ...(retryPolicy === undefined ? {} : { retryPolicy }),
    ...(circuitBreaker === undefined ? {} : { circuitBreaker }),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    breakerStore: parts.breakerStore,
    breakerKeyPrefix: parts.breakerKeyPrefix,
  });
  let call: ModelCall = resilience(costMiddlewareOf(parts.cost)(callModel));
  for (let index = parts.middleware.length - 1; index >= 0; index--) call = parts.middleware[index]!(call);
  if (parts.middleware.length > 0 || timeoutMs !== undefined || resolveCircuitBreakerPolicy(circuitBreaker) !== undefined) return call;
  const layered = call;
  const direct = createDirectCall(createRetryStrategy({ policy: resolveRetryPolicy(retryPolicy) }), parts.cost);
  return (request, context) => (request.fallbackModels && request.fallbackModels.length > 0 ? layered(request, context) : direct(request, context));
}

/**
 * Retries, cost and the provider call in one async frame: what `retry(cost(callModel))` does,
 * step for step (reserve, call, release or settle, decide on a retry), with the steps the
 * layers themselves use ({@link RetryStrategy}, {@link CostGuard}, the provider call's parts).
 */
export function createDirectCall(retry: RetryStrategy, cost: CostGuard): ModelCall {
  return async (request, context) => {
    const attempts: AttemptLog = { metrics: createRetryMetrics(), progress: { tokens: 0 }, errors: undefined };
    for (let attempt = 1; ; attempt++) {
      beginAttempt(context.signal, attempts, attempt);
      try {
        const reservedAt = context.clock.now();
        const reserving = cost.reserve(request, context, reservedAt);
        const hold = reserving === undefined ? undefined : await reserving;
        const sent = hold ? hold.request : request;
        const startedAt = hold ? context.clock.now() : reservedAt;
        const options = callOptions(sent, context.signal);
        let response: ModelResponse;
        try {
          response = sent.stream
            ? await streamOnce(options, sent, context.events, attempts.progress)
            : readGenerated(await sent.model.model.doGenerate(options), sent);
        } catch (error) {
          if (hold) await cost.release(hold, context);
          throw providerFailure(error, sent, context);
        }
        response.latencyMs = context.clock.now() - startedAt;
        response.retryMetrics = attempts.metrics;
        const settling = cost.settle(hold, response, context, reservedAt);
        if (settling) await settling;
        return response;
      } catch (error) {
        await retry(error, attempt, request, context, attempts);
      }
    }
  };
}
