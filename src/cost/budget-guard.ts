import { BudgetExceededError } from "../errors/budget-exceeded-error.js";
import { ConfigError } from "../errors/config-error.js";
import type { StreamEventDataMap } from "../events/stream-event.js";
import type { StreamEventType } from "../events/stream-event-type.js";
import { nanoToUsd } from "../internal/money.js";
import type { CallContext, ModelResponse } from "../providers/model-call.js";
import type { BudgetStore } from "../store/budget-store.js";
import { MemoryBudgetStore } from "../store/memory-budget-store.js";
import type { Budget } from "./budget.js";
import { BudgetManager } from "./budget-manager.js";
import { windowAt } from "./budget-window.js";
import type { CostGuard, CostHold, CostRequest, Held, PeriodPlan } from "./cost-guard.js";
import type { CostTracker } from "./cost-tracker.js";
import { estimateInputTokens } from "./estimate-input-tokens.js";
import { PendingStoreOperations, keptSettlementWarning } from "./pending-store-operations.js";
import type { PricingRegistry } from "./pricing-registry.js";

/** Output tokens reserved (and requested) for a call that sets no `maxOutputTokens`. */
export const DEFAULT_RESERVE_OUTPUT_TOKENS = 4_096;

/** How long an unsettled reservation counts in a shared store (a crashed process's call). */
export const DEFAULT_RESERVATION_TTL_MS = 600_000;

/** Options of `createCostMiddleware`. Only `tracker` is required. */
export interface CostMiddlewareOptions {
  /** Counts every call; its `pricing` prices them. */
  tracker: CostTracker;
  /** Budgets to enforce: run budgets and period budgets. Default: none (cost is tracked only). */
  budgets?: readonly (Budget | BudgetManager)[];
  /** Where period budgets keep their spend. Default: a new {@link MemoryBudgetStore} (this process only). */
  store?: BudgetStore;
  /** Key of period budgets that have none. Default `"default"`; the team passes its id. */
  teamId?: string;
  /** Let calls of unpriced models through a budget (their cost is not counted). Default `false`. */
  allowUnpriced?: boolean;
  /** Output tokens reserved for a call without `maxOutputTokens`. Default {@link DEFAULT_RESERVE_OUTPUT_TOKENS}. */
  reserveOutputTokens?: number;
  /**
   * Under a hard budget, send a call without `maxOutputTokens` with `maxOutputTokens =
   * reserveOutputTokens`, so its worst case is known and the limit holds. Default `true`.
   */
  capOutputTokens?: boolean;
  /** See {@link DEFAULT_RESERVATION_TTL_MS}. */
  reservationTtlMs?: number;
}

/**
 * The steps of the cost layer (see `createCostMiddleware` for what they do): reserve before a
 * call, release after a failure, settle after an answer, against the run and period budgets.
 */
export class BudgetGuard implements CostGuard {
  readonly reserves: boolean;
  readonly #tracker: CostTracker;
  readonly #pricing: PricingRegistry;
  readonly #managers: BudgetManager[];
  readonly #runManagers: BudgetManager[];
  readonly #periodPlans: PeriodPlan[];
  readonly #hasHardBudget: boolean;
  readonly #store: BudgetStore | undefined;
  readonly #allowUnpriced: boolean;
  readonly #reserveOutputTokens: number;
  readonly #capOutputTokens: boolean;
  readonly #reservationTtlMs: number;
  readonly #idPrefix = globalThis.crypto.randomUUID();
  #nextId = 0;
  /** Nano-dollars held by calls in flight, per run. */
  readonly #runHeld = new Map<string, number>();
  readonly #pending: PendingStoreOperations | undefined;

  constructor(options: CostMiddlewareOptions) {
    this.#tracker = options.tracker;
    this.#pricing = options.tracker.pricing;
    this.#managers = (options.budgets ?? []).map((budget) =>
      budget instanceof BudgetManager ? budget : new BudgetManager(budget),
    );
    this.reserves = this.#managers.length > 0;
    this.#runManagers = this.#managers.filter((manager) => manager.budget.period === "run");
    const teamId = options.teamId ?? "default";
    this.#periodPlans = this.#managers
      .filter((manager) => manager.budget.period !== "run")
      .map((manager) => {
        const budget = manager.budget;
        const key = budget.key ?? teamId;
        return {
          manager,
          period: budget.period as PeriodPlan["period"],
          key,
          storeKey: `${key}:${budget.period}:${budget.window}`,
        };
      });
    this.#hasHardBudget = this.#managers.some((manager) => manager.budget.hardLimit);
    this.#store =
      options.store ?? (this.#periodPlans.length > 0 ? new MemoryBudgetStore() : undefined);
    this.#allowUnpriced = options.allowUnpriced ?? false;
    this.#reserveOutputTokens = options.reserveOutputTokens ?? DEFAULT_RESERVE_OUTPUT_TOKENS;
    this.#capOutputTokens = options.capOutputTokens ?? true;
    this.#reservationTtlMs = options.reservationTtlMs ?? DEFAULT_RESERVATION_TTL_MS;
    this.#pending = this.#store && new PendingStoreOperations(this.#store);
  }

