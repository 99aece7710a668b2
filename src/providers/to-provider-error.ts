import { APICallError } from "@ai-sdk/provider";
import { LLMTeamError } from "../errors/llmteam-error.js";
import { ProviderError } from "../errors/provider-error.js";
import { isAbortError } from "../errors/abort.js";
import { isTransientNetworkFailure, networkFailureOf } from "./network-failure.js";
import { parseRetryAfter } from "./retry-after.js";

/** Longest provider message kept in a `ProviderError` message (the whole error stays in `cause`). */
const MAX_DETAIL_CHARS = 240;

/**
 * Wraps whatever a provider threw into a {@link ProviderError} with status, headers,
 * retryability and `retryAfterMs` (from `Retry-After` / `retry-after-ms`, read at `where.now`,
 * default `Date.now()`). The message is one line: the model, the HTTP status and URL path when
 * there was a response, and the provider's own message cut to 240 characters; the original error
 * is the `cause`. A connection cut while a successful (2xx) response was read has no `status`
 * and is retryable. Our own errors and aborts pass through unchanged.
 */
export function toProviderError(
  error: unknown,
  where: { provider: string; model: string; now?: number },
): unknown {
  if (LLMTeamError.isInstance(error) || isAbortError(error)) return error;
  if (APICallError.isInstance(error)) {
    const status = error.statusCode;
    const failed = status !== undefined && (status < 200 || status > 299);
    const retryAfterMs = parseRetryAfter(error.responseHeaders, where.now ?? Date.now());
    return new ProviderError(`${where.model}: ${describeCallError(error)}`, {
      ...(failed ? { status } : {}),
      isRetryable: failed
        ? error.isRetryable
        : error.isRetryable || isTransientNetworkFailure(error),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      ...(error.responseHeaders ? { headers: error.responseHeaders } : {}),
      provider: where.provider,
      model: where.model,
      cause: error,
    });
  }
  const failure = networkFailureOf(error);
  const detail = failure ? describeNetworkFailure(failure) : oneLine(messageOf(error));
  return new ProviderError(`${where.model}: ${detail}`, {
    isRetryable: isTransientNetworkFailure(error),
    provider: where.provider,
    model: where.model,
    cause: error,
  });
}

/**
 * One line for an AI SDK call error: `HTTP 404 from /v1/responses: File Not Found`,
 * `connection lost while reading the response of /v1/chat/completions: terminated (UND_ERR_SOCKET: other side closed)`.
 */
function describeCallError(error: APICallError): string {
  const path = pathOf(error.url);
  const of = path || "the provider";
  const status = error.statusCode;
  const failure = networkFailureOf(error.cause);
  if (status === undefined)
    return `cannot reach ${of}: ${failure ? describeNetworkFailure(failure) : oneLine(error.message)}`;
  if (status >= 200 && status <= 299) {
    if (failure)
      return `connection lost while reading the response of ${of} (HTTP ${status}): ${describeNetworkFailure(failure)}`;
    return `unreadable response from ${of} (HTTP ${status}): ${oneLine(`${error.message}: ${messageOf(error.cause)}`)}`;
  }
  const detail = oneLine(providerMessage(error));
  const where = path ? ` from ${path}` : "";
  return detail && detail !== `HTTP ${status}`
    ? `HTTP ${status}${where}: ${detail}`
    : `HTTP ${status}${where}`;
}

/** The provider's message: the SDK's parsed one, else the start of the body. */
function providerMessage(error: APICallError): string {
  const generic =
    /^(Bad Request|Not Found|Internal Server Error|Failed to process error response)$/i;
  if (error.message && !generic.test(error.message)) return error.message;
  return error.responseBody?.trim() || error.message || "(no message)";
}

function describeNetworkFailure(failure: Error): string {
  const code = (failure as { code?: unknown }).code;
  const message = oneLine(failure.message);
  return typeof code === "string" ? `${code}: ${message}` : message;
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The first line with text, whitespace collapsed, cut to {@link MAX_DETAIL_CHARS}. */
function oneLine(text: string): string {
  const line = text.split("\n").find((part) => part.trim() !== "") ?? "";
  const flat = line.replace(/\s+/g, " ").trim();
  return flat.length > MAX_DETAIL_CHARS ? `${flat.slice(0, MAX_DETAIL_CHARS)}…` : flat;
}
