import { RetryError } from "../errors/retry-error.js";
import type { RetryMetrics } from "../events/retry-metrics.js";
import type {
  CallContext,
  ModelCallMiddleware,
  ModelRequest,
  ModelResponse,
  StreamProgress,
} from "../providers/model-call.js";
import { backoffDelayMs } from "./backoff.js";
import { isRetryableError, retryAfterMsOf } from "./is-retryable-error.js";
import { resolveRetryPolicy, type RetryInfo, type RetryPolicyOptions } from "./retry-policy.js";
import { toErrorInfo } from "../events/error-info.js";
import { attachRetryMetrics, recordAttemptError } from "./retry-metrics.js";
import { shareCallState } from "./shared-call-state.js";

/** Options of {@link createRetryMiddleware}. */
export interface RetryMiddlewareOptions {
  /** The policy (resolved, or options over the defaults). Default: the seed's defaults. */
  policy?: RetryPolicyOptions;
  /** Numbers in [0, 1) for jitter. Default `Math.random`. */
  random?: () => number;
}

/**
 * Retries a failed model call with backoff. Each attempt re-issues the model call only (tools
 * that already ran are not re-run: they are outside this layer).
 *
 * - An error `retryOn` rejects (default {@link isRetryableError}) is rethrown at once,
 *   with the metrics attached (`getRetryMetrics(error)`).
 * - The wait is the provider's `Retry-After` when it sent one (exactly, no jitter), else the
 *   backoff. A `Retry-After` beyond `maxRetryAfterSeconds` throws `RetryError`
 *   (`retry_after_too_long`) at once instead of sleeping.
 * - After `maxRetries` retries, throws `RetryError` (`max_retries`) with every error.
 * - Before each wait: `onRetry`, then a `retry` event. Waits use `context.clock.sleep`; an abort
 *   of `context.signal` ends the wait (or the attempt) at once with `signal.reason`.
 * - A streamed attempt that fails after emitting tokens is retried from the start; the
 *   `retry` event's `discardedTokens` tells clients to drop them (see `StreamProgress`).
 *
 * @throws {RetryError} retries exhausted or `Retry-After` too long.
 * @throws the attempt's own error when it is not retryable; `signal.reason` on abort.
 * @example
 * const call = createRetryMiddleware({ policy: { maxRetries: 5 } })(modelCall);
 */
export function createRetryMiddleware(options: RetryMiddlewareOptions = {}): ModelCallMiddleware {
  const afterFailure = createRetryStrategy(options);
  return (next) => (request, context) => {
    const { metrics, progress, innerContext } = shareCallState(context);
    const attempts: AttemptLog = { metrics, progress, errors: undefined };
    const withMetrics = (response: ModelResponse): ModelResponse =>
      response.retryMetrics === metrics ? response : { ...response, retryMetrics: metrics };
    // Attempt `attempt`; if it fails, the retry decision, then the next attempt. An attempt that
    // answers is one reaction on its promise, not an async frame (docs/performance.md).
    const attemptFrom = (attempt: number): Promise<ModelResponse> => {
      let pending: Promise<ModelResponse>;
      try {
        beginAttempt(context.signal, attempts, attempt);
      } catch (error) {
        return Promise.reject(error);
      }
      try {
        pending = next(request, innerContext);
      } catch (error) {
        pending = Promise.reject(error);
      }
      return pending.then(withMetrics, async (error: unknown) => {
        await afterFailure(error, attempt, request, context, attempts);
        return attemptFrom(attempt + 1);
      });
    };
    return attemptFrom(1);
  };
}

/** The attempts of one model call so far: what the retry decision and the metrics need. */
interface AttemptLog {
  metrics: RetryMetrics;
  /** Tokens the current attempt streamed (`discardedTokens` when it fails). */
  progress: StreamProgress;
  /** Every failed attempt's error, in order (made on the first failure). */
  errors: unknown[] | undefined;
}

/**
 * What happens after a failed attempt: throws when the call must fail now (abort, an error
 * `retryOn` rejects, retries exhausted, `Retry-After` too long), else announces the retry and
 * waits.
 */
type RetryStrategy = (
  error: unknown,
  attempt: number,
  request: ModelRequest,
  context: CallContext,
  attempts: AttemptLog,
) => Promise<void>;

/** Starts attempt `attempt` (1-based): throws the abort reason, counts it in the metrics. */
function beginAttempt(signal: AbortSignal, attempts: AttemptLog, attempt: number): void {
  signal.throwIfAborted();
  attempts.progress.tokens = 0;
  attempts.metrics.attempts++;
  if (attempt > 1) attempts.metrics.retries++;
}

/** The retry decision of {@link createRetryMiddleware}. */
function createRetryStrategy(options: RetryMiddlewareOptions = {}): RetryStrategy {
  const policy = resolveRetryPolicy(options.policy);
  const random = options.random ?? Math.random;
  const retryOn = policy.retryOn ?? (({ error }: { error: unknown }) => isRetryableError(error));
  const maxRetryAfterMs = policy.maxRetryAfterSeconds * 1000;

  return async (error, attempt, request, context, attempts) => {
    const { signal, clock } = context;
    const { metrics, progress } = attempts;
    const model = request.model.name;
    if (signal.aborted) throw attachRetryMetrics(signal.reason, metrics);
    const errors = (attempts.errors ??= []);
    errors.push(error);
    recordAttemptError(metrics, error, model, attempt);
    if (!retryOn({ error, attempt, model })) throw attachRetryMetrics(error, metrics);
    if (attempt > policy.maxRetries) {
      throw new RetryError(
        `Model call to "${model}" failed after ${attempt} attempt${attempt > 1 ? "s" : ""} ` +
          `(maxRetries: ${policy.maxRetries}). Last error: ${describe(error)}`,
        { reason: "max_retries", errors, metrics, model },
      );
    }
    const retryAfterMs = retryAfterMsOf(error, clock.now());
    if (retryAfterMs !== undefined && retryAfterMs > maxRetryAfterMs) {
      throw new RetryError(
        `"${model}" asked to wait ${formatSeconds(retryAfterMs)} before a retry (Retry-After), longer than ` +
          `maxRetryAfterSeconds (${policy.maxRetryAfterSeconds} s): failing now instead of waiting. ` +
          `Last error: ${describe(error)}`,
        { reason: "retry_after_too_long", errors, metrics, model },
      );
    }
    const delayMs = retryAfterMs ?? backoffDelayMs(policy, attempt, random);
    const discardedTokens = request.stream && progress.tokens > 0 ? progress.tokens : undefined;
    await announceRetry(context, policy.onRetry, {
      attempt,
      delayMs,
      error,
      model,
      ...(discardedTokens ? { discardedTokens } : {}),
    });
    metrics.totalDelayMs += delayMs;
    if (delayMs > 0) await clock.sleep(delayMs, signal);
  };
}

async function announceRetry(
  context: CallContext,
  onRetry: ((info: RetryInfo) => void) | undefined,
  info: RetryInfo,
): Promise<void> {
  onRetry?.(info);
  const wait = context.events.emit("retry", {
    attempt: info.attempt,
    delayMs: info.delayMs,
    error: toErrorInfo(info.error),
    model: info.model,
    ...(info.discardedTokens ? { discardedTokens: info.discardedTokens } : {}),
  });
  if (wait) await wait;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function formatSeconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}
