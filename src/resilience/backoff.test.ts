import { describe, expect, it } from "vitest";
import { backoffDelayMs, resolveRetryPolicy } from "./index.js";

const exact = () => 0.5; // jitter factor exactly 1

describe("backoff delays", () => {
  it("doubles from 1 s and caps at 30 s (exponential)", () => {
    const policy = resolveRetryPolicy({ backoff: "exponential" });
    expect([1, 2, 3, 4, 5, 6, 7].map((attempt) => backoffDelayMs(policy, attempt, exact))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000,
    ]);
  });

  it("uses the multiplier", () => {
    const policy = resolveRetryPolicy({ multiplier: 3, baseDelay: 0.5 });
    expect([1, 2, 3].map((attempt) => backoffDelayMs(policy, attempt, exact))).toEqual([
      500, 1_500, 4_500,
    ]);
  });

  it("grows by baseDelay each retry (linear)", () => {
    const policy = resolveRetryPolicy({ backoff: "linear", baseDelay: 2, maxDelay: 5 });
    expect([1, 2, 3, 4].map((attempt) => backoffDelayMs(policy, attempt, exact))).toEqual([
      2_000, 4_000, 5_000, 5_000,
    ]);
  });

  it("waits baseDelay every time (constant)", () => {
    const policy = resolveRetryPolicy({ backoff: "constant", baseDelay: 1.5 });
    expect([1, 2, 3].map((attempt) => backoffDelayMs(policy, attempt, exact))).toEqual([
      1_500, 1_500, 1_500,
    ]);
  });

  it("spreads each delay by at most ±jitter", () => {
    const policy = resolveRetryPolicy({ jitter: 0.1 });
    expect(backoffDelayMs(policy, 2, () => 0)).toBe(1_800);
    expect(backoffDelayMs(policy, 2, () => 0.999_999)).toBe(2_200);
    const samples = Array.from({ length: 2_000 }, () => backoffDelayMs(policy, 2));
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(1_800);
    expect(Math.max(...samples)).toBeLessThanOrEqual(2_200);
    expect(new Set(samples).size).toBeGreaterThan(100); // it does spread
  });

  it("never exceeds maxDelay, jitter included", () => {
    const policy = resolveRetryPolicy({ jitter: 0.5, maxDelay: 10 });
    expect(backoffDelayMs(policy, 4, () => 0.999_999)).toBe(10_000);
  });
});