  async #reserveAmount(amountNano: number, context: CallContext, nowMs: number): Promise<Held> {
    const held: Held = { amountNano, run: false, periods: [] };
    if (this.#runManagers.length > 0) {
      const spent = this.#tracker.spentNano(context.runId);
      const inFlight = this.#runHeld.get(context.runId) ?? 0;
      for (const manager of this.#runManagers) {
        if (
          manager.budget.hardLimit &&
          spent + inFlight + amountNano > manager.budget.maxCostNano
        ) {
          await this.#refuse(manager, "run", spent, inFlight, amountNano, context);
        }
      }
      this.#runHeld.set(context.runId, inFlight + amountNano);
      held.run = true;
    }
    // Settlements kept during an outage go first when the store may be back (not awaited: their
    // reservations still hold at least as much as they will spend).
    if (this.#pending && this.#pending.size > 0) this.#pending.flush().catch(() => {});
    try {
      for (const plan of this.#periodPlans) {
        const position = windowAt(plan.period, plan.manager.budget.window, nowMs);
        const reservationId = `${this.#idPrefix}-${this.#nextId++}`;
        const result = await this.#store!.reserve({
          key: plan.storeKey,
          reservationId,
          amountNano,
          limitNano: plan.manager.budget.maxCostNano,
          hardLimit: plan.manager.budget.hardLimit,
          bucketStartMs: position.bucketStartMs,
          windowStartMs: position.windowStartMs,
          bucketExpiresAtMs: position.bucketExpiresAtMs,
          nowMs,
          expiresAtMs: nowMs + this.#reservationTtlMs,
          signal: context.signal,
        });
        if (!result.granted)
          await this.#refuse(
            plan.manager,
            plan.key,
            result.spentNano,
            result.reservedNano,
            amountNano,
            context,
          );
        held.periods.push({ plan, position, reservationId });
      }
    } catch (error) {
      await this.#release(held, context.runId);
      throw error;
    }
    return held;
  }

  async #refuse(
    manager: BudgetManager,
    key: string,
    spentNano: number,
    reservedNano: number,
    amountNano: number,
    context: CallContext,
  ): Promise<never> {
    const budget = manager.budget;
    await emit(context, "budget_exceeded", {
      currentUsd: nanoToUsd(spentNano),
      maxUsd: budget.maxCost,
      requestedUsd: nanoToUsd(amountNano),
      period: budget.label,
      remainingUsd: nanoToUsd(Math.max(0, budget.maxCostNano - spentNano - reservedNano)),
    });
    throw new BudgetExceededError(nanoToUsd(spentNano), budget.maxCost, {
      requestedUsd: nanoToUsd(amountNano),
      reservedUsd: nanoToUsd(reservedNano),
      period: budget.period,
      ...(budget.period === "run" ? {} : { budgetKey: key }),
    });
  }

  #releaseRun(held: Held, runId: string): void {
    if (!held.run) return;
    held.run = false;
    const left = (this.#runHeld.get(runId) ?? 0) - held.amountNano;
    if (left > 0) this.#runHeld.set(runId, left);
    else this.#runHeld.delete(runId);
  }

  async #release(held: Held, runId: string): Promise<void> {
    this.#releaseRun(held, runId);
    const periods = held.periods.splice(0);
    // A release the store cannot take now is kept and retried; the call's own outcome stands.
    await Promise.all(
      periods.map((hold) =>
        this.#pending!.release({ key: hold.plan.storeKey, reservationId: hold.reservationId }),
      ),
    );
  }

  async #observe(
    manager: BudgetManager,
    spentNano: number,
    scope: string,
    context: CallContext,
  ): Promise<void> {
    const { crossedAlert, crossedLimit, status } = manager.observe(spentNano, scope);
    const budget = manager.budget;
    if (crossedAlert) {
      await emit(context, "budget_alert", {
        currentUsd: nanoToUsd(spentNano),
        maxUsd: budget.maxCost,
        threshold: budget.alertThreshold,
        period: budget.label,
        remainingUsd: nanoToUsd(Math.max(0, budget.maxCostNano - spentNano)),
      });
    }
    if (crossedLimit && status === "warning") {
      await emit(context, "warning", {
        message: `Soft ${budget.label} budget of $${budget.maxCost} reached: $${nanoToUsd(spentNano)} spent; going on (hardLimit: false).`,
        code: "budget_soft_limit",
      });
    }
  }

  reserve<R extends CostRequest>(
    request: R,
    context: CallContext,
    nowMs: number,
  ): Promise<CostHold<R>> | undefined {
    if (this.#managers.length === 0) return undefined;
    const model = request.model.name;
    const lookup = this.#pricing.lookup(model, nowMs);
    if (!lookup) {
      if (!this.#allowUnpriced) throw unpricedError([model]);
      return undefined;
    }
    const outputTokens = request.maxOutputTokens ?? this.#reserveOutputTokens;
    const call =
      request.maxOutputTokens === undefined && this.#capOutputTokens && this.#hasHardBudget
        ? { ...request, maxOutputTokens: outputTokens }
        : request;
    const worstNano = lookup.pricing.costNano({
      inputTokens: estimateInputTokens(request),
      outputTokens,
    });
    return this.#reserveAmount(worstNano, context, nowMs).then((held) => ({ request: call, held }));
  }

  async #settleHeld(held: Held, costNano: number, context: CallContext): Promise<void> {
    this.#releaseRun(held, context.runId);
    for (const manager of this.#runManagers)
      await this.#observe(manager, this.#tracker.spentNano(context.runId), context.runId, context);
    for (const hold of held.periods) {
      const settled = await this.#pending!.settle(
        {
          key: hold.plan.storeKey,
          reservationId: hold.reservationId,
          actualNano: costNano,
          bucketStartMs: hold.position.bucketStartMs,
          windowStartMs: hold.position.windowStartMs,
          bucketExpiresAtMs: hold.position.bucketExpiresAtMs,
          nowMs: context.clock.now(),
        },
        context.signal,
      );
      if ("error" in settled) {
        const budget = `${hold.plan.manager.budget.label} budget "${hold.plan.key}"`;
        const warning = keptSettlementWarning(budget, costNano, held.amountNano, settled.error);
        await emit(context, "warning", warning);
        continue;
      }
      const scope =
        hold.plan.manager.budget.window === "calendar"
          ? `${hold.plan.storeKey}@${hold.position.windowStartMs}`
          : hold.plan.storeKey;
      await this.#observe(hold.plan.manager, settled.usage.spentNano, scope, context);
    }
  }

  async #announce(
    update: StreamEventDataMap["cost_update"],
    newlyUnpriced: boolean,
    context: CallContext,
    before?: Promise<void>,
  ): Promise<void> {
    if (before) await before;
    await emit(context, "cost_update", update);
    if (newlyUnpriced) {
      await emit(context, "warning", {
        message: `Model "${update.model}" has no price: its calls are not in the cost total. Register a price with PricingRegistry.register().`,
        code: "unpriced_model",
      });
    }
  }

  release(hold: CostHold<CostRequest>, context: CallContext): Promise<void> {
    return this.#release(hold.held, context.runId);
  }

  settle(
    hold: CostHold<CostRequest> | undefined,
    response: ModelResponse,
    context: CallContext,
    startedAtMs: number,
    endedAtMs?: number,
  ): Promise<void> | undefined {
    const record = this.#tracker.recordUsage(response.model, response.usage, {
      agentId: context.agentId,
      runId: context.runId,
      atMs: startedAtMs,
    });
    const settling = hold ? this.#settleHeld(hold.held, record.costNano, context) : undefined;
    const update: StreamEventDataMap["cost_update"] = {
      model: response.model,
      deltaUsd: record.costUsd,
      totalUsd: record.runTotalUsd,
      tokens: response.usage,
    };
    if (record.unpriced) update.unpriced = true;
    // The common case (no budgets, a consumer keeping up) returns no promise.
    if (settling || record.newlyUnpriced)
      return this.#announce(update, record.newlyUnpriced, context, settling);
    const wait = context.events.emit("cost_update", update, endedAtMs);
    return wait ?? undefined;
  }
}

/** The error for a budget over unpriced models. */
export function unpricedError(models: readonly string[]): ConfigError {
  return new ConfigError(
    models.map((model) => ({
      path: ["model"],
      message: `Model "${model}" has no known price, so a budget cannot be enforced on it. Register its price (PricingRegistry.register("${model}", new ModelPricing({ inputPer1M, outputPer1M }))) or set allowUnpriced: true to let its calls through uncounted.`,
    })),
  );
}

async function emit<T extends StreamEventType>(
  context: CallContext,
  type: T,
  data: StreamEventDataMap[T],
): Promise<void> {
  const wait = context.events.emit(type, data);
  if (wait) await wait;
}
