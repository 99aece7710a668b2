import { describe, expect, it } from "vitest";
import { runBudgetUsd } from "./run-budget.js";

describe("runBudgetUsd", () => {
  it("is maxCostPerRun, or the smallest hard budget of period run, and ignores period and soft budgets", () => {
    expect(runBudgetUsd({ maxCostPerRun: 0.5 })).toBe(0.5);
    expect(
      runBudgetUsd({
        maxCostPerRun: 0.5,
        budgets: [
          { maxCost: 0.2 },
          { maxCost: 0.1, period: "day" },
          { maxCost: 0.05, hardLimit: false },
          { maxCost: 0.3, period: "run" },
        ],
      }),
    ).toBe(0.2);
    expect(runBudgetUsd({ budgets: [{ maxCost: 20, period: "month" }] })).toBeUndefined();
    expect(runBudgetUsd(undefined)).toBeUndefined();
  });
});
