import type { ModelCallMiddleware } from "../providers/model-call.js";
import { MemoryBreakerStore, type BreakerStore } from "./breaker-store.js";
import { createCircuitBreakerMiddleware } from "./circuit-breaker-middleware.js";
import {
  resolveCircuitBreakerPolicy,
  type CircuitBreakerOptions,
} from "./circuit-breaker-policy.js";
import { createFallbackMiddleware, type FallbackOnInput } from "./fallback-middleware.js";
import { createRetryMiddleware } from "./retry-middleware.js";
import { resolveRetryPolicy, type RetryPolicyOptions } from "./retry-policy.js";
import { createTimeoutMiddleware } from "./timeout-middleware.js";

/** Options of {@link createResiliencePipeline}. */
export interface ResiliencePipelineOptions {
  /** Retry policy; `false` for a single attempt. Default: the seed's (3 retries, exponential). */
  retryPolicy?: RetryPolicyOptions | false;
  /** Circuit breaker policy; `undefined` or `false`: no breaker (opt-in, as in the seed). */
  circuitBreaker?: CircuitBreakerOptions | false;
  /** Longest time one attempt may take, in ms. Default: no per-call limit. */
  timeoutMs?: number;
  /** Where breaker state lives. Default: a {@link MemoryBreakerStore} owned by this pipeline. */
  breakerStore?: BreakerStore;
  /** Prepended to breaker keys, to keep teams apart in a shared store. */
  breakerKeyPrefix?: string;
  /** Which final errors move on to the next model. Default `shouldFallBack`. */
  fallbackOn?: (input: FallbackOnInput) => boolean;
  /** Numbers in [0, 1) for jitter. Default `Math.random`. */
  random?: () => number;
}

/**
 * The resilience layers of one model call, composed once, inside out:
 *
 * `call` ← timeout (each attempt) ← circuit breaker (each attempt) ← retry ← fallback models.
 *
 * So each attempt is bounded by `timeoutMs` and counted by the breaker; the retry layer re-issues
 * failed attempts and stops at once when the breaker rejects one; the fallback layer moves to
 * the next of `request.fallbackModels` when a model fails for good. One retry layer only: the
 * provider's own retries must be off (`maxRetries: 0` in the AI SDK).
 * Create it once per agent (breaker state lives in `breakerStore`), then wrap the model call.
 *
 * @throws {ConfigError} a policy is invalid (when the pipeline is created).
 * @example
 * const resilient = createResiliencePipeline({
 *   retryPolicy: { maxRetries: 5 },
 *   circuitBreaker: { failureThreshold: 3 },
 *   timeoutMs: 60_000,
 * })(modelCall);
 * const response = await resilient(request, context); // response.retryMetrics, response.model
 */
export function createResiliencePipeline(
  options: ResiliencePipelineOptions = {},
): ModelCallMiddleware {
  const retryPolicy = resolveRetryPolicy(options.retryPolicy);
  const breakerPolicy = resolveCircuitBreakerPolicy(options.circuitBreaker);
  const store = options.breakerStore ?? new MemoryBreakerStore();
  const timeout =
    options.timeoutMs === undefined
      ? undefined
      : createTimeoutMiddleware({ timeoutMs: options.timeoutMs });
  const breaker = breakerPolicy
    ? createCircuitBreakerMiddleware({
        policy: breakerPolicy,
        store,
        ...(options.breakerKeyPrefix === undefined ? {} : { keyPrefix: options.breakerKeyPrefix }),
      })
    : undefined;
  const retry = createRetryMiddleware({
    policy: retryPolicy,
    ...(options.random ? { random: options.random } : {}),
  });
  const fallback = createFallbackMiddleware(
    options.fallbackOn ? { fallbackOn: options.fallbackOn } : {},
  );
  return (call) => {
    let wrapped = call;
    if (timeout) wrapped = timeout(wrapped);
    if (breaker) wrapped = breaker(wrapped);
    return fallback(retry(wrapped));
  };
}
