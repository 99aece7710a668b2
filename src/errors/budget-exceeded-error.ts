import { LLMTeamError, errorMarker, hasMarker } from "./llmteam-error.js";

const MARKER = errorMarker("BudgetExceededError");

/** Options of {@link BudgetExceededError}. */
export interface BudgetExceededErrorOptions {
  /** Worst-case cost of the call that was refused, in USD (absent for a plain check). */
  requestedUsd?: number;
  /** The budget's period: `run`, `hour`, `day` or `month`. Default `run`. */
  period?: string;
  /** The key of a shared period budget (team or user key). */
  budgetKey?: string;
  /** USD held by calls in flight when the call was refused. Default `0`. */
  reservedUsd?: number;
  cause?: unknown;
}

/**
 * A hard budget has no room for a call: the call was **not made**. `spentUsd` is what the
 * budget had spent, `limitUsd` its maximum (the seed's `current` and `max`).
 *
 * @example
 * try { await team.run(input) } catch (error) {
 *   if (BudgetExceededError.isInstance(error)) console.log(`spent $${error.spentUsd} of $${error.limitUsd}`);
 * }
 */
export class BudgetExceededError extends LLMTeamError {
  readonly [MARKER] = true;
  override readonly code = "budget_exceeded";
  /** USD spent in the budget (its run, or its current period window). */
  readonly spentUsd: number;
  /** The budget's maximum, in USD. */
  readonly limitUsd: number;
  /** Worst-case cost of the refused call, in USD, when a call was refused. */
  readonly requestedUsd: number | undefined;
  /** USD held by calls in flight at the time. */
  readonly reservedUsd: number;
  /** `run`, `hour`, `day` or `month`. */
  readonly period: string;
  /** The key of a shared period budget. */
  readonly budgetKey: string | undefined;

  constructor(spentUsd: number, limitUsd: number, options: BudgetExceededErrorOptions = {}) {
    const period = options.period ?? "run";
    const reservedUsd = options.reservedUsd ?? 0;
    const scope =
      period === "run"
        ? "run budget"
        : `${period} budget${options.budgetKey ? ` "${options.budgetKey}"` : ""}`;
    const held = reservedUsd > 0 ? ` (+${formatUsd(reservedUsd)} held by calls in flight)` : "";
    const message =
      options.requestedUsd === undefined
        ? `Budget exceeded: spent ${formatUsd(spentUsd)} of the ${formatUsd(limitUsd)} ${scope}.`
        : `Budget exceeded: a call costing up to ${formatUsd(options.requestedUsd)} does not fit the ${formatUsd(limitUsd)} ${scope}: ${formatUsd(spentUsd)} spent${held}. The call was not made.`;
    super(message, options);
    this.spentUsd = spentUsd;
    this.limitUsd = limitUsd;
    this.requestedUsd = options.requestedUsd;
    this.reservedUsd = reservedUsd;
    this.period = period;
    this.budgetKey = options.budgetKey;
  }

  /** The seed's name for {@link spentUsd}. */
  get current(): number {
    return this.spentUsd;
  }

  /** The seed's name for {@link limitUsd}. */
  get max(): number {
    return this.limitUsd;
  }

  static override isInstance(error: unknown): error is BudgetExceededError {
    return hasMarker(error, MARKER);
  }
}

function formatUsd(usd: number): string {
  return `$${usd < 0.01 && usd > 0 ? usd.toPrecision(3) : usd.toFixed(2)}`;
}
