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
  private readonly byAgentNano = new Map<string, number>();
  private readonly byModelNano = new Map<string, number>();

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
      cost.byAgent[agent] ??= 0;
      return;
    }
    const nano = Math.round(data.deltaUsd * NANO_PER_USD);
    this.totalNano += nano;
    cost.totalUsd = nanoToUsd(this.totalNano);
    cost.byAgent[agent] = add(this.byAgentNano, agent, nano);
    cost.byModel[data.model] = add(this.byModelNano, data.model, nano);
  }
}

function add(map: Map<string, number>, key: string, nano: number): number {
  const total = (map.get(key) ?? 0) + nano;
  map.set(key, total);
  return nanoToUsd(total);
}
