import { createCostMiddleware } from "../cost/cost-middleware.js";
import { CostTracker } from "../cost/cost-tracker.js";
import { PricingRegistry } from "../cost/pricing-registry.js";
import { registerDeclaredPrices } from "../cost/pricing-schema.js";
import type { Clock } from "../internal/clock.js";
import type { ModelCall } from "../providers/model-call.js";
import { MemoryBreakerStore, type BreakerStore } from "../resilience/breaker-store.js";
import { buildModelPipeline } from "../pipeline/model-pipeline.js";
import type { TeamRuntimeOptions } from "../team/team-runtime-options.js";
import type { GroupConfig } from "./group-config.js";

/** What the orchestrator's calls of a group are built from. */
export interface OrchestratorCallsOptions extends Pick<
  TeamRuntimeOptions,
  "pricing" | "costTracker" | "breakerStore" | "middleware"
> {
  groupId: string;
  clock: Clock;
  retryPolicy?: GroupConfig["retryPolicy"];
  circuitBreaker?: GroupConfig["circuitBreaker"];
}

/**
 * The model calls of a group's orchestrator (router, arbiter): the pipeline every team uses
 * (`buildModelPipeline`: the user's layers, retry, breaker, cost, per-attempt timeout), with
 * the group's retry policy and breaker, priced by the `pricing` registry given (else the
 * `costTracker`'s, else a new one) plus the providers' declared prices.
 */
export class OrchestratorCalls {
  private readonly pricing: PricingRegistry;
  private readonly breakerStore: BreakerStore;

  constructor(private readonly options: OrchestratorCallsOptions) {
    this.pricing =
      options.pricing ??
      options.costTracker?.pricing ??
      new PricingRegistry({ clock: options.clock });
    this.breakerStore = options.breakerStore ?? new MemoryBreakerStore();
  }

  /** Registers the declared `pricing` of providers the orchestrator can use. */
  addProviders(providers: GroupConfig["providers"]): void {
    registerDeclaredPrices(this.pricing, undefined, providers);
  }

  /**
   * The pipeline of one run: its cost layer counts the calls (a `cost_update` each, in the
   * group's run) in a tracker of the run's own. Groups have no budgets.
   */
  forRun(): ModelCall {
    const { options } = this;
    const tracker = new CostTracker({ pricing: this.pricing, clock: options.clock });
    return buildModelPipeline(
      {
        retryPolicy: options.retryPolicy,
        circuitBreaker: options.circuitBreaker,
        timeoutMs: undefined,
      },
      {
        cost: createCostMiddleware({ tracker, teamId: options.groupId }),
        middleware: options.middleware ?? [],
        breakerStore: this.breakerStore,
        breakerKeyPrefix: `${options.groupId}:`,
      },
    );
  }
}
