import { Budget } from "../cost/budget.js";
import { BudgetManager } from "../cost/budget-manager.js";
import { createCostLayer } from "../cost/cost-middleware.js";
import type { UsageMeter } from "../cost/usage-meter.js";
import type { ModelCallMiddleware } from "../providers/model-call.js";
import { CostTracker } from "../cost/cost-tracker.js";
import { PricingRegistry } from "../cost/pricing-registry.js";
import { registerDeclaredPrices } from "../cost/pricing-schema.js";
import type { Clock } from "../internal/clock.js";
import type { BudgetStore } from "../store/budget-store.js";
import { MemoryBudgetStore } from "../store/memory-budget-store.js";
import type { TeamConfig } from "./team-config.js";
import type { TeamRuntimeOptions } from "./team-runtime-options.js";

/** What a team counts and limits spend with. */
export interface TeamCost {
  costTracker: CostTracker;
  /** One manager per budget: `maxCostPerRun` first, then `budgets`. */
  budgetManagers: BudgetManager[];
  budgetStore: BudgetStore;
  /** The cost layer of the team's model calls: prices, reserves and settles against the budgets. */
  layer: ModelCallMiddleware;
  /** The same layer's meter of calls that are not model calls (`rag` agents' query embeddings). */
  meter: UsageMeter;
}

/**
 * The cost parts of a team: its tracker (given, or on `registry` or a new registry) with the
 * declared prices registered, a manager per budget, the budget store and the cost layer.
 */
export function createTeamCost(
  teamId: string,
  settings: Omit<TeamConfig, "agents">,
  runtime: TeamRuntimeOptions,
  registry: PricingRegistry | undefined,
  clock: Clock,
): TeamCost {
  const costTracker =
    runtime.costTracker ??
    new CostTracker({ pricing: registry ?? new PricingRegistry({ clock }), clock });
  registerDeclaredPrices(costTracker.pricing, settings.pricing, settings.providers);
  const budgetManagers = [
    ...(settings.maxCostPerRun === undefined
      ? []
      : [new Budget({ maxCost: settings.maxCostPerRun })]),
    ...(settings.budgets ?? []).map((budget) => new Budget(budget)),
  ].map((budget) => new BudgetManager(budget));
  const budgetStore = runtime.budgetStore ?? new MemoryBudgetStore();
  const { middleware: layer, meter } = createCostLayer({
    tracker: costTracker,
    budgets: budgetManagers,
    store: budgetStore,
    teamId,
    allowUnpriced: settings.allowUnpriced ?? false,
  });
  return { costTracker, budgetManagers, budgetStore, layer, meter };
}
