import type { RetryPolicy } from "./retry-policy.js";

/**
 * The wait before retry number `attempt` (1 = the first retry), in whole ms:
 * - `exponential`: `baseDelay * multiplier^(attempt - 1)` → 1, 2, 4, 8 s with the defaults,
 * - `linear`: `baseDelay * attempt` → 1, 2, 3 s,
 * - `constant`: `baseDelay`,
 * then spread by ±`jitter` (0.1 → a factor in [0.9, 1.1]) and capped at `maxDelay`.
 *
 * @param random a source of numbers in [0, 1) (default `Math.random`), for tests.
 * @example
 * backoffDelayMs(resolveRetryPolicy({ jitter: 0 }), 3); // 4000
 */
export function backoffDelayMs(
  policy: Pick<RetryPolicy, "backoff" | "baseDelay" | "maxDelay" | "multiplier" | "jitter">,
  attempt: number,
  random: () => number = Math.random,
): number {
  const baseMs = policy.baseDelay * 1000;
  let delayMs: number;
  switch (policy.backoff) {
    case "exponential":
      delayMs = baseMs * policy.multiplier ** (attempt - 1);
      break;
    case "linear":
      delayMs = baseMs * attempt;
      break;
    case "constant":
      delayMs = baseMs;
      break;
  }
  if (policy.jitter > 0) delayMs *= 1 + policy.jitter * (2 * random() - 1);
  return Math.round(Math.min(delayMs, policy.maxDelay * 1000));
}
