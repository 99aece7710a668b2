export { createResiliencePipeline } from "./resilience-pipeline.js";
export type { ResiliencePipelineOptions } from "./resilience-pipeline.js";
export { createRetryMiddleware } from "./retry-middleware.js";
export type { RetryMiddlewareOptions } from "./retry-middleware.js";
export { createCircuitBreakerMiddleware, circuitBreakerKey } from "./circuit-breaker-middleware.js";
export type { CircuitBreakerMiddlewareOptions } from "./circuit-breaker-middleware.js";
export { createTimeoutMiddleware } from "./timeout-middleware.js";
export type { TimeoutMiddlewareOptions } from "./timeout-middleware.js";
export { createFallbackMiddleware, shouldFallBack } from "./fallback-middleware.js";
export type { FallbackMiddlewareOptions, FallbackOnInput } from "./fallback-middleware.js";
export { DEFAULT_RETRY_POLICY, resolveRetryPolicy, retryPolicySchema } from "./retry-policy.js";
export type {
  RetryBackoff,
  RetryInfo,
  RetryOnInput,
  RetryPolicy,
  RetryPolicyOptions,
} from "./retry-policy.js";
export {
  DEFAULT_CIRCUIT_BREAKER_POLICY,
  circuitBreakerSchema,
  resolveCircuitBreakerPolicy,
} from "./circuit-breaker-policy.js";
export type {
  CircuitBreakerOptions,
  CircuitBreakerPolicy,
  CircuitBreakerScope,
  CircuitStateChange,
} from "./circuit-breaker-policy.js";
export { MemoryBreakerStore } from "./breaker-store.js";
export type { BreakerState, BreakerStore, BreakerUpdate } from "./breaker-store.js";
export { backoffDelayMs } from "./backoff.js";
export { isRetryableError, isRetryableStatus } from "./is-retryable-error.js";
export { parseRetryAfter } from "../providers/retry-after.js";
export type { HeadersLike } from "../providers/retry-after.js";
export { getRetryMetrics, shouldEscalate } from "./retry-metrics.js";
export { CircuitOpenError } from "../errors/circuit-open-error.js";
export type { CircuitOpenErrorOptions } from "../errors/circuit-open-error.js";
export { RetryError } from "../errors/retry-error.js";
export type { RetryErrorOptions, RetryErrorReason } from "../errors/retry-error.js";
export { ModelTimeoutError } from "../errors/model-timeout-error.js";
export type { ModelTimeoutErrorOptions } from "../errors/model-timeout-error.js";
export type { AttemptErrorInfo, CircuitState, RetryMetrics } from "../events/retry-metrics.js";
export type { StreamProgress } from "../providers/model-call.js";
