import { APICallError } from "@ai-sdk/provider";
import { LLMTeamError } from "../errors/llmteam-error.js";
import { ProviderError } from "../errors/provider-error.js";
import { isAbortError } from "../errors/abort.js";

/**
 * Wraps whatever a provider threw into a {@link ProviderError} with status, headers and
 * retryability. Our own errors and aborts pass through unchanged.
 */
export function toProviderError(error: unknown, where: { provider: string; model: string }): unknown {
  if (LLMTeamError.isInstance(error) || isAbortError(error)) return error;
  if (APICallError.isInstance(error)) {
    return new ProviderError(`${where.model}: ${error.message}`, {
      ...(error.statusCode === undefined ? {} : { status: error.statusCode }),
      isRetryable: error.isRetryable,
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
  const code = (error as { code?: unknown }).code ?? (error.cause as { code?: unknown } | undefined)?.code;
  return (
    (error instanceof TypeError && /fetch failed|network/i.test(error.message)) ||
    (typeof code === "string" && /^(ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|EAI_AGAIN|UND_ERR_)/.test(code))
  );
}
