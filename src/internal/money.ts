/**
 * Money inside llmteam is an integer number of nano-dollars (1e-9 USD): sums are exact, and
 * a plain JS number holds up to about $9 million exactly (`Number.MAX_SAFE_INTEGER` nano-dollars).
 * Prices are integer pico-dollars (1e-12 USD) per token, so every price with at most six decimals
 * per 1M tokens is exact; one call's cost is rounded once, to the nearest nano-dollar.
 * USD numbers appear only at the API edges.
 */

/** Nano-dollars in one US dollar. */
export const NANO_PER_USD = 1_000_000_000;

/** Pico-dollars per token for a price given in USD per 1M tokens. */
export function picoPerTokenFromPerMillion(usdPerMillion: number): number {
  return Math.round(usdPerMillion * 1_000_000);
}

/** Pico-dollars per token for a price given in USD per 1k tokens. */
export function picoPerTokenFromPerThousand(usdPerThousand: number): number {
  return Math.round(usdPerThousand * 1_000_000_000);
}

/** Rounds pico-dollars to the nearest nano-dollar (halves away from zero), exactly. */
export function picoToNano(pico: number): number {
  const remainder = pico % 1000;
  const whole = (pico - remainder) / 1000;
  if (remainder >= 500) return whole + 1;
  if (remainder <= -500) return whole - 1;
  return whole;
}

/** USD (a number from the user) to nano-dollars, rounded to the nearest nano-dollar. */
export function usdToNano(usd: number): number {
  return Math.round(usd * NANO_PER_USD);
}

/** Nano-dollars to a USD number (for the API; never summed again). */
export function nanoToUsd(nano: number): number {
  return nano / NANO_PER_USD;
}
