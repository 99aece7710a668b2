import { BudgetExceededError } from "../errors/budget-exceeded-error.js";
import { ConfigError } from "../errors/config-error.js";
import type { StreamEventDataMap } from "../events/stream-event.js";
import type { StreamEventType } from "../events/stream-event-type.js";
import { nanoToUsd } from "../internal/money.js";
import type {
  CallContext,
  ModelCall,
  ModelCallMiddleware,
  ModelRequest,
  ModelResponse,
} from "../providers/model-call.js";
import type { BudgetStore } from "../store/budget-store.js";
import { MemoryBudgetStore } from "../store/memory-budget-store.js";
import { Budget } from "./budget.js";
import { BudgetManager } from "./budget-manager.js";
import { windowAt } from "./budget-window.js";
import type { CostTracker } from "./cost-tracker.js";
import { estimateInputTokens } from "./estimate-input-tokens.js";
import { PendingStoreOperations, keptSettlementWarning } from "./pending-store-operations.js";
import { settleFailedAttempt } from "./settle-failed-attempt.js";
import type { CostGuard, CostHold, Held, PeriodPlan } from "./cost-guard.js";

/** Output tokens reserved (and requested) for a call that sets no `maxOutputTokens`. */
export const DEFAULT_RESERVE_OUTPUT_TOKENS = 4_096;

/** How long an unsettled reservation counts in a shared store (a crashed process's call). */
export const DEFAULT_RESERVATION_TTL_MS = 600_000;

/** Options of {@link createCostMiddleware}. Only `tracker` is required. */
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
 * The cost layer of a model call, as a {@link ModelCallMiddleware}: put it **innermost** (next
 * to the provider call), so every attempt that reaches the provider — retries, fallbacks,
 * tool-loop rounds, router decisions — is priced with the model actually called.
 *
 * Per call: (1) with budgets, reserve the worst case — estimated input tokens plus
 * `maxOutputTokens` (or `reserveOutputTokens`) at the model's price — in every budget; a call
 * that does not fit a hard budget is **not made**: `budget_exceeded` is emitted and
 * {@link BudgetExceededError} thrown. (2) Call. (3) On failure release the reservations; on
 * success settle them with the real cost, record the usage in the tracker, emit `cost_update`,
 * and `budget_alert` (once per crossing) or, for a soft budget over its limit, `warning`.
 *
 * @throws {BudgetExceededError} when a hard budget has no room for the call.
 * @throws {ConfigError} when a budget applies and the model is unpriced (unless `allowUnpriced`).
 * @example
 * const tracker = new CostTracker();
 * const cost = createCostMiddleware({ tracker, budgets: [new Budget({ maxCost: 10 }), new Budget({ maxCost: 50, period: "day" })], store, teamId: "support" });
 * const call = cost(providerCall);
 */
export function createCostMiddleware(options: CostMiddlewareOptions): ModelCallMiddleware {
  return costMiddlewareOf(createCostGuard(options));
}

/** The cost layer as a middleware, over the steps of {@link createCostGuard}. */
function costMiddlewareOf(guard: CostGuard): ModelCallMiddleware {
  return (next) => (request, outerContext) => {
    // A streamed call reports what a cut stream produced through `streamProgress`.
    const context =
      request.stream && !outerContext.streamProgress
        ? { ...outerContext, streamProgress: { tokens: 0 } }
        : outerContext;
    const startedAtMs = context.clock.now();
    // Reactions on the call's promise, not an async frame (docs/performance.md).
    const attempt = (hold: CostHold | undefined): Promise<ModelResponse> =>
      callSafely(next, hold?.request ?? request, context).then(
        (response) => {
          const settling = guard.settle(hold, response, context, startedAtMs);
          return settling ? settling.then(() => response) : response;
        },
        (error: unknown) => {
          const progress = context.streamProgress;
          const counting = settleFailedAttempt(
            guard,
            hold,
            request,
            context,
            progress,
            startedAtMs,
          );
          if (!counting) throw error;
          return counting.then(() => {
            throw error;
          });
        },
      );
    try {
      const reserving = guard.reserve(request, context, startedAtMs);
      return reserving === undefined ? attempt(undefined) : reserving.then(attempt);
    } catch (error) {
      return Promise.reject(error);
    }
  };
}

/** `call(request, context)`, with a synchronous throw turned into a rejection. */
function callSafely(
  call: ModelCall,
  request: ModelRequest,
  context: CallContext,
): Promise<ModelResponse> {
  try {
    return call(request, context);
  } catch (error) {
    return Promise.reject(error);
  }
}

