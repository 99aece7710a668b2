/**
 * The behaviour every BudgetStore must have, as one vitest suite. Each store's test file
 * runs it: `describeBudgetStore("SqliteBudgetStore", () => new SqliteBudgetStore(...))`.
 * Test-only: not exported from the package.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { BudgetReserveRequest, BudgetStore } from "../../src/store/budget-store.js";

const T0 = Date.UTC(2026, 0, 1);

export function describeBudgetStore(
  name: string,
  createStore: () => Promise<BudgetStore> | BudgetStore,
): void {
  describe(`${name} (BudgetStore contract)`, () => {
    let store: BudgetStore;
    let key: string;
    let counter = 0;

    beforeEach(async () => {
      store = await createStore();
      key = `test-${process.pid}-${Date.now()}-${counter++}`;
    });
    afterEach(async () => {
      await store.close();
    });

    function request(overrides: Partial<BudgetReserveRequest> = {}): BudgetReserveRequest {
      return {
        key,
        reservationId: `r-${counter++}`,
        amountNano: 100,
        limitNano: 1_000,
        hardLimit: true,
        bucketStartMs: T0,
        windowStartMs: T0,
        bucketExpiresAtMs: T0 + 3_600_000,
        nowMs: T0,
        expiresAtMs: T0 + 600_000,
        ...overrides,
      };
    }

    function settle(reservationId: string, actualNano: number, nowMs = T0, windowStartMs = T0) {
      return store.settle({
        key,
        reservationId,
        actualNano,
        bucketStartMs: T0,
        windowStartMs,
        bucketExpiresAtMs: T0 + 3_600_000,
        nowMs,
      });
    }

    it("grants holds while they fit and refuses the one that would pass the limit", async () => {
      const granted: boolean[] = [];
      for (let index = 0; index < 11; index++)
        granted.push((await store.reserve(request())).granted);
      expect(granted).toEqual([...Array<boolean>(10).fill(true), false]);
      const refused = await store.reserve(request({ amountNano: 1 }));
      expect(refused).toEqual({ granted: false, spentNano: 0, reservedNano: 1_000 });
    });

    it("always grants on a soft budget, reporting the figures it saw", async () => {
      await store.reserve(request({ amountNano: 900 }));
      const soft = await store.reserve(request({ amountNano: 500, hardLimit: false }));
      expect(soft).toEqual({ granted: true, spentNano: 0, reservedNano: 900 });
      expect(await store.usage({ key, windowStartMs: T0, nowMs: T0 })).toEqual({
        spentNano: 0,
        reservedNano: 1_400,
      });
    });

    it("settles a hold into spend with the real amount, freeing the difference", async () => {
      const hold = request({ amountNano: 600 });
      await store.reserve(hold);
      expect(await settle(hold.reservationId, 250)).toEqual({ spentNano: 250, reservedNano: 0 });
      expect((await store.reserve(request({ amountNano: 750 }))).granted).toBe(true);
      expect((await store.reserve(request({ amountNano: 1 }))).granted).toBe(false);
    });

    it("releases a hold without spending", async () => {
      const hold = request({ amountNano: 1_000 });
      await store.reserve(hold);
      expect((await store.reserve(request({ amountNano: 1 }))).granted).toBe(false);
      await store.release({ key, reservationId: hold.reservationId });
      expect(await store.usage({ key, windowStartMs: T0, nowMs: T0 })).toEqual({
        spentNano: 0,
        reservedNano: 0,
      });
    });

    it("stops counting a hold that was never settled once it expires", async () => {
      await store.reserve(request({ amountNano: 1_000, expiresAtMs: T0 + 1_000 }));
      expect((await store.reserve(request({ nowMs: T0 + 999 }))).granted).toBe(false);
      expect((await store.reserve(request({ nowMs: T0 + 1_000 }))).granted).toBe(true);
    });

    it("counts only buckets inside the window", async () => {
      const old = request({ bucketStartMs: T0 - 7_200_000 });
      await store.reserve(old);
      await store.settle({
        key,
        reservationId: old.reservationId,
        actualNano: 700,
        bucketStartMs: old.bucketStartMs,
        windowStartMs: T0 - 7_200_000,
        bucketExpiresAtMs: T0 + 3_600_000,
        nowMs: T0,
      });
      expect((await store.usage({ key, windowStartMs: T0 - 7_200_000, nowMs: T0 })).spentNano).toBe(
        700,
      );
      expect((await store.usage({ key, windowStartMs: T0, nowMs: T0 })).spentNano).toBe(0);
      expect((await store.reserve(request({ amountNano: 1_000 }))).granted).toBe(true);
    });

    it("sums several buckets of a rolling window", async () => {
      for (const minute of [0, 1, 2]) {
        const hold = request({ bucketStartMs: T0 + minute * 60_000, nowMs: T0 + minute * 60_000 });
        await store.reserve(hold);
        await settle(hold.reservationId, 200, T0 + minute * 60_000);
      }
      expect((await store.usage({ key, windowStartMs: T0, nowMs: T0 + 180_000 })).spentNano).toBe(
        600,
      );
      expect(
        (await store.usage({ key, windowStartMs: T0 + 60_000, nowMs: T0 + 180_000 })).spentNano,
      ).toBe(400);
    });

    it("spends into the reservation's bucket even when it settles after the window moved", async () => {
      const hold = request({ amountNano: 300 });
      await store.reserve(hold);
      const later = T0 + 3_600_000;
      const usage = await store.settle({
        key,
        reservationId: hold.reservationId,
        actualNano: 300,
        bucketStartMs: later,
        windowStartMs: later,
        bucketExpiresAtMs: later + 3_600_000,
        nowMs: later,
      });
      expect(usage.spentNano).toBe(0);
      expect((await store.usage({ key, windowStartMs: T0, nowMs: later })).spentNano).toBe(300);
    });

    it("keeps keys apart", async () => {
      await store.reserve(request({ amountNano: 1_000 }));
      expect(
        (await store.reserve(request({ key: `${key}-other`, amountNano: 1_000 }))).granted,
      ).toBe(true);
      await store.release({ key: `${key}-other`, reservationId: "none" });
    });

    it("never grants past the limit to concurrent callers", async () => {
      const attempts = Array.from({ length: 40 }, (_, index) =>
        request({ amountNano: 30 + (index % 7) * 10 }),
      );
      const results = await Promise.all(attempts.map((attempt) => store.reserve(attempt)));
      const grantedTotal = attempts.reduce(
        (sum, attempt, index) => sum + (results[index]!.granted ? attempt.amountNano : 0),
        0,
      );
      expect(grantedTotal).toBeLessThanOrEqual(1_000);
      expect(grantedTotal).toBeGreaterThan(1_000 - 90);
      expect((await store.usage({ key, windowStartMs: T0, nowMs: T0 })).reservedNano).toBe(
        grantedTotal,
      );
    });

    it("keeps amounts exact up to millions of dollars", async () => {
      const large = 4_000_000_000_000_001; // $4,000,000.000000001
      const hold = request({ amountNano: large, limitNano: 9_000_000_000_000_000 });
      expect((await store.reserve(hold)).granted).toBe(true);
      expect((await settle(hold.reservationId, large)).spentNano).toBe(large);
    });
  });
}
