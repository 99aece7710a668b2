import { addUsage, emptyUsage, type Usage } from "../events/usage.js";
import { systemClock, type Clock } from "../internal/clock.js";
import { nanoToUsd, usdToNano } from "../internal/money.js";
import { ConfigError } from "../errors/config-error.js";
import { PricingRegistry } from "./pricing-registry.js";

/** What a run cost: the result's `cost` field. Plain JSON. */
export interface RunCost {
  runId: string;
  teamId: string;
  /** Total of the priced calls, in USD. Calls of unpriced models are not in it. */
  totalUsd: number;
  /**
   * USD per agent id, of its priced calls. An agent whose calls were all unpriced is absent (its
   * cost is unknown, not $0); one with some unpriced calls is also in `unpricedAgents`.
   */
  byAgent: Record<string, number>;
  /** USD per model name (as configured). Unpriced models are absent: see `unpricedModels`. */
  byModel: Record<string, number>;
  /** All tokens of the run, priced or not, as the providers reported them. */
  tokens: Usage;
  /** Models that had no price: their calls' cost is unknown and not in `totalUsd`. */
  unpricedModels: string[];
  /** Agents that made calls of unpriced models: their `byAgent` figure, if any, leaves those out. */
  unpricedAgents: string[];
  /** Model calls counted. */
  calls: number;
  /** Run start, ms since the epoch. */
  startedAt: number;
  /** Run end, ms since the epoch (absent while the run goes on). */
  endedAt?: number;
}

/** Usage as {@link CostTracker.recordUsage} takes it: `totalTokens` defaults to input + output. */
export type UsageInput = Omit<Usage, "totalTokens"> & { totalTokens?: number };

/** Options of {@link CostTracker.recordUsage}. */
export interface RecordUsageOptions {
  /** The agent that made the call. Default `"unknown"`. */
  agentId?: string;
  /** The run the call belongs to. Default: the only active run (see {@link CostTracker}). */
  runId?: string;
  /** Time of the call, for dated prices. Default: the tracker's clock. */
  atMs?: number;
}

/** One recorded call. */
export interface UsageRecord {
  model: string;
  /** Cost of this call in USD; `undefined` when the model is unpriced. */
  costUsd: number | undefined;
  /** Cost of this call in nano-dollars (0 when unpriced: check `unpriced`). */
  costNano: number;
  unpriced: boolean;
  /** True on the first call of an unpriced model in the run (time to warn). */
  newlyUnpriced: boolean;
  /** The run's priced total after this call, in USD. */
  runTotalUsd: number;
}

/** Options of {@link CostTracker}. Every field is optional. */
export interface CostTrackerOptions {
  /** Prices. Default: a new {@link PricingRegistry} with the bundled catalog. */
  pricing?: PricingRegistry;
  /** Clock for run times and dated prices. Default: the system clock. */
  clock?: Clock;
  /** Ended runs kept in {@link CostTracker.history}. Default `100`. */
  historyLimit?: number;
}

interface RunState {
  runId: string;
  teamId: string;
  totalNano: number;
  /** Nano-dollars by agent and by model (made on the first call: one tracker state lives per run in flight). */
  byAgent: Map<string, number> | undefined;
  byModel: Map<string, number> | undefined;
  tokens: Usage;
  /** Models without a price, in the order they were first called. */
  unpriced: string[] | undefined;
  /** Agents that called them. */
  unpricedAgents: string[] | undefined;
  calls: number;
  startedAt: number;
  endedAt?: number;
  /** The cost that counts this run when it is attached ({@link CostTracker.attachRun}). */
  live?: RunCost;
}

function isRunState(entry: RunCost | RunState): entry is RunState {
  return "totalNano" in entry;
}

/**
 * Adds up what runs cost, call by call, from the usage the providers reported. Money is summed
 * in integer nano-dollars, so totals have no float drift. Several runs can be active at once
 * (one tracker serves a team): pass `runId` to `recordUsage`/`endRun` when more than one is.
 *
 * @example
 * const tracker = new CostTracker();
 * tracker.startRun("run-1", "team-1");
 * tracker.recordUsage("openai/gpt-4o-mini", { inputTokens: 500, outputTokens: 200, totalTokens: 700 }, { agentId: "writer" });
 * const cost = tracker.endRun(); // { totalUsd: 0.000195, byAgent: { writer: 0.000195 }, … }
 */
export class CostTracker {
  /** The prices the tracker uses. */
  readonly pricing: PricingRegistry;
  private readonly clock: Clock;
  private readonly historyLimit: number;
  private readonly active = new Map<string, RunState>();
  /** Ended runs: their cost, or their state until the history is read. */
  private readonly ended: (RunCost | RunState)[] = [];
  private latestRunId: string | undefined;

  constructor(options: CostTrackerOptions = {}) {
    this.pricing =
      options.pricing ?? new PricingRegistry(options.clock ? { clock: options.clock } : {});
    this.clock = options.clock ?? systemClock;
    this.historyLimit = options.historyLimit ?? 100;
  }

