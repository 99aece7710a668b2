import type { BudgetPeriod, BudgetWindow } from "./budget.js";

/** Where a period budget's spend goes now and which spend counts. */
export interface WindowPosition {
  /** The bucket a call starting now spends in. */
  bucketStartMs: number;
  /** Buckets starting at or after this are in the window. */
  windowStartMs: number;
  /** Calendar: when the window ends (the reset). Rolling: when the current slice ends. */
  windowEndMs: number;
  /** When the current bucket leaves every window (for store clean-up). */
  bucketExpiresAtMs: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Length of a rolling period: 1 hour, 24 hours, 30 days. */
export const ROLLING_PERIOD_MS: Record<Exclude<BudgetPeriod, "run">, number> = {
  hour: HOUR_MS,
  day: DAY_MS,
  month: 30 * DAY_MS,
};

/** A rolling window is tracked in this many slices (spend leaves it at most one slice late). */
export const ROLLING_SLICES = 60;

/**
 * Computes the window of a period budget at `nowMs`.
 *
 * Calendar windows are UTC: the hour, the day from 00:00 UTC, the month from the 1st 00:00 UTC.
 * Rolling windows cover the last period (`ROLLING_PERIOD_MS`) in 60 slices: spend made at `t`
 * counts until at least `t + period` and at most one slice longer (never shorter).
 */
export function windowAt(
  period: Exclude<BudgetPeriod, "run">,
  window: BudgetWindow,
  nowMs: number,
): WindowPosition {
  if (window === "rolling") {
    const periodMs = ROLLING_PERIOD_MS[period];
    const sliceMs = periodMs / ROLLING_SLICES;
    const bucketStartMs = Math.floor(nowMs / sliceMs) * sliceMs;
    return {
      bucketStartMs,
      windowStartMs: bucketStartMs - periodMs,
      windowEndMs: bucketStartMs + sliceMs,
      bucketExpiresAtMs: bucketStartMs + periodMs + 2 * sliceMs,
    };
  }
  const { start, end } = calendarWindow(period, nowMs);
  return { bucketStartMs: start, windowStartMs: start, windowEndMs: end, bucketExpiresAtMs: end };
}

function calendarWindow(
  period: Exclude<BudgetPeriod, "run">,
  nowMs: number,
): { start: number; end: number } {
  if (period === "hour") {
    const start = Math.floor(nowMs / HOUR_MS) * HOUR_MS;
    return { start, end: start + HOUR_MS };
  }
  if (period === "day") {
    const start = Math.floor(nowMs / DAY_MS) * DAY_MS;
    return { start, end: start + DAY_MS };
  }
  const date = new Date(nowMs);
  return {
    start: Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1),
    end: Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1),
  };
}
