import type {
  BudgetReleaseRequest,
  BudgetReserveRequest,
  BudgetReserveResult,
  BudgetSettleRequest,
  BudgetStore,
  BudgetUsageRequest,
  BudgetWindowUsage,
} from "./budget-store.js";

interface Hold {
  amountNano: number;
  bucketStartMs: number;
  expiresAtMs: number;
}

interface KeyState {
  buckets: Map<number, number>;
  holds: Map<string, Hold>;
  reservedNano: number;
  /** Earliest `expiresAtMs` among the holds (Infinity when none). */
  nextExpiryMs: number;
}

/**
 * A {@link BudgetStore} in this process's memory: fast, atomic (JS runs one callback at a
 * time) and gone when the process ends. The default for run budgets and for tests.
 *
 * @example
 * const middleware = createCostMiddleware({ tracker, budgets: [new Budget({ maxCost: 5, period: "day" })], store: new MemoryBudgetStore() });
 */
export class MemoryBudgetStore implements BudgetStore {
  private readonly keys = new Map<string, KeyState>();

  async reserve(request: BudgetReserveRequest): Promise<BudgetReserveResult> {
    const state = this.stateOf(request.key);
    this.dropExpired(state, request.nowMs);
    const spentNano = windowSpend(state, request.windowStartMs, true);
    const reservedNano = state.reservedNano;
    if (request.hardLimit && spentNano + reservedNano + request.amountNano > request.limitNano) {
      return { granted: false, spentNano, reservedNano };
    }
    state.holds.set(request.reservationId, {
      amountNano: request.amountNano,
      bucketStartMs: request.bucketStartMs,
      expiresAtMs: request.expiresAtMs,
    });
    state.reservedNano += request.amountNano;
    state.nextExpiryMs = Math.min(state.nextExpiryMs, request.expiresAtMs);
    return { granted: true, spentNano, reservedNano };
  }

  async settle(request: BudgetSettleRequest): Promise<BudgetWindowUsage> {
    const state = this.stateOf(request.key);
    const hold = this.take(state, request.reservationId);
    const bucket = hold?.bucketStartMs ?? request.bucketStartMs;
    if (request.actualNano !== 0)
      state.buckets.set(bucket, (state.buckets.get(bucket) ?? 0) + request.actualNano);
    this.dropExpired(state, request.nowMs);
    return {
      spentNano: windowSpend(state, request.windowStartMs, false),
      reservedNano: state.reservedNano,
    };
  }

  async release(request: BudgetReleaseRequest): Promise<void> {
    const state = this.keys.get(request.key);
    if (state) this.take(state, request.reservationId);
  }

  async usage(request: BudgetUsageRequest): Promise<BudgetWindowUsage> {
    const state = this.keys.get(request.key);
    if (!state) return { spentNano: 0, reservedNano: 0 };
    this.dropExpired(state, request.nowMs);
    return {
      spentNano: windowSpend(state, request.windowStartMs, false),
      reservedNano: state.reservedNano,
    };
  }

  async close(): Promise<void> {
    this.keys.clear();
  }

  private stateOf(key: string): KeyState {
    let state = this.keys.get(key);
    if (!state) {
      state = { buckets: new Map(), holds: new Map(), reservedNano: 0, nextExpiryMs: Infinity };
      this.keys.set(key, state);
    }
    return state;
  }

  private take(state: KeyState, reservationId: string): Hold | undefined {
    const hold = state.holds.get(reservationId);
    if (hold) {
      state.holds.delete(reservationId);
      state.reservedNano -= hold.amountNano;
    }
    return hold;
  }

  private dropExpired(state: KeyState, nowMs: number): void {
    if (nowMs < state.nextExpiryMs) return;
    let next = Infinity;
    for (const [id, hold] of state.holds) {
      if (hold.expiresAtMs <= nowMs) {
        state.holds.delete(id);
        state.reservedNano -= hold.amountNano;
      } else {
        next = Math.min(next, hold.expiresAtMs);
      }
    }
    state.nextExpiryMs = next;
  }
}

/** Sums the buckets in the window; with `prune`, deletes those before it. */
function windowSpend(state: KeyState, windowStartMs: number, prune: boolean): number {
  let total = 0;
  for (const [start, nano] of state.buckets) {
    if (start >= windowStartMs) total += nano;
    else if (prune) state.buckets.delete(start);
  }
  return total;
}
