import { APICallError } from "@ai-sdk/provider";
import { ProviderError } from "../errors/provider-error.js";
import { isRetryableError, isRetryableStatus } from "./is-retryable-error.js";
import { parseRetryAfter } from "./retry-after.js";

/** Options of {@link toProviderError}. */
export interface ToProviderErrorOptions {
  /** Provider name, e.g. `openai`. */
  provider: string;
  /** Model id, e.g. `gpt-4o-mini`. */
  model: string;
  /** Current time in ms since the epoch (`clock.now()`), to read an HTTP-date `Retry-After`. */
  now: number;
}

/**
 * Turns what a provider call threw into a {@link ProviderError}: HTTP status, `isRetryable`
 * (by our classification, see `isRetryableError`), `retryAfterMs` from the `Retry-After` /
 * `retry-after-ms` response headers, the headers themselves, and the original as `cause`.
 * A `ProviderError` is returned unchanged.
 *
 * Call it only for a provider's failure: when the run's signal is aborted, rethrow
 * `signal.reason` instead (cancellation is not a provider error).
 *
 * @example
 * try {
 *   return await model.doGenerate(options);
 * } catch (error) {
 *   if (signal.aborted) throw signal.reason;
 *   throw toProviderError(error, { provider: "openai", model: "gpt-4o-mini", now: clock.now() });
 * }
 */
export function toProviderError(error: unknown, options: ToProviderErrorOptions): ProviderError {
  if (ProviderError.isInstance(error)) return error;
  const { provider, model } = options;
  if (APICallError.isInstance(error)) {
    const status = error.statusCode;
    const retryAfterMs = parseRetryAfter(error.responseHeaders, options.now);
    return new ProviderError(
      `${provider}/${model} failed${status === undefined ? "" : ` with HTTP ${status}`}: ${error.message}`,
      {
        ...(status === undefined ? {} : { status }),
        isRetryable: status === undefined ? isRetryableError(error) : isRetryableStatus(status),
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        ...(error.responseHeaders === undefined ? {} : { headers: error.responseHeaders }),
        provider,
        model,
        cause: error,
      },
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ProviderError(`${provider}/${model} failed: ${message}`, {
    isRetryable: isRetryableError(error),
    provider,
    model,
    cause: error,
  });
}
