import { APICallError } from "@ai-sdk/provider";
import { isAbortError } from "../errors/abort.js";
import { LLMTeamError } from "../errors/llmteam-error.js";
import { ModelTimeoutError } from "../errors/model-timeout-error.js";
import { ProviderError } from "../errors/provider-error.js";
import { parseRetryAfter } from "../providers/retry-after.js";

/** Node and undici error codes of a connection that failed in a way a new attempt can fix. */
const NETWORK_ERROR_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "ENETUNREACH",
  "ENETDOWN",
  "EHOSTUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_CLOSED",
]);

/** How deep to follow `cause` chains (fetch wraps the socket error in a TypeError). */
const MAX_CAUSE_DEPTH = 5;

/**
 * True when an HTTP status is worth retrying: 408, 409, 429 and every 5xx (Anthropic's 529
 * "overloaded" included). Every other 4xx is a problem with the request or the account.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || (status >= 500 && status <= 599);
}

/**
 * Decides whether a failed model call can succeed if it is made again. This is the default of
 * `retryOn`, and what the circuit breaker counts as a failure.
 *
 * Retried: HTTP 408/409/429/5xx, network errors (`ECONNRESET`, `ETIMEDOUT`, fetch's
 * `TypeError: fetch failed`, …), our per-call {@link ModelTimeoutError}, provider "overloaded"
 * errors. Never retried: other 4xx (400, 401, 403, 404, 422, …), `ConfigError`, budget stops
 * (`code === "budget_exceeded"`), `CircuitOpenError`, `RetryError`, validation errors, aborts,
 * and anything unknown (a bug does not get better by running it again).
 *
 * @example
 * isRetryableError(new ProviderError("rate limited", { status: 429 })); // true
 * isRetryableError(new ProviderError("bad key", { status: 401 })); // false
 */
export function isRetryableError(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  if (ModelTimeoutError.isInstance(error)) return true;
  if (ProviderError.isInstance(error)) {
    if (error.status !== undefined) return isRetryableStatus(error.status);
    return error.isRetryable || isTransientCause(error.cause, 1);
  }
  // Every other llmteam error (config, budget, circuit open, retry exhausted, tool) is final.
  if (LLMTeamError.isInstance(error) || hasCode(error, "budget_exceeded")) return false;
  if (isAbortError(error)) return false;
  if (APICallError.isInstance(error)) {
    if (error.statusCode !== undefined) return isRetryableStatus(error.statusCode);
    return error.isRetryable || isTransientCause(error.cause, 1);
  }
  const status = statusOf(error);
  if (status !== undefined) return isRetryableStatus(status);
  return isTransient(error, 0);
}

/**
 * The delay a failed call asked for, in ms: `ProviderError.retryAfterMs`, else the `Retry-After`
 * headers it (or an unconverted AI SDK `APICallError`) carries. `undefined` when none.
 */
export function retryAfterMsOf(error: unknown, now: number): number | undefined {
  if (ProviderError.isInstance(error))
    return error.retryAfterMs ?? parseRetryAfter(error.headers, now);
  if (APICallError.isInstance(error)) return parseRetryAfter(error.responseHeaders, now);
  return undefined;
}

function isTransient(error: unknown, depth: number): boolean {
  if (typeof error !== "object" || error === null || depth > MAX_CAUSE_DEPTH) return false;
  const code = (error as { code?: unknown }).code;
  // A system error code decides: ECONNRESET is worth a retry, ENOTFOUND (a wrong host) is not.
  if (typeof code === "string" && /^(E[A-Z_]+|UND_ERR_[A-Z_]+)$/.test(code))
    return NETWORK_ERROR_CODES.has(code);
  if (isOverloaded(error)) return true;
  const cause = (error as { cause?: unknown }).cause;
  if (cause !== undefined) return isTransient(cause, depth + 1);
  // fetch's own failure without a cause to tell why ("fetch failed", "terminated").
  return (
    error instanceof TypeError && /fetch failed|network|socket|terminated/i.test(error.message)
  );
}

function isTransientCause(cause: unknown, depth: number): boolean {
  return cause !== undefined && isTransient(cause, depth);
}

/** Anthropic's `overloaded_error`, or a provider message that says it is overloaded. */
function isOverloaded(error: object): boolean {
  const type = (error as { type?: unknown }).type;
  if (typeof type === "string" && /overloaded/i.test(type)) return true;
  const message = (error as { message?: unknown }).message;
  return typeof message === "string" && /\boverloaded\b/i.test(message);
}

function statusOf(error: object): number | undefined {
  const candidate =
    (error as { status?: unknown; statusCode?: unknown }).status ??
    (error as { statusCode?: unknown }).statusCode;
  return typeof candidate === "number" && Number.isInteger(candidate) && candidate >= 100
    ? candidate
    : undefined;
}

function hasCode(error: object, code: string): boolean {
  return (error as { code?: unknown }).code === code;
}
