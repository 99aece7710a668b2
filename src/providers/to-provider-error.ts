import { APICallError } from "@ai-sdk/provider";
import { LLMTeamError } from "../errors/llmteam-error.js";
import { ProviderError } from "../errors/provider-error.js";
import { isAbortError } from "../errors/abort.js";
import { parseRetryAfter } from "./retry-after.js";

/**
 * Wraps whatever a provider threw into a {@link ProviderError} with status, headers,
 * retryability and `retryAfterMs` (from `Retry-After` / `retry-after-ms`, read at `where.now`,
 * default `Date.now()`). Our own errors and aborts pass through unchanged.
 */
export function toProviderError(
  error: unknown,
  where: { provider: string; model: string; now?: number },
): unknown {
  if (LLMTeamError.isInstance(error) || isAbortError(error)) return error;
  if (APICallError.isInstance(error)) {
    const retryAfterMs = parseRetryAfter(error.responseHeaders, where.now ?? Date.now());
    return new ProviderError(`${where.model}: ${error.message}`, {
      ...(error.statusCode === undefined ? {} : { status: error.statusCode }),
      isRetryable: error.isRetryable,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      ...(error.responseHeaders ? { headers: error.responseHeaders } : {}),
      provider: where.provider,
      model: where.model,
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ProviderError(`${where.model}: ${message}`, {
    isRetryable: isNetworkError(error),
    provider: where.provider,
    model: where.model,
    cause: error,
  });
}

function isNetworkError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code =
    (error as { code?: unknown }).code ?? (error.cause as { code?: unknown } | undefined)?.code;
  return (
    (error instanceof TypeError && /fetch failed|network/i.test(error.message)) ||
    (typeof code === "string" &&
      /^(ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|EAI_AGAIN|UND_ERR_)/.test(code))
  );
}
