import type { CallContext, ModelRequest, ModelResponse } from "../providers/model-call.js";
import type { BudgetManager } from "./budget-manager.js";
import type { WindowPosition } from "./budget-window.js";

/** A period budget a call reserves in: its manager, window and store key. */
export interface PeriodPlan {
  manager: BudgetManager;
  period: "hour" | "day" | "month";
  key: string;
  storeKey: string;
}

/** One period reservation of a call. */
export interface PeriodHold {
  plan: PeriodPlan;
  position: WindowPosition;
  reservationId: string;
}

/** Everything one call holds: its run reservation and its period reservations. */
export interface Held {
  amountNano: number;
  run: boolean;
  periods: PeriodHold[];
}

/**
 * What the cost layer reads of a call before it is made: the model's name (its price), the
 * prompt and tools (the estimated input tokens) and `maxOutputTokens`. A model call's
 * {@link ModelRequest}, or an embedding call's texts as user messages (`maxOutputTokens: 0`).
 */
export type CostRequest = Pick<ModelRequest, "prompt" | "tools" | "maxOutputTokens"> & {
  model: { name: string };
};

/** What {@link CostGuard.reserve} holds for one call: its reservations and the request to send. */
export interface CostHold<R extends CostRequest = ModelRequest> {
  /** The request to send: the caller's, or a copy with `maxOutputTokens` capped for a hard budget. */
  request: R;
  held: Held;
}

/**
 * The cost layer's steps (inside `cost/` only; the product uses `createCostMiddleware`):
 * `reserve` before the call, then `release` on failure or `settle` on success.
 */
export interface CostGuard {
  /** Whether calls reserve budget (the guard has budgets); without, `reserve` is always `undefined`. */
  readonly reserves: boolean;
  /**
   * Reserves the call's worst case in every budget. `undefined` (synchronously) when there is
   * nothing to reserve: no budgets, or an unpriced model let through by `allowUnpriced`.
   * @throws {BudgetExceededError} (as a rejection) when a hard budget has no room.
   * @throws {ConfigError} (synchronously) when a budget applies and the model is unpriced.
   */
  reserve<R extends CostRequest>(
    request: R,
    context: CallContext,
    nowMs: number,
  ): Promise<CostHold<R>> | undefined;
  /** Gives a failed call's reservations back. */
  release(hold: CostHold<CostRequest>, context: CallContext): Promise<void>;
  /**
   * Counts a successful call: settles its reservations with the real cost, records the usage,
   * emits `cost_update` (and alerts), stamped `endedAtMs` when the caller read the time the
   * answer arrived. Returns a promise only when it has to wait.
   */
  settle(
    hold: CostHold<CostRequest> | undefined,
    response: ModelResponse,
    context: CallContext,
    startedAtMs: number,
    endedAtMs?: number,
  ): Promise<void> | undefined;
}
