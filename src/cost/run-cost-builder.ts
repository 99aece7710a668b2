import type { StreamEventDataMap } from "../events/stream-event.js";
import { addUsage, emptyUsage } from "../events/usage.js";
import { nanoToUsd, usdToNano } from "../internal/money.js";
import type { RunCost } from "./cost-tracker.js";

/**
 * Folds a run's `cost_update` events into its {@link RunCost} (the result's `cost`), so
 * `run()` and `stream()` agree. Sums in nano-dollars: each event's `deltaUsd` came from an
 * integer nano-dollar amount and converts back exactly.
 */
export class RunCostBuilder {
  readonly cost: RunCost;
  private totalNano = 0;

  constructor(runId: string, teamId: string) {
    this.cost = {
      runId,
      teamId,
      totalUsd: 0,
      byAgent: {},
      byModel: {},
      tokens: emptyUsage(),
      unpricedModels: [],
      unpricedAgents: [],
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
      if (!cost.unpricedAgents.includes(agent)) cost.unpricedAgents.push(agent);
      return;
    }
    const nano = usdToNano(data.deltaUsd);
    this.totalNano += nano;
    cost.totalUsd = nanoToUsd(this.totalNano);
    cost.byAgent[agent] = add(cost.byAgent, agent, nano);
    cost.byModel[data.model] = add(cost.byModel, data.model, nano);
  }
}

/**
 * The USD total of `key` in `record` plus `nano`, summed in nano-dollars: a total read back from
 * USD converts to its exact nano-dollars (below about $2 million), so no second map is kept.
 */
function add(record: Record<string, number>, key: string, nano: number): number {
  const before = Object.hasOwn(record, key) ? usdToNano(record[key]!) : 0;
  return nanoToUsd(before + nano);
}
