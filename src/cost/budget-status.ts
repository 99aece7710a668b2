import { systemClock, type Clock } from "../internal/clock.js";
import { ConfigError } from "../errors/config-error.js";
import { nanoToUsd, usdToNano } from "../internal/money.js";
import type { CostTracker } from "./cost-tracker.js";
import type { BudgetStore } from "../store/budget-store.js";
import { Budget, type BudgetPeriod, type BudgetWindow } from "./budget.js";
import { BudgetManager, type BudgetStatus } from "./budget-manager.js";
import { windowAt } from "./budget-window.js";
import { unpricedError } from "./cost-middleware.js";
import type { PricingRegistry } from "./pricing-registry.js";

/** Where one period budget stands now: what `llmteam budget status` prints. */
export interface BudgetStatusReport {
  period: Exclude<BudgetPeriod, "run">;
  window: BudgetWindow;
  /** Who shares the budget (the team id or the budget's key). */
  key: string;
  maxUsd: number;
  spentUsd: number;
  /** Held by calls in flight. */
  reservedUsd: number;
  /** `max - spent - reserved`, never below 0. */
  remainingUsd: number;
  status: BudgetStatus;
  hardLimit: boolean;
  /** Spend at or after this time counts (ms since the epoch). */
  windowStartMs: number;
  /** Calendar: when the window resets. Rolling: when the current slice ends. */
  windowEndMs: number;
}

/** Options of {@link getBudgetStatus}. */
export interface BudgetStatusOptions {
  budgets: readonly (Budget | BudgetManager)[];
  store: BudgetStore;
  /** Key of budgets that have none. Default `"default"`. */
  teamId?: string;
  /** Default: the system clock. */
  clock?: Clock;
}

/**
 * Reads the spend of every period budget from its store (run budgets have no shared spend
 * and are skipped).
 * @example
 * for (const row of await getBudgetStatus({ budgets, store, teamId: "support" }))
 *   console.log(`${row.period}: $${row.spentUsd} of $${row.maxUsd} (${row.status})`);
 */
export async function getBudgetStatus(options: BudgetStatusOptions): Promise<BudgetStatusReport[]> {
  const nowMs = (options.clock ?? systemClock).now();
  const reports: BudgetStatusReport[] = [];
  for (const entry of options.budgets) {
    const manager = entry instanceof BudgetManager ? entry : new BudgetManager(entry);
    const budget = manager.budget;
    if (budget.period === "run") continue;
    const key = budget.key ?? options.teamId ?? "default";
    const position = windowAt(budget.period, budget.window, nowMs);
    const usage = await options.store.usage({
      key: `${key}:${budget.period}:${budget.window}`,
      windowStartMs: position.windowStartMs,
      nowMs,
    });
    reports.push({
      period: budget.period,
      window: budget.window,
      key,
      maxUsd: budget.maxCost,
      spentUsd: nanoToUsd(usage.spentNano),
      reservedUsd: nanoToUsd(usage.reservedNano),
      remainingUsd: nanoToUsd(
        Math.max(0, budget.maxCostNano - usage.spentNano - usage.reservedNano),
      ),
      status: manager.statusOf(usage.spentNano),
      hardLimit: budget.hardLimit,
      windowStartMs: position.windowStartMs,
      windowEndMs: position.windowEndMs,
    });
  }
  return reports;
}

/** What is left of a run budget (`maxCostPerRun`, or a budget with `period: run`). */
export interface RunBudgetReport {
  period: "run";
  /** The run asked about; undefined: a run not started yet (nothing spent). */
  runId: string | undefined;
  maxUsd: number;
  /** The run's priced spend so far (settled calls). */
  spentUsd: number;
  /** `max - spent`, never below 0. */
  remainingUsd: number;
  status: BudgetStatus;
  hardLimit: boolean;
}

/** What `team.remaining()` returns: what is left of every budget of the team. */
export interface BudgetRemaining {
  /** The least left over all budgets, USD: what the next call may spend; undefined without budgets. */
  remainingUsd: number | undefined;
  /** Run budgets: of the run asked about, else of a new run. */
  run: RunBudgetReport[];
  /** Period budgets in their current windows (as {@link getBudgetStatus}). */
  periods: BudgetStatusReport[];
}

/** Options of {@link getBudgetRemaining}. */
export interface BudgetRemainingOptions extends BudgetStatusOptions {
  /** Where run spend is counted. */
  tracker: CostTracker;
  /** The run whose run budgets to read (active, or in the tracker's history). */
  runId?: string | undefined;
}

/**
 * What is left of every budget: run budgets for one run (or a new run) and period budgets in
 * their current windows.
 * @throws ConfigError when `runId` is neither active nor in the tracker's history.
 * @example
 * const { remainingUsd, periods } = await getBudgetRemaining({ budgets, store, tracker, runId });
 */
export async function getBudgetRemaining(
  options: BudgetRemainingOptions,
): Promise<BudgetRemaining> {
  const periods = await getBudgetStatus(options);
  const spentNano = runSpentNano(options.tracker, options.runId);
  const run: RunBudgetReport[] = [];
  for (const entry of options.budgets) {
    const manager = entry instanceof BudgetManager ? entry : new BudgetManager(entry);
    if (manager.budget.period !== "run") continue;
    run.push({
      period: "run",
      runId: options.runId,
      maxUsd: manager.budget.maxCost,
      spentUsd: nanoToUsd(spentNano),
      remainingUsd: nanoToUsd(Math.max(0, manager.budget.maxCostNano - spentNano)),
      status: manager.statusOf(spentNano),
      hardLimit: manager.budget.hardLimit,
    });
  }
  const all = [...run, ...periods].map((row) => row.remainingUsd);
  return { remainingUsd: all.length === 0 ? undefined : Math.min(...all), run, periods };
}

function runSpentNano(tracker: CostTracker, runId: string | undefined): number {
  if (runId === undefined) return 0;
  if (tracker.isActive(runId)) return tracker.spentNano(runId);
  const ended = tracker.history.find((cost) => cost.runId === runId);
  if (ended) return usdToNano(ended.totalUsd);
  throw new ConfigError(
    `No run "${runId}" in the team's cost tracker: it is neither running nor in its history (the last ${tracker.history.length} runs).`,
  );
}

/** Options of {@link checkBudgetPricing}. */
export interface BudgetPricingCheckOptions {
  /** Every model the run may call: agents, router, fallbacks. */
  models: readonly string[];
  pricing: PricingRegistry;
  budgets: readonly (Budget | BudgetManager)[];
  /** Accept unpriced models under a budget (their calls are not counted). Default `false`. */
  allowUnpriced?: boolean;
}

/**
 * The run-start check: a budget cannot hold over a model with no price. Call it when a run
 * starts (or a team is configured) with every model the run may call.
 *
 * @returns the unpriced models (empty when all are priced).
 * @throws {ConfigError} naming each unpriced model, when there is a budget and `allowUnpriced` is not set.
 * @example checkBudgetPricing({ models: ["openai/gpt-4o-mini", "ollama/llama3"], pricing, budgets });
 */
export function checkBudgetPricing(options: BudgetPricingCheckOptions): string[] {
  const unpriced = [...new Set(options.models)].filter((model) => !options.pricing.has(model));
  if (unpriced.length > 0 && options.budgets.length > 0 && !options.allowUnpriced)
    throw unpricedError(unpriced);
  return unpriced;
}
