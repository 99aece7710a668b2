import { APICallError } from "@ai-sdk/provider";
import { isAbortError } from "../errors/abort.js";
import { LLMTeamError } from "../errors/llmteam-error.js";
import { ModelTimeoutError } from "../errors/model-timeout-error.js";
import { ProviderError } from "../errors/provider-error.js";
import { networkFailureOf, isTransientNetworkFailure } from "../providers/network-failure.js";
import { parseRetryAfter } from "../providers/retry-after.js";

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
    if (decidesByStatus(error.status)) return isRetryableStatus(error.status);
    return error.isRetryable || isTransientCause(error.cause);
  }
  // Every other llmteam error (config, budget, circuit open, retry exhausted, tool) is final.
  if (LLMTeamError.isInstance(error) || hasCode(error, "budget_exceeded")) return false;
  if (isAbortError(error)) return false;
  if (APICallError.isInstance(error)) {
    if (decidesByStatus(error.statusCode)) return isRetryableStatus(error.statusCode);
    // No status, or a 2xx: the connection failed (a 2xx: while the response was read).
    return error.isRetryable || isTransientCause(error.cause);
  }
  const status = statusOf(error);
  if (decidesByStatus(status)) return isRetryableStatus(status);
  return isTransient(error);
}

/**
 * An error status decides; a 2xx (the AI SDK reports a connection cut mid-response as an error
 * with the response's status 200) or no status leaves it to the cause.
 */
function decidesByStatus(status: number | undefined): status is number {
  return status !== undefined && (status < 200 || status > 299);
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

/**
 * A network failure in the chain decides (ECONNRESET is worth a retry, ENOTFOUND — a wrong
 * host — is not); else an "overloaded" error anywhere in the chain.
 */
function isTransient(error: unknown): boolean {
  if (networkFailureOf(error)) return isTransientNetworkFailure(error);
  for (let link = error, depth = 0; depth <= 5; depth++) {
    if (typeof link !== "object" || link === null) return false;
    if (isOverloaded(link)) return true;
    link = (link as { cause?: unknown }).cause;
  }
  return false;
}

function isTransientCause(cause: unknown): boolean {
  return cause !== undefined && isTransient(cause);
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