/** The steps of the cost layer (see {@link createCostMiddleware} for what they do). */
function createCostGuard(options: CostMiddlewareOptions): CostGuard {
  const { tracker } = options;
  const pricing = tracker.pricing;
  const managers = (options.budgets ?? []).map((budget) =>
    budget instanceof BudgetManager ? budget : new BudgetManager(budget),
  );
  const runManagers = managers.filter((manager) => manager.budget.period === "run");
  const teamId = options.teamId ?? "default";
  const periodPlans: PeriodPlan[] = managers
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
  const hasHardBudget = managers.some((manager) => manager.budget.hardLimit);
  const store = options.store ?? (periodPlans.length > 0 ? new MemoryBudgetStore() : undefined);
  const allowUnpriced = options.allowUnpriced ?? false;
  const reserveOutputTokens = options.reserveOutputTokens ?? DEFAULT_RESERVE_OUTPUT_TOKENS;
  const capOutputTokens = options.capOutputTokens ?? true;
  const reservationTtlMs = options.reservationTtlMs ?? DEFAULT_RESERVATION_TTL_MS;
  const idPrefix = globalThis.crypto.randomUUID();
  let nextId = 0;
  const runHeld = new Map<string, number>();
  const pending = store && new PendingStoreOperations(store);

  async function reserve(amountNano: number, context: CallContext, nowMs: number): Promise<Held> {
    const held: Held = { amountNano, run: false, periods: [] };
    if (runManagers.length > 0) {
      const spent = tracker.spentNano(context.runId);
      const inFlight = runHeld.get(context.runId) ?? 0;
      for (const manager of runManagers) {
        if (
          manager.budget.hardLimit &&
          spent + inFlight + amountNano > manager.budget.maxCostNano
        ) {
          await refuse(manager, "run", spent, inFlight, amountNano, context);
        }
      }
      runHeld.set(context.runId, inFlight + amountNano);
      held.run = true;
    }
    // Settlements kept during an outage go first when the store may be back (not awaited: their
    // reservations still hold at least as much as they will spend).
    if (pending && pending.size > 0) pending.flush().catch(() => {});
    try {
      for (const plan of periodPlans) {
        const position = windowAt(plan.period, plan.manager.budget.window, nowMs);
        const reservationId = `${idPrefix}-${nextId++}`;
        const result = await store!.reserve({
          key: plan.storeKey,
          reservationId,
          amountNano,
          limitNano: plan.manager.budget.maxCostNano,
          hardLimit: plan.manager.budget.hardLimit,
          bucketStartMs: position.bucketStartMs,
          windowStartMs: position.windowStartMs,
          bucketExpiresAtMs: position.bucketExpiresAtMs,
          nowMs,
          expiresAtMs: nowMs + reservationTtlMs,
          signal: context.signal,
        });
        if (!result.granted)
          await refuse(
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
      await release(held, context.runId);
      throw error;
    }
    return held;
  }

  async function refuse(
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
    });
    throw new BudgetExceededError(nanoToUsd(spentNano), budget.maxCost, {
      requestedUsd: nanoToUsd(amountNano),
      reservedUsd: nanoToUsd(reservedNano),
      period: budget.period,
      ...(budget.period === "run" ? {} : { budgetKey: key }),
    });
  }

  function releaseRun(held: Held, runId: string): void {
    if (!held.run) return;
    held.run = false;
    const left = (runHeld.get(runId) ?? 0) - held.amountNano;
    if (left > 0) runHeld.set(runId, left);
    else runHeld.delete(runId);
  }

  async function release(held: Held, runId: string): Promise<void> {
    releaseRun(held, runId);
    const periods = held.periods.splice(0);
    // A release the store cannot take now is kept and retried; the call's own outcome stands.
    await Promise.all(
      periods.map((hold) =>
        pending!.release({ key: hold.plan.storeKey, reservationId: hold.reservationId }),
      ),
    );
  }

  async function observe(
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
      });
    }
    if (crossedLimit && status === "warning") {
      await emit(context, "warning", {
        message: `Soft ${budget.label} budget of $${budget.maxCost} reached: $${nanoToUsd(spentNano)} spent; going on (hardLimit: false).`,
        code: "budget_soft_limit",
      });
    }
  }

  function reserveFor(
    request: ModelRequest,
    context: CallContext,
    nowMs: number,
  ): Promise<CostHold> | undefined {
    if (managers.length === 0) return undefined;
    const model = request.model.name;
    const lookup = pricing.lookup(model, nowMs);
    if (!lookup) {
      if (!allowUnpriced) throw unpricedError([model]);
      return undefined;
    }
    const outputTokens = request.maxOutputTokens ?? reserveOutputTokens;
    const call =
      request.maxOutputTokens === undefined && capOutputTokens && hasHardBudget
        ? { ...request, maxOutputTokens: outputTokens }
        : request;
    const worstNano = lookup.pricing.costNano({
      inputTokens: estimateInputTokens(request),
      outputTokens,
    });
    return reserve(worstNano, context, nowMs).then((held) => ({ request: call, held }));
  }

  async function settleHeld(held: Held, costNano: number, context: CallContext): Promise<void> {
    releaseRun(held, context.runId);
    for (const manager of runManagers)
      await observe(manager, tracker.spentNano(context.runId), context.runId, context);
    for (const hold of held.periods) {
      const settled = await pending!.settle(
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
      await observe(hold.plan.manager, settled.usage.spentNano, scope, context);
    }
  }

  async function announce(
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

  return {
    reserves: managers.length > 0,
    reserve: reserveFor,
    release: (hold, context) => release(hold.held, context.runId),
    settle(hold, response, context, startedAtMs, endedAtMs) {
      const record = tracker.recordUsage(response.model, response.usage, {
        agentId: context.agentId,
        runId: context.runId,
        atMs: startedAtMs,
      });
      const settling = hold ? settleHeld(hold.held, record.costNano, context) : undefined;
      const update: StreamEventDataMap["cost_update"] = {
        model: response.model,
        deltaUsd: record.costUsd,
        totalUsd: record.runTotalUsd,
        tokens: response.usage,
      };
      if (record.unpriced) update.unpriced = true;
      // The common case (no budgets, a consumer keeping up) returns no promise.
      if (settling || record.newlyUnpriced)
        return announce(update, record.newlyUnpriced, context, settling);
      const wait = context.events.emit("cost_update", update, endedAtMs);
      return wait ?? undefined;
    },
  };
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
