import type { StreamEventDataMap } from "../events/stream-event.js";
import { addUsage, emptyUsage } from "../events/usage.js";
import { NANO_PER_USD, nanoToUsd } from "../internal/money.js";
import type { RunCost } from "./cost-tracker.js";

/**
 * Folds a run's `cost_update` events into its {@link RunCost} (the result's `cost`), so
 * `run()` and `stream()` agree. Sums in nano-dollars: each event's `deltaUsd` came from an
 * integer nano-dollar amount and converts back exactly.
 */
export class RunCostBuilder {
  readonly cost: RunCost;
  private totalNano = 0;
  /** Nano-dollar totals by agent and by model, made on the first priced call. */
  private byAgentNano: Map<string, number> | undefined;
  private byModelNano: Map<string, number> | undefined;

  constructor(runId: string, teamId: string) {
    this.cost = {
      runId,
      teamId,
      totalUsd: 0,
      byAgent: {},
      byModel: {},
      tokens: emptyUsage(),
      unpricedModels: [],
      calls: 0,
      startedAt: 0,
    };
  }

  /** Applies one `cost_update` event of `agentId`. */
  apply(agentId: string | undefined, data: StreamEventDataMap["cost_update"]): void {
    const cost = this.cost;
    const agent = agentId ?? "unknown";
    cost.calls++;
    addUsage(cost.tokens, data.tokens);
    if (data.deltaUsd === undefined || data.unpriced) {
      if (!cost.unpricedModels.includes(data.model)) cost.unpricedModels.push(data.model);
      if (!Object.hasOwn(cost.byAgent, agent)) cost.byAgent[agent] = 0;
      return;
    }
    const nano = Math.round(data.deltaUsd * NANO_PER_USD);
    this.totalNano += nano;
    cost.totalUsd = nanoToUsd(this.totalNano);
    cost.byAgent[agent] = add((this.byAgentNano ??= new Map()), agent, nano);
    cost.byModel[data.model] = add((this.byModelNano ??= new Map()), data.model, nano);
  }
}

function add(map: Map<string, number>, key: string, nano: number): number {
  const total = (map.get(key) ?? 0) + nano;
  map.set(key, total);
  return nanoToUsd(total);
}