  /** Starts counting a run. Starting an active run again keeps what it has. */
  startRun(runId: string, teamId = "default"): void {
    if (!this.active.has(runId)) {
      this.active.set(runId, {
        runId,
        teamId,
        totalNano: 0,
        byAgent: undefined,
        byModel: undefined,
        tokens: emptyUsage(),
        unpriced: undefined,
        unpricedAgents: undefined,
        calls: 0,
        startedAt: this.clock.now(),
      });
    }
    this.latestRunId = runId;
  }

  /**
   * Lets `cost` count an active run from now on: a cost its owner keeps up to date, such as a
   * team run's result, folded from the run's `cost_update` events. `costOf`, `spentNano`,
   * `currentCost`, `endRun` and the history read it, and `recordUsage` for the run prices the
   * call and reports it (its record is what the `cost_update` event carries) without counting it
   * a second time. Only a run with no calls counted yet is attached; else nothing changes.
   * Teams attach their runs when they have no budgets (budgets reserve and settle here).
   */
  attachRun(runId: string, cost: RunCost): void {
    const run = this.active.get(runId);
    if (run && run.calls === 0 && run.live === undefined) run.live = cost;
  }

  /**
   * Counts what an active run spent before this process (a resumed run's stored calls), so
   * its budget is not spent twice. Only before the run's first call here; else nothing changes.
   */
  carryOver(runId: string, cost: RunCost): void {
    const run = this.active.get(runId);
    if (!run || run.calls > 0 || run.live !== undefined) return;
    run.totalNano = usdToNano(cost.totalUsd);
    run.calls = cost.calls;
    addUsage(run.tokens, cost.tokens);
    const nano = (record: Record<string, number>): Map<string, number> =>
      new Map(Object.entries(record).map(([key, usd]) => [key, usdToNano(usd)]));
    run.byAgent = nano(cost.byAgent);
    run.byModel = nano(cost.byModel);
  }

  /**
   * Counts one model call. The run is started on the fly when it was not.
   * @throws {Error} when `runId` is omitted and no run or several runs are active.
   */
  recordUsage(model: string, usage: UsageInput, options: RecordUsageOptions = {}): UsageRecord {
    const run = this.runFor(options.runId, true);
    checkUsage(usage);
    const costNano = this.pricing.calculateCostNano(model, usage, options.atMs ?? this.clock.now());
    if (run.live) return liveRecord(run, run.live, model, costNano);
    const agentId = options.agentId ?? "unknown";
    run.calls++;
    addUsage(run.tokens, withTotal(usage));
    const byAgent = (run.byAgent ??= new Map());
    if (costNano === undefined) {
      const unpriced = (run.unpriced ??= []);
      const newlyUnpriced = !unpriced.includes(model);
      if (newlyUnpriced) unpriced.push(model);
      const agents = (run.unpricedAgents ??= []);
      if (!agents.includes(agentId)) agents.push(agentId);
      return usageRecord(model, undefined, nanoToUsd(run.totalNano), newlyUnpriced);
    }
    run.totalNano += costNano;
    byAgent.set(agentId, (byAgent.get(agentId) ?? 0) + costNano);
    const byModel = (run.byModel ??= new Map());
    byModel.set(model, (byModel.get(model) ?? 0) + costNano);
    return usageRecord(model, costNano, nanoToUsd(run.totalNano));
  }

  /**
   * Ends a run and returns its cost; the cost joins {@link history}.
   * @throws {Error} when the run is not active (or, without `runId`, when not exactly one is).
   */
  endRun(runId?: string): RunCost {
    const run = this.close(this.runFor(runId, false));
    const cost = toRunCost(run, run.endedAt);
    this.ended[this.ended.lastIndexOf(run)] = cost;
    return cost;
  }

  /**
   * Ends an active run like {@link endRun}, without building its cost now ({@link history}
   * builds it when read). What a team does at the end of each run.
   * @example
   * if (tracker.isActive(runId)) tracker.closeRun(runId);
   */
  closeRun(runId: string): void {
    this.close(this.runFor(runId, false));
  }

  private close(run: RunState): RunState {
    this.active.delete(run.runId);
    if (this.latestRunId === run.runId) this.latestRunId = undefined;
    run.endedAt = this.clock.now();
    this.ended.push(run);
    // Trimmed in batches (not one shift per run); `history` trims to the limit when read.
    if (this.ended.length >= 2 * this.historyLimit) this.trimHistory();
    return run;
  }

  /** The priced total so far of the latest started active run, in USD (0 when none). */
  get currentCost(): number {
    const run = this.latestRunId === undefined ? undefined : this.active.get(this.latestRunId);
    if (!run) return 0;
    return run.live ? run.live.totalUsd : nanoToUsd(run.totalNano);
  }

  /**
   * Whether a run is active here (started and not ended): a cheap check, where `costOf()` builds a snapshot.
   * @example
   * if (tracker.isActive(runId)) tracker.endRun(runId);
   */
  isActive(runId: string): boolean {
    return this.active.has(runId);
  }

