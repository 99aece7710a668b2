import { nanoToUsd } from "../internal/money.js";
import type {
  BudgetReleaseRequest,
  BudgetSettleRequest,
  BudgetStore,
  BudgetWindowUsage,
} from "../store/budget-store.js";

/** First wait before retrying kept store operations, in ms (doubling up to {@link RETRY_MAX_DELAY_MS}). */
export const RETRY_FIRST_DELAY_MS = 500;
/** Longest wait between two retries of kept store operations, in ms. */
export const RETRY_MAX_DELAY_MS = 30_000;

/**
 * Budget store operations (settlements, releases) that failed because the store could not be
 * reached, kept in order and retried until the store answers: after 0.5 s, then doubling up to
 * 30 s, and whenever {@link flush} is called. The timer is unref'd (it never keeps a process
 * alive) and uses real time, not the run's clock: it paces I/O outside any run.
 */
export class PendingStoreOperations {
  constructor(private readonly store: BudgetStore) {}

  /**
   * Settles now (waiting until `signal` aborts at most); when the store cannot take it, keeps
   * the settlement to retry and gives the error back.
   */
  async settle(
    request: BudgetSettleRequest,
    signal: AbortSignal,
  ): Promise<{ usage: BudgetWindowUsage } | { error: unknown }> {
    try {
      return { usage: await this.store.settle({ ...request, signal }) };
    } catch (error) {
      this.keep(() => this.store.settle(request));
      return { error };
    }
  }

  /** Releases now, or keeps the release to retry. Never rejects: the call's outcome stands. */
  async release(request: BudgetReleaseRequest): Promise<void> {
    await this.store.release(request).catch(() => this.keep(() => this.store.release(request)));
  }

  private readonly operations: (() => Promise<unknown>)[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private delayMs = RETRY_FIRST_DELAY_MS;
  private flushing: Promise<void> | undefined;

  /** Operations still waiting for the store. */
  get size(): number {
    return this.operations.length;
  }

  /** Keeps an operation to retry (it must be safe to repeat: see `BudgetStore.settle`). */
  keep(operation: () => Promise<unknown>): void {
    this.operations.push(operation);
    this.schedule();
  }

  /**
   * Applies every kept operation now, oldest first. Resolves when all were applied; rejects at
   * the first failure, which stays kept with the ones after it.
   */
  flush(): Promise<void> {
    return (this.flushing ??= this.applyAll().finally(() => {
      this.flushing = undefined;
    }));
  }

  private async applyAll(): Promise<void> {
    while (this.operations.length > 0) {
      await this.operations[0]!();
      this.operations.shift();
    }
    this.delayMs = RETRY_FIRST_DELAY_MS;
  }

  private schedule(): void {
    if (this.timer !== undefined || this.operations.length === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush().catch(() => {
        this.delayMs = Math.min(this.delayMs * 2, RETRY_MAX_DELAY_MS);
        this.schedule();
      });
    }, this.delayMs);
    this.timer.unref?.();
  }
}

/** The `warning` of a settlement kept for later; `budget` names it (`day budget "support"`). */
export function keptSettlementWarning(
  budget: string,
  costNano: number,
  heldNano: number,
  error: unknown,
): { message: string; code: string } {
  const reason = error instanceof Error ? error.message : String(error);
  return {
    message: `The ${budget} could not record this call's $${nanoToUsd(costNano)} (${reason}). The settlement is kept in this process and retried until the store answers; meanwhile the call's reservation of $${nanoToUsd(heldNano)} counts in its place.`,
    code: "budget_store_unavailable",
  };
}
