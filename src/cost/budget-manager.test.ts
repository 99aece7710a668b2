import { describe, expect, it } from "vitest";
import { ConfigError } from "../errors/config-error.js";
import {
  Budget,
  BudgetExceededError,
  BudgetManager,
  BudgetStatus,
  type BudgetAlert,
} from "./index.js";

describe("BudgetManager", () => {
  it("reports OK, ALERT and EXCEEDED on a hard budget (the seed's example)", () => {
    const manager = new BudgetManager(
      new Budget({ maxCost: 5, alertThreshold: 0.8, hardLimit: true }),
    );
    expect(manager.check(3.99)).toBe(BudgetStatus.OK);
    expect(manager.check(4.5)).toBe(BudgetStatus.ALERT);
    expect(manager.check(5)).toBe(BudgetStatus.EXCEEDED);
  });

  it("reports WARNING instead of EXCEEDED on a soft budget", () => {
    const manager = new BudgetManager({ maxCost: 5, hardLimit: false });
    expect(manager.check(6)).toBe(BudgetStatus.WARNING);
    expect(manager.checkOrRaise(6)).toBe(BudgetStatus.WARNING);
  });

  it("raises BudgetExceededError with what was spent and the limit", () => {
    const manager = new BudgetManager({ maxCost: 5 });
    expect(manager.checkOrRaise(4)).toBe(BudgetStatus.ALERT);
    let caught: unknown;
    try {
      manager.checkOrRaise(5.25);
    } catch (error) {
      caught = error;
    }
    expect(BudgetExceededError.isInstance(caught)).toBe(true);
    const error = caught as BudgetExceededError;
    expect([error.code, error.spentUsd, error.limitUsd, error.current, error.max]).toEqual([
      "budget_exceeded",
      5.25,
      5,
      5.25,
      5,
    ]);
    expect(error.message).toContain("$5.25");
  });

  it("alerts once per threshold crossing, and again after falling back below", () => {
    const manager = new BudgetManager({ maxCost: 10, alertThreshold: 0.5 });
    const alerts: BudgetAlert[] = [];
    manager.onAlert((alert) => alerts.push(alert));
    for (const cost of [1, 4.99, 5, 6, 7, 11]) manager.check(cost);
    expect(alerts.map((alert) => alert.currentUsd)).toEqual([5]);
    manager.check(0.5); // a new window: spend fell below the threshold
    manager.check(5.5);
    expect(alerts.map((alert) => alert.currentUsd)).toEqual([5, 5.5]);
    expect(alerts[0]).toMatchObject({
      maxUsd: 10,
      threshold: 0.5,
      status: "alert",
      scope: "default",
    });
  });

  it("keeps crossings per scope", () => {
    const manager = new BudgetManager({ maxCost: 10 });
    const scopes: string[] = [];
    const stop = manager.onAlert((alert) => scopes.push(alert.scope));
    manager.check(9, { scope: "run-1" });
    manager.check(9, { scope: "run-2" });
    manager.check(9.5, { scope: "run-1" });
    stop();
    manager.check(9, { scope: "run-3" });
    expect(scopes).toEqual(["run-1", "run-2"]);
  });
});

describe("Budget", () => {
  it("has the seed's defaults", () => {
    expect(new Budget({ maxCost: 1 })).toMatchObject({
      alertThreshold: 0.8,
      hardLimit: true,
      period: "run",
      window: "calendar",
      maxCostNano: 1_000_000_000,
    });
  });

  it("rejects bad values, naming the valid choices", () => {
    expect(() => new Budget({ maxCost: -1 })).toThrow(ConfigError);
    expect(() => new Budget({ maxCost: 1, alertThreshold: 1.5 })).toThrow(/alertThreshold/);
    expect(() => new Budget({ maxCost: 1, period: "week" as "day" })).toThrow(
      /Valid: run, hour, day, month/,
    );
    expect(() => new Budget({ maxCost: 1, window: "sliding" as "rolling" })).toThrow(
      /Valid: calendar, rolling/,
    );
  });
});
