import { BudgetExceededError } from "../errors/budget-exceeded-error.js";
import { nanoToUsd, usdToNano } from "../internal/money.js";
import { Budget, type BudgetOptions } from "./budget.js";

/**
 * Where spend stands against a budget (the seed's four states):
 * - `OK`: below `alertThreshold × maxCost`;
 * - `ALERT`: at or above the alert threshold, below `maxCost`;
 * - `WARNING`: at or above `maxCost` on a **soft** budget (`hardLimit: false`): over, the run goes on;
 * - `EXCEEDED`: at or above `maxCost` on a **hard** budget: no further call is made.
 */
export const BudgetStatus = {
  OK: "ok",
  ALERT: "alert",
  WARNING: "warning",
  EXCEEDED: "exceeded",
} as const;

/** One of the {@link BudgetStatus} values. */
export type BudgetStatus = (typeof BudgetStatus)[keyof typeof BudgetStatus];

/** What an alert callback receives. */
export interface BudgetAlert {
  /** Spend that crossed the threshold, USD. */
  currentUsd: number;
  /** The budget's maximum, USD. */
  maxUsd: number;
  /** The budget's alert threshold (fraction of `maxUsd`). */
  threshold: number;
  /** Status at the crossing: `alert`, `warning` or `exceeded`. */
  status: BudgetStatus;
  budget: Budget;
  /** The run id or period window the alert is about (`default` for plain `check` calls). */
  scope: string;
}

/** Callback of {@link BudgetManager.onAlert}. */
export type BudgetAlertCallback = (alert: BudgetAlert) => void;

/** Result of {@link BudgetManager.observe}. */
export interface BudgetObservation {
  status: BudgetStatus;
  /** True when this observation crossed the alert threshold (first time in its scope). */
  crossedAlert: boolean;
  /** True when this observation reached `maxCost` (first time in its scope). */
  crossedLimit: boolean;
}

const MAX_SCOPES = 1024;

interface ScopeState {
  alerted: boolean;
  limited: boolean;
}

/**
 * Checks spend against one {@link Budget} and raises alerts **once per threshold crossing** in
 * each scope (a run, or a period window): spend falling back below the threshold (a new window)
 * re-arms the alert.
 *
 * @example
 * const manager = new BudgetManager(new Budget({ maxCost: 5, alertThreshold: 0.8 }));
 * manager.onAlert(({ currentUsd, maxUsd }) => console.log(`Alert: $${currentUsd}/$${maxUsd}`));
 * manager.check(4.5);        // "alert" (and the callback runs once)
 * manager.checkOrRaise(5.2); // throws BudgetExceededError
 */
export class BudgetManager {
  readonly budget: Budget;
  private readonly alertNano: number;
  private readonly callbacks = new Set<BudgetAlertCallback>();
  private readonly scopes = new Map<string, ScopeState>();

  constructor(budget: Budget | BudgetOptions) {
    this.budget = budget instanceof Budget ? budget : new Budget(budget);
    this.alertNano = Math.ceil(this.budget.maxCostNano * this.budget.alertThreshold);
  }

  /**
   * Status of `currentCost` (USD) against the budget; runs the alert callbacks on a crossing.
   * @param options.scope the run or window this spend is about. Default `"default"`.
   */
  check(currentCost: number, options: { scope?: string } = {}): BudgetStatus {
    return this.observe(usdToNano(currentCost), options.scope ?? "default").status;
  }

  /**
   * Like {@link check}, but throws when the status is `EXCEEDED`.
   * @throws {BudgetExceededError} on a hard budget at or over its maximum.
   */
  checkOrRaise(currentCost: number, options: { scope?: string } = {}): BudgetStatus {
    const status = this.check(currentCost, options);
    if (status === BudgetStatus.EXCEEDED) {
      throw new BudgetExceededError(currentCost, this.budget.maxCost, {
        period: this.budget.period,
        ...(this.budget.key === undefined ? {} : { budgetKey: this.budget.key }),
      });
    }
    return status;
  }

  /** Status of a spend in nano-dollars, without callbacks or crossing state. */
  statusOf(spentNano: number): BudgetStatus {
    if (spentNano >= this.budget.maxCostNano)
      return this.budget.hardLimit ? BudgetStatus.EXCEEDED : BudgetStatus.WARNING;
    if (spentNano >= this.alertNano) return BudgetStatus.ALERT;
    return BudgetStatus.OK;
  }

  /**
   * Records a spend (nano-dollars) in `scope`, runs the alert callbacks on a crossing and says
   * which thresholds it crossed. The cost middleware calls this after each settled call.
   */
  observe(spentNano: number, scope: string): BudgetObservation {
    const status = this.statusOf(spentNano);
    let state = this.scopes.get(scope);
    if (!state) {
      if (status === BudgetStatus.OK) return { status, crossedAlert: false, crossedLimit: false };
      state = { alerted: false, limited: false };
      if (this.scopes.size >= MAX_SCOPES) this.scopes.delete(this.scopes.keys().next().value!);
      this.scopes.set(scope, state);
    }
    if (status === BudgetStatus.OK) {
      this.scopes.delete(scope);
      return { status, crossedAlert: false, crossedLimit: false };
    }
    const crossedAlert = !state.alerted;
    const atLimit = status === BudgetStatus.WARNING || status === BudgetStatus.EXCEEDED;
    const crossedLimit = atLimit && !state.limited;
    state.alerted = true;
    if (atLimit) state.limited = true;
    if (crossedAlert) {
      const alert: BudgetAlert = {
        currentUsd: nanoToUsd(spentNano),
        maxUsd: this.budget.maxCost,
        threshold: this.budget.alertThreshold,
        status,
        budget: this.budget,
        scope,
      };
      for (const callback of this.callbacks) callback(alert);
    }
    return { status, crossedAlert, crossedLimit };
  }

  /** Forgets a scope's crossings (a run ended). */
  forget(scope: string): void {
    this.scopes.delete(scope);
  }

  /**
   * Calls `callback` once each time spend crosses the alert threshold in a scope.
   * @returns a function that removes the callback.
   */
  onAlert(callback: BudgetAlertCallback): () => void {
    this.callbacks.add(callback);
    return () => this.callbacks.delete(callback);
  }
}
