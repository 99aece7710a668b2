/** Response headers as a `Headers` object or a plain record (any key case). */
export type HeadersLike = Headers | Record<string, string | undefined>;

const NUMBER = /^\s*\d+(?:\.\d+)?\s*$/;

/**
 * Reads how long a provider asked us to wait before retrying, in ms, from response headers:
 * - `retry-after-ms: 1500` (milliseconds, sent by OpenAI and Azure; checked first, it is finer),
 * - `Retry-After: 2` (seconds, decimals allowed),
 * - `Retry-After: Wed, 21 Oct 2026 07:28:00 GMT` (an HTTP date; a date in the past gives 0).
 * Header names match in any case. Malformed or negative values are ignored.
 *
 * @param headers the response headers (`undefined` when there was no response).
 * @param now the current time in ms since the epoch (`clock.now()`), for the HTTP-date form.
 * @returns the delay in ms, or `undefined` when the headers ask for nothing usable.
 * @example
 * parseRetryAfter({ "retry-after": "2" }, clock.now()); // 2000
 */
export function parseRetryAfter(headers: HeadersLike | undefined, now: number): number | undefined {
  if (!headers) return undefined;
  const milliseconds = headerValue(headers, "retry-after-ms");
  if (milliseconds !== undefined && NUMBER.test(milliseconds)) return Number(milliseconds);
  const value = headerValue(headers, "retry-after");
  if (value === undefined) return undefined;
  if (NUMBER.test(value)) return Number(value) * 1000;
  // An HTTP date names its month ("Wed, 21 Oct 2026 07:28:00 GMT"); "-5" is not a date.
  if (!/[a-z]/i.test(value)) return undefined;
  const dateMs = Date.parse(value);
  if (Number.isNaN(dateMs)) return undefined;
  return Math.max(0, dateMs - now);
}

function headerValue(headers: HeadersLike, name: string): string | undefined {
  if (
    typeof (headers as Headers).get === "function" &&
    typeof (headers as Headers).has === "function"
  ) {
    return (headers as Headers).get(name) ?? undefined;
  }
  const record = headers as Record<string, string | undefined>;
  const exact = record[name];
  if (exact !== undefined) return exact;
  for (const key of Object.keys(record)) {
    if (key.toLowerCase() === name) return record[key];
  }
  return undefined;
}
