import { ConfigError } from "../errors/config-error.js";
import { usdToNano } from "../internal/money.js";

/** How long a budget's spend counts: one run, or a period shared by runs. */
export const BudgetPeriod = {
  RUN: "run",
  HOUR: "hour",
  DAY: "day",
  MONTH: "month",
} as const;

/** One of the {@link BudgetPeriod} values. */
export type BudgetPeriod = (typeof BudgetPeriod)[keyof typeof BudgetPeriod];

/**
 * How a period's window moves. `calendar`: the current UTC hour, day or month (resets at the
 * boundary). `rolling`: the last 60 minutes, 24 hours or 30 days (spend leaves the window
 * gradually, in 1/60 slices of the period, never early).
 */
export const BudgetWindow = {
  CALENDAR: "calendar",
  ROLLING: "rolling",
} as const;

/** One of the {@link BudgetWindow} values. */
export type BudgetWindow = (typeof BudgetWindow)[keyof typeof BudgetWindow];

/** Options of {@link Budget}. Only `maxCost` is required. */
export interface BudgetOptions {
  /** Maximum spend in USD. */
  maxCost: number;
  /** Fraction of `maxCost` at which the budget alerts (`budget_alert`). Default `0.8`. */
  alertThreshold?: number | undefined;
  /** `true`: a call that does not fit is not made (`BudgetExceededError`). `false`: warn and go on. Default `true`. */
  hardLimit?: boolean | undefined;
  /** `run` (each run has its own budget) or `hour`/`day`/`month` (shared by runs). Default `run`. */
  period?: BudgetPeriod | undefined;
  /** For periods: `calendar` or `rolling`. Default `calendar`. */
  window?: BudgetWindow | undefined;
  /**
   * For periods: who shares the budget. Default: the team id, so all runs of the team share it.
   * Give a user id, a tenant or a project name to budget across teams.
   */
  key?: string | undefined;
}

const PERIODS: readonly string[] = Object.values(BudgetPeriod);
const WINDOWS: readonly string[] = Object.values(BudgetWindow);

/**
 * A spending limit: per run, or per hour/day/month shared by every run of a team (or key).
 *
 * @throws {ConfigError} when a value is out of range; the message names the valid choices.
 * @example
 * new Budget({ maxCost: 10 });                                   // $10 per run, hard
 * new Budget({ maxCost: 50, period: "day" });                    // $50 per UTC day for the team
 * new Budget({ maxCost: 200, period: "month", window: "rolling", key: "user-42", hardLimit: false });
 */
export class Budget {
  /** Maximum spend, USD. */
  readonly maxCost: number;
  /** Maximum spend, integer nano-dollars. */
  readonly maxCostNano: number;
  readonly alertThreshold: number;
  readonly hardLimit: boolean;
  readonly period: BudgetPeriod;
  readonly window: BudgetWindow;
  /** The sharing key of a period budget, when one was given. */
  readonly key: string | undefined;

  constructor(options: BudgetOptions) {
    const {
      maxCost,
      alertThreshold = 0.8,
      hardLimit = true,
      period = "run",
      window = "calendar",
      key,
    } = options;
    const issues: { path: string[]; message: string }[] = [];
    if (typeof maxCost !== "number" || !Number.isFinite(maxCost) || maxCost < 0) {
      issues.push({
        path: ["maxCost"],
        message: `must be a finite number of USD >= 0, got ${String(maxCost)}.`,
      });
    }
    if (!(alertThreshold > 0 && alertThreshold <= 1)) {
      issues.push({
        path: ["alertThreshold"],
        message: `must be in (0, 1], got ${String(alertThreshold)}.`,
      });
    }
    if (!PERIODS.includes(period)) {
      issues.push({
        path: ["period"],
        message: `Unknown period "${String(period)}". Valid: ${PERIODS.join(", ")}.`,
      });
    }
    if (!WINDOWS.includes(window)) {
      issues.push({
        path: ["window"],
        message: `Unknown window "${String(window)}". Valid: ${WINDOWS.join(", ")}.`,
      });
    }
    if (key !== undefined && (typeof key !== "string" || key.length === 0)) {
      issues.push({ path: ["key"], message: "must be a non-empty string." });
    }
    if (issues.length > 0)
      throw new ConfigError(
        issues.map((issue) => ({ path: ["budget", ...issue.path], message: issue.message })),
      );
    this.maxCost = maxCost;
    this.maxCostNano = usdToNano(maxCost);
    this.alertThreshold = alertThreshold;
    this.hardLimit = hardLimit;
    this.period = period;
    this.window = window;
    this.key = key;
  }

  /** A readable name: `run`, `day`, `month (rolling)`. */
  get label(): string {
    return this.period === "run" || this.window === "calendar"
      ? this.period
      : `${this.period} (rolling)`;
  }
}
