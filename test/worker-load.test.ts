import { describe, expect, it } from "vitest";
import { runFleet } from "./support/worker-fleet.js";
import { CALL_USD, RUN_USD } from "./support/worker-fixtures.js";

describe("a fleet of worker processes", () => {
  it(
    "runs 100 runs on 2 workers with one killed mid-way: none lost, no completed step twice, the budget exact",
    { timeout: 90_000 },
    async () => {
      const result = await runFleet({
        workers: 2,
        runs: 100,
        concurrency: 10,
        latencyMs: 100,
        killEveryMs: 700,
        timeoutMs: 60_000,
        killLimit: 1,
      });
      expect(result.kills).toBe(1);
      expect(result.resumedRuns).toBeGreaterThan(0); // the kill hit runs in flight
      expect(result.completed).toBe(100);
      expect(result.lost).toBe(0);
      expect(result.repeatedCompletedSteps).toBe(0);
      expect(result.missingCalls).toBe(0);
      expect(result.storedCostUsd).toBeCloseTo(100 * RUN_USD, 6); // no run charged twice
      // The shared budget holds every settled call: the stored ones, at most plus those in
      // flight at the kill that settled before their step was stored.
      expect(result.spentUsd).toBeGreaterThanOrEqual(result.storedCostUsd - 1e-6);
      expect(result.spentUsd).toBeLessThanOrEqual(
        result.storedCostUsd + result.repeatedCalls * CALL_USD + 1e-6,
      );
    },
  );

  it(
    "never overshoots a shared day budget that workers race for",
    { timeout: 90_000 },
    async () => {
      const limitUsd = 30 * RUN_USD + CALL_USD / 2; // room for 30 runs, not one more call
      const result = await runFleet({
        workers: 2,
        runs: 60,
        concurrency: 10,
        latencyMs: 20,
        budgetUsd: limitUsd,
        timeoutMs: 60_000,
      });
      expect(result.lost).toBe(0);
      expect(result.refusedByBudget).toBeGreaterThan(0);
      expect(result.completed).toBeLessThanOrEqual(30);
      expect(result.spentUsd).toBeLessThanOrEqual(limitUsd + 1e-9);
      // Refusals start when spend plus the reservations of the calls in flight reach the limit:
      // each reserves its worst case (its prompt and maxTokens 50 of output, ~$0.11), 20 at once.
      expect(result.spentUsd).toBeGreaterThan(limitUsd - 20 * 0.11);
    },
  );
});
