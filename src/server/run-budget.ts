/**
 * The hard limit of one run's spend, from the team configuration a run started with:
 * `maxCostPerRun`, or the smallest budget of period `run` (the default period) that is hard.
 * `undefined` when the team has none (period budgets are shared by runs: not one run's limit).
 */
export function runBudgetUsd(config: unknown): number | undefined {
  if (typeof config !== "object" || config === null) return undefined;
  const { maxCostPerRun, budgets } = config as { maxCostPerRun?: unknown; budgets?: unknown };
  const limits: number[] = typeof maxCostPerRun === "number" ? [maxCostPerRun] : [];
  for (const budget of Array.isArray(budgets) ? (budgets as unknown[]) : []) {
    const { maxCost, period, hardLimit } = budget as {
      maxCost?: unknown;
      period?: unknown;
      hardLimit?: unknown;
    };
    if (typeof maxCost === "number" && (period ?? "run") === "run" && hardLimit !== false)
      limits.push(maxCost);
  }
  return limits.length === 0 ? undefined : Math.min(...limits);
}
