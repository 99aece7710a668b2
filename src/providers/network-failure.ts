/** Node and undici error codes of a connection that failed in a way a new attempt can fix. */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
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

/** How deep to follow `cause` chains (the AI SDK wraps fetch's TypeError, which wraps the socket error). */
const MAX_CAUSE_DEPTH = 5;

/** A system error code (`ECONNRESET`, `UND_ERR_SOCKET`, `ENOTFOUND`, …). */
const SYSTEM_CODE = /^(E[A-Z_]+|UND_ERR_[A-Z_]+)$/;

/**
 * The network failure under `error`, following its `cause` chain: the first error with a system
 * code (`ECONNRESET`, `UND_ERR_SOCKET` "other side closed", `ENOTFOUND`, …), or fetch's own
 * `TypeError` ("fetch failed", "terminated") when nothing deeper says why. `undefined` when the
 * chain holds no network failure.
 */
export function networkFailureOf(error: unknown, depth = 0): Error | undefined {
  if (typeof error !== "object" || error === null || depth > MAX_CAUSE_DEPTH) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && SYSTEM_CODE.test(code)) return error as Error;
  const deeper = networkFailureOf((error as { cause?: unknown }).cause, depth + 1);
  if (deeper) return deeper;
  return error instanceof TypeError && /fetch failed|network|socket|terminated/i.test(error.message)
    ? error
    : undefined;
}

/**
 * True when `error` (or an error in its `cause` chain) is a network failure a new attempt can
 * fix: a dropped or refused connection, a socket closed mid-response. `ENOTFOUND` (a wrong host
 * name) is not.
 */
export function isTransientNetworkFailure(error: unknown): boolean {
  const failure = networkFailureOf(error);
  if (!failure) return false;
  const code = (failure as { code?: unknown }).code;
  return typeof code === "string" ? NETWORK_ERROR_CODES.has(code) : true;
}