  /** The cost so far of an active run, or `undefined` when it is not active. */
  costOf(runId: string): RunCost | undefined {
    const run = this.active.get(runId);
    return run ? toRunCost(run, undefined) : undefined;
  }

  /** The priced total so far of an active run in nano-dollars (0 when not active). */
  spentNano(runId: string): number {
    const run = this.active.get(runId);
    if (!run) return 0;
    return run.live ? usdToNano(run.live.totalUsd) : run.totalNano;
  }

  /** Ended runs, oldest first (at most `historyLimit`). */
  get history(): readonly RunCost[] {
    this.trimHistory();
    const ended = this.ended;
    for (let index = 0; index < ended.length; index++) {
      const entry = ended[index]!;
      if (isRunState(entry)) ended[index] = toRunCost(entry, entry.endedAt);
    }
    return ended as RunCost[];
  }

  private trimHistory(): void {
    if (this.ended.length > this.historyLimit)
      this.ended.splice(0, this.ended.length - this.historyLimit);
  }

  private runFor(runId: string | undefined, startIfMissing: boolean): RunState {
    if (runId !== undefined) {
      const run = this.active.get(runId);
      if (run) return run;
      if (!startIfMissing) throw new Error(`Run "${runId}" is not active in this CostTracker.`);
      this.startRun(runId);
      return this.active.get(runId)!;
    }
    if (this.active.size === 1) return this.active.values().next().value!;
    throw new Error(
      this.active.size === 0
        ? "No active run: call startRun(runId, teamId) first."
        : `Several runs are active (${[...this.active.keys()].join(", ")}): pass runId.`,
    );
  }
}

/** The record of a call of an attached run: priced here, counted by the run's live cost. */
function liveRecord(
  run: RunState,
  live: RunCost,
  model: string,
  costNano: number | undefined,
): UsageRecord {
  if (costNano === undefined) {
    // Warn once per model and run, even when calls in parallel finish before the cost is folded.
    const warned = (run.unpriced ??= []);
    const newlyUnpriced = !warned.includes(model) && !live.unpricedModels.includes(model);
    if (newlyUnpriced) warned.push(model);
    return usageRecord(model, undefined, live.totalUsd, newlyUnpriced);
  }
  return usageRecord(model, costNano, nanoToUsd(usdToNano(live.totalUsd) + costNano));
}

/** The record of one call: priced (`costNano`), or unpriced (`undefined`, counted as 0). */
function usageRecord(
  model: string,
  costNano: number | undefined,
  runTotalUsd: number,
  newlyUnpriced = false,
): UsageRecord {
  if (costNano === undefined)
    return { model, costUsd: undefined, costNano: 0, unpriced: true, newlyUnpriced, runTotalUsd };
  return {
    model,
    costUsd: nanoToUsd(costNano),
    costNano,
    unpriced: false,
    newlyUnpriced: false,
    runTotalUsd,
  };
}

function toRunCost(run: RunState, endedAt: number | undefined): RunCost {
  if (run.live) {
    const live = run.live;
    const copy: RunCost = {
      ...live,
      byAgent: { ...live.byAgent },
      byModel: { ...live.byModel },
      tokens: { ...live.tokens },
      unpricedModels: [...live.unpricedModels],
      unpricedAgents: [...(live.unpricedAgents ?? [])],
    };
    delete copy.endedAt;
    if (endedAt !== undefined) copy.endedAt = endedAt;
    return copy;
  }
  const cost: RunCost = {
    runId: run.runId,
    teamId: run.teamId,
    totalUsd: nanoToUsd(run.totalNano),
    byAgent: toUsdRecord(run.byAgent),
    byModel: toUsdRecord(run.byModel),
    tokens: { ...run.tokens },
    unpricedModels: run.unpriced ? [...run.unpriced] : [],
    unpricedAgents: run.unpricedAgents ? [...run.unpricedAgents] : [],
    calls: run.calls,
    startedAt: run.startedAt,
  };
  if (endedAt !== undefined) cost.endedAt = endedAt;
  return cost;
}

/** @throws ConfigError when a token count is not a number >= 0. */
function checkUsage(usage: UsageInput): void {
  for (const key of ["inputTokens", "outputTokens"] as const) {
    const value = usage?.[key];
    if (typeof value !== "number" || !(value >= 0))
      throw new ConfigError(
        `recordUsage: usage.${key} must be a number of tokens >= 0, got ${JSON.stringify(value)}.`,
      );
  }
}

/** `usage` with its `totalTokens` (input + output when it was not given). */
function withTotal(usage: UsageInput): Usage {
  return usage.totalTokens === undefined
    ? { ...usage, totalTokens: usage.inputTokens + usage.outputTokens }
    : (usage as Usage);
}

function toUsdRecord(map: Map<string, number> | undefined): Record<string, number> {
  const record: Record<string, number> = {};
  if (map) for (const [key, nano] of map) record[key] = nanoToUsd(nano);
  return record;
}
