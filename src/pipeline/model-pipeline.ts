import { resolveAttemptLimits } from "../providers/attempt-deadline.js";
import { createProviderCall } from "../providers/call-model.js";
import type { ModelCall, ModelCallMiddleware } from "../providers/model-call.js";
import type { BreakerStore } from "../resilience/breaker-store.js";
import type { CircuitBreakerOptions } from "../resilience/circuit-breaker-policy.js";
import { createResiliencePipeline } from "../resilience/resilience-pipeline.js";
import type { RetryPolicyOptions } from "../resilience/retry-policy.js";
import { composeModelCall } from "./compose-model-call.js";
import { tracingMiddleware } from "../telemetry/tracing-middleware.js";

/** The policies of one pipeline (an agent's, or the team's for calls of no agent). */
export interface PipelinePolicies {
  retryPolicy: RetryPolicyOptions | false | undefined;
  circuitBreaker: CircuitBreakerOptions | false | undefined;
  /** Per-attempt limit in ms (default 300,000; `0`: none). */
  timeoutMs: number | undefined;
  /** A streamed attempt's wait for its first delta, in ms (default 60,000; `0`: none). */
  firstTokenTimeoutMs?: number | undefined;
}

/** What every pipeline of a team shares. */
export interface PipelineParts {
  /**
   * The team's cost layer (`createCostMiddleware`): one for all its pipelines, so they share
   * its budgets and reservations.
   */
  cost: ModelCallMiddleware;
  /** The user's layers, outermost first. */
  middleware: readonly ModelCallMiddleware[];
  breakerStore: BreakerStore;
  /** Prepended to breaker keys (the team's id and a colon). */
  breakerKeyPrefix: string;
}

/**
 * A model-call pipeline, outermost first: the user's middleware, fallback → retry → breaker,
 * cost, tracing (one span per attempt, when the run is traced), the provider call (which owns each attempt's deadline: `timeoutMs`,
 * `firstTokenTimeoutMs`).
 *
 * Composed once by {@link composeModelCall}; every call, with or without user middleware,
 * goes through the same layers. A layer with nothing to do for a call passes it straight on
 * (no breaker: no layer; no fallback models: no fallback frame; no budgets: nothing reserved).
 */
export function buildModelPipeline(policies: PipelinePolicies, parts: PipelineParts): ModelCall {
  const { retryPolicy, circuitBreaker } = policies;
  const limits = resolveAttemptLimits({
    ...(policies.timeoutMs === undefined ? {} : { timeoutMs: policies.timeoutMs }),
    ...(policies.firstTokenTimeoutMs === undefined
      ? {}
      : { firstTokenTimeoutMs: policies.firstTokenTimeoutMs }),
  });
  const resilience = createResiliencePipeline({
    ...(retryPolicy === undefined ? {} : { retryPolicy }),
    ...(circuitBreaker === undefined ? {} : { circuitBreaker }),
    breakerStore: parts.breakerStore,
    breakerKeyPrefix: parts.breakerKeyPrefix,
  });
  return composeModelCall(
    [...parts.middleware, resilience, parts.cost, tracingMiddleware],
    createProviderCall(limits),
  );
}
