import { CircuitOpenError } from "../errors/circuit-open-error.js";
import { RetryError } from "../errors/retry-error.js";
import type { AttemptErrorInfo, RetryMetrics } from "../events/retry-metrics.js";
import { toErrorInfo } from "../events/error-info.js";

const METRICS = Symbol.for("llmteam.retryMetrics");

/** Fresh metrics: no attempt yet. */
export function createRetryMetrics(): RetryMetrics {
  return { attempts: 0, retries: 0, totalDelayMs: 0, errors: [], circuitState: undefined };
}

/** Records one failed attempt in `metrics`. */
export function recordAttemptError(
  metrics: RetryMetrics,
  error: unknown,
  model: string,
  attempt: number,
): void {
  const info: AttemptErrorInfo = { ...toErrorInfo(error), model, attempt };
  metrics.errors.push(info);
}

/**
 * Attaches `metrics` to a thrown error (a non-enumerable `Symbol.for` property), so the agent
 * result can report retries even when the call failed. Primitives and frozen objects are skipped.
 */
export function attachRetryMetrics<E>(error: E, metrics: RetryMetrics): E {
  if (
    typeof error === "object" &&
    error !== null &&
    (Object.isExtensible(error) || METRICS in error)
  ) {
    Object.defineProperty(error, METRICS, {
      value: metrics,
      enumerable: false,
      configurable: true,
    });
  }
  return error;
}

/**
 * The {@link RetryMetrics} of a failed model call: from a `RetryError`, or attached to whatever
 * error the resilience layers let through (a 401, a `CircuitOpenError`, a budget stop).
 *
 * @example
 * catch (error) { result.retryMetrics = getRetryMetrics(error); }
 */
export function getRetryMetrics(error: unknown): RetryMetrics | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  if (RetryError.isInstance(error) && error.metrics) return error.metrics;
  return (error as { [METRICS]?: RetryMetrics })[METRICS];
}

/**
 * True when a failed model call should set `shouldEscalate: true` on the agent result (as in the
 * seed: an open breaker escalates): a breaker rejected the call or some model along the way
 * (`CircuitOpenError`), or the call's own failures left its breaker open.
 *
 * @example
 * catch (error) { result.shouldEscalate = shouldEscalate(error); }
 */
export function shouldEscalate(error: unknown): boolean {
  if (CircuitOpenError.isInstance(error)) return true;
  if (
    RetryError.isInstance(error) &&
    error.errors.some((inner) => CircuitOpenError.isInstance(inner))
  )
    return true;
  const metrics = getRetryMetrics(error);
  if (!metrics) return false;
  return (
    metrics.circuitState === "open" || metrics.errors.some((info) => info.code === "circuit_open")
  );
}
