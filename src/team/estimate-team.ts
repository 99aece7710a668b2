import { STEP_ASSUMPTION, stepOutputTokens, stepRow } from "./estimate-step.js";
import { addEscalationRuns, ESCALATION_ASSUMPTION } from "./estimate-escalation.js";
import { modelNameOf } from "../agents/agent-config.js";
import { CHUNK_DEFAULTS } from "../knowledge/chunk-document.js";
import type { PreparedAgent } from "../agents/llm-agent.js";
import type { PricingRegistry } from "../cost/pricing-registry.js";
import { tokenCounterFor } from "../cost/token-counter.js";
import { ConfigError } from "../errors/config-error.js";
import type { TeamFlow } from "../flows/team-flow.js";
import { nanoToUsd, usdToNano } from "../internal/money.js";
import { ORCHESTRATOR_ID } from "../router/route-decision.js";
import {
  addRange,
  estimateLlmRun,
  maxOutputTokensOf,
  priceRange,
  renderForEstimate,
  scaleRuns,
  type AgentEstimate,
  type AgentEstimateContext,
  type CountRange,
} from "./estimate-agent.js";
import type { TeamConfig } from "./team-config.js";
import { normalizeInput, type RunInput } from "../run/run-input.js";

/** Options of `team.estimate(input, options)`. */
export interface EstimateOptions {
  /**
   * Tokens assumed for the tool results of one tool round (default 1,000): tool results have
   * no size limit, so the most of an agent with tools rests on this assumption.
   */
  toolResultTokens?: number;
  /** @internal Tokens added to the most of each `{query}` read (a nested team's query). */
  queryExtraTokens?: number;
}

/** What `team.estimate(input)` returns: the least and most a run may cost, before it runs. */
export interface TeamEstimate {
  teamId: string;
  /** `sequential`, `chain`, `graph` or `router`. */
  mode: string;
  /** Per agent, in team order; the router's orchestrator last, as `_orchestrator`. */
  agents: AgentEstimate[];
  /**
   * Least cost in USD of a run that completes: each agent that must run, once, with the
   * shortest answer. Priced models only: see `unpricedModels`.
   */
  minUsd: number;
  /**
   * Most cost in USD: every agent that may run, as often as loops and the router allow, every
   * tool round used, every answer at its output cap. Priced models only: see `unpricedModels`.
   */
  maxUsd: number;
  /** Models with no price: their calls are in neither bound (the bounds are not complete). */
  unpricedModels: string[];
  /** True when every model is priced, so `minUsd` and `maxUsd` bound the whole run. */
  complete: boolean;
  /** What the bounds assume (output caps not set, tool result sizes, approximate counts). */
  assumptions: string[];
}

/** What the estimate reads of a team. */
export interface EstimateSource {
  teamId: string;
  agents: readonly PreparedAgent[];
  settings: Omit<TeamConfig, "agents">;
  flow: TeamFlow;
  defaultModel: string | undefined;
  pricing: PricingRegistry;
  /** The nested teams of `type: team` agents, by agent id. */
  nestedTeams: ReadonlyMap<
    string,
    { estimate(input: RunInput, options: EstimateOptions): Promise<TeamEstimate> }
  >;
  /** Checks that the prompts can run with these input keys (as `run()` does). */
  validate: (inputKeys: string[]) => void;
  nowMs: number;
}

/** Default tokens of one tool round's results (see {@link EstimateOptions.toolResultTokens}). */
export const DEFAULT_TOOL_RESULT_TOKENS = 1_000;

/** Most characters of an output the orchestrator reads (a token is at least one character). */
const ORCHESTRATOR_PREVIEW_TOKENS = 2_000;
/** The orchestrator's fixed instructions, counted high. */
const ORCHESTRATOR_INSTRUCTION_TOKENS = 200;

/**
 * The least and most a run of the team may cost, before it runs (see docs/cost.md,
 * "Estimates"). Nothing is called.
 */
export async function estimateTeam(
  source: EstimateSource,
  runInput: RunInput,
  options: EstimateOptions = {},
): Promise<TeamEstimate> {
  const input = normalizeInput(runInput);
  source.validate(Object.keys(input));
  const toolResultTokens = options.toolResultTokens ?? DEFAULT_TOOL_RESULT_TOKENS;
  if (!Number.isInteger(toolResultTokens) || toolResultTokens < 0)
    throw new ConfigError(
      `toolResultTokens must be a whole number >= 0 (got ${String(toolResultTokens)}).`,
    );
  const { agents, settings, flow } = source;
  const outputMaxTokens = new Map<string, number>();
  const context: AgentEstimateContext = {
    input,
    outputMaxTokens,
    queryExtraTokens: options.queryExtraTokens ?? 0,
    teamMaxTokens: settings.maxTokens,
    toolResultTokens,
    pricing: source.pricing,
    nowMs: source.nowMs,
  };
  const assumptions = new Set<string>();
  const rows: AgentEstimate[] = [];
  const runs = runsOf(flow, agents);
  if (addEscalationRuns(runs, settings, agents, flow)) assumptions.add(ESCALATION_ASSUMPTION);
  for (const agent of agents) {
    if (agent.step) {
      outputMaxTokens.set(agent.outputKey, retrievedMaxTokens(agent));
      // `{context}` is the last knowledge agent's output: the most of any of them.
      if (!agents.some((other) => other.outputKey === "context"))
        outputMaxTokens.set(
          "context",
          Math.max(outputMaxTokens.get("context") ?? 0, retrievedMaxTokens(agent)),
        );
    } else if (agent.config.type === "llm")
      outputMaxTokens.set(agent.outputKey, maxOutputTokensOf(agent, settings.maxTokens).tokens);
    else if (agent.config.type !== "team") {
      outputMaxTokens.set(agent.outputKey, stepOutputTokens(agent.config));
      assumptions.add(STEP_ASSUMPTION);
    }
  }
  for (const agent of agents) {
    const agentRuns = runs.get(agent.id)!;
    if (agent.step) {
      rows.push(retrievalRow(agent.id, agentRuns));
      continue;
    }
    if (agent.config.type !== "llm" && agent.config.type !== "team") {
      rows.push(stepRow(agent.id, agentRuns));
      continue;
    }
    if (agent.config.type === "team") {
      const row = await nestedRow(source, agent, agentRuns, context, options, assumptions);
      outputMaxTokens.set(agent.outputKey, row.outputTokens.max / Math.max(1, agentRuns.max));
      rows.push(row);
      continue;
    }
    const models = modelsOf(agent, source);
    const counter = await tokenCounterFor(models[0]!);
    if (!counter.exact)
      assumptions.add(
        `Prompt tokens of ${models[0]} are approximate (no bundled tokenizer): ${"UTF-8 bytes / 5"} to bytes / 3.`,
      );
    if (maxOutputTokensOf(agent, settings.maxTokens).assumed)
      assumptions.add(
        "Agents without maxTokens (on the agent or the team) are counted at 4,096 output tokens a call, the cap a hard budget sends; without a budget the provider's own cap applies. Set maxTokens for a firm bound.",
      );
    if (agent.executor)
      assumptions.add(
        `Tool results are counted at ${toolResultTokens} tokens a tool round (toolResultTokens).`,
      );
    const run = estimateLlmRun(agent, models, counter, context);
    rows.push(scaleRow(agent.id, "llm", run, agentRuns));
  }
  if (flow.kind === "router") rows.push(await orchestratorRow(source, flow, rows, context));
  assumptions.add("Retried failed calls are not counted (a failed call is usually not billed).");
  return totals(source, flow, rows, [...assumptions]);
}

/**
 * The most tokens a `rag` / `kag` agent's output (its passages, facts and sources) may have:
 * `topK` chunks at the default chunk budget, with their source lines, plus 50 facts for `kag`.
 */
function retrievedMaxTokens(agent: PreparedAgent): number {
  const passages = (agent.config.topK ?? 5) * (CHUNK_DEFAULTS.maxTokens + 40);
  return agent.config.type === "kag" ? passages + 50 * 30 : passages;
}

/** A `rag` / `kag` agent's row: it makes no model call and costs nothing. */
function retrievalRow(agentId: string, runs: CountRange): AgentEstimate {
  const none = { min: 0, max: 0 };
  return {
    agentId,
    kind: "retrieval",
    model: undefined,
    tokenizer: "o200k_base",
    runs,
    calls: none,
    inputTokens: none,
    outputTokens: none,
    minUsd: 0,
    maxUsd: 0,
    unpricedModels: [],
  };
}

function modelsOf(agent: PreparedAgent, source: EstimateSource): string[] {
  const primary = agent.config.model ?? source.settings.model ?? source.defaultModel;
  const list = primary === undefined ? [] : Array.isArray(primary) ? [...primary] : [primary];
  const names = [...list, ...(agent.config.fallbackModels ?? [])].map(modelNameOf);
  if (names.length === 0)
    throw new ConfigError(
      `Agent "${agent.id}" has no model. Set "model" on the team or the agent, e.g. model: openai/gpt-4o-mini.`,
    );
  return names;
}

/**
 * How often each agent may run: sequential and chains run each once; in a graph an agent must
 * run when an unconditional edge leads to it from one that must, and a loop re-runs its region
 * up to its `maxIterations` (nested loops multiply); the router may run any agent up to
 * `maxIterations` times, none for sure.
 */
function runsOf(flow: TeamFlow, agents: readonly PreparedAgent[]): Map<string, CountRange> {
  const runs = new Map<string, CountRange>();
  if (flow.kind === "sequential" || (flow.kind === "graph" && !flow.graph.dynamic)) {
    for (const agent of agents) runs.set(agent.id, { min: 1, max: 1 });
    return runs;
  }
  if (flow.kind === "router") {
    for (const agent of agents) runs.set(agent.id, { min: 0, max: flow.route.maxIterations });
    return runs;
  }
  const { graph } = flow;
  const sure = new Set(graph.entry);
  for (const id of graph.order) {
    if ((graph.incoming.get(id) ?? []).some((edge) => !edge.when && sure.has(edge.from)))
      sure.add(id);
  }
  for (const agent of agents) {
    let max = 1;
    for (const [edge, region] of graph.regions)
      if (region.has(agent.id)) max *= edge.maxIterations ?? 1;
    runs.set(agent.id, { min: sure.has(agent.id) ? 1 : 0, max });
  }
  return runs;
}

function scaleRow(
  agentId: string,
  kind: AgentEstimate["kind"],
  run: Omit<AgentEstimate, "agentId" | "kind" | "runs">,
  runs: CountRange,
): AgentEstimate {
  const scaleUsd = (usd: number | undefined, times: number) =>
    usd === undefined ? undefined : nanoToUsd(usdToNano(usd) * times);
  return {
    agentId,
    kind,
    model: run.model,
    tokenizer: run.tokenizer,
    runs,
    calls: scaleRuns(run.calls, runs),
    inputTokens: scaleRuns(run.inputTokens, runs),
    outputTokens: scaleRuns(run.outputTokens, runs),
    minUsd: scaleUsd(run.minUsd, runs.min),
    maxUsd: scaleUsd(run.maxUsd, runs.max),
    unpricedModels: run.unpricedModels,
    ...(run.agents ? { agents: run.agents } : {}),
  };
}

async function nestedRow(
  source: EstimateSource,
  agent: PreparedAgent,
  runs: CountRange,
  context: AgentEstimateContext,
  options: EstimateOptions,
  assumptions: Set<string>,
): Promise<AgentEstimate> {
  const rendered =
    agent.config.prompt === undefined ? undefined : renderForEstimate(agent.prompt, context);
  const input = rendered ? { ...context.input, query: rendered.text } : context.input;
  const nested = await source.nestedTeams.get(agent.id)!.estimate(input, {
    ...options,
    queryExtraTokens: rendered ? rendered.extraMax : context.queryExtraTokens,
  });
  for (const assumption of nested.assumptions) assumptions.add(assumption);
  const sum = (pick: (row: AgentEstimate) => CountRange) =>
    nested.agents.reduce((total, row) => addRange(total, pick(row)), { min: 0, max: 0 });
  return scaleRow(
    agent.id,
    "team",
    {
      model: undefined,
      tokenizer: [...new Set(nested.agents.map((row) => row.tokenizer))].join(", "),
      calls: sum((row) => row.calls),
      inputTokens: sum((row) => row.inputTokens),
      outputTokens: sum((row) => row.outputTokens),
      minUsd: nested.minUsd,
      maxUsd: nested.maxUsd,
      unpricedModels: nested.unpricedModels,
      agents: nested.agents,
    },
    runs,
  );
}

async function orchestratorRow(
  source: EstimateSource,
  flow: TeamFlow & { kind: "router" },
  rows: readonly AgentEstimate[],
  context: AgentEstimateContext,
): Promise<AgentEstimate> {
  const model =
    flow.model ?? firstName(source.settings.model) ?? source.defaultModel ?? rows[0]?.model;
  if (model === undefined)
    throw new ConfigError(
      "The orchestrator has no model. Set orchestrator.model or the team's model, e.g. model: openai/gpt-4o-mini.",
    );
  const counter = await tokenCounterFor(model);
  const list = source.agents
    .map((agent) => `- ${agent.id} (${agent.role}): ${agent.config.description ?? ""}`)
    .join("\n");
  const text = counter.count(
    `${list}\n${flow.route.prompt ?? ""}\n${JSON.stringify(context.input, null, 2)}`,
  );
  const iterations = flow.route.maxIterations;
  const preview = Math.min(
    ORCHESTRATOR_PREVIEW_TOKENS,
    Math.max(0, ...rows.map((row) => row.outputTokens.max / Math.max(1, row.runs.max))),
  );
  const baseMin = ORCHESTRATOR_INSTRUCTION_TOKENS / 2 + text.min;
  const baseMax = ORCHESTRATOR_INSTRUCTION_TOKENS + text.max;
  // A decision per agent run and a last one; each may be asked twice (an invalid answer).
  const decisions = iterations + 1;
  const inputTokens = {
    min: baseMin,
    max: 2 * (decisions * baseMax + (preview * iterations * decisions) / 2),
  };
  const outputTokens = { min: 1, max: 2 * decisions * flow.route.maxTokens };
  return {
    agentId: ORCHESTRATOR_ID,
    kind: "orchestrator",
    model,
    tokenizer: counter.tokenizer,
    runs: { min: 1, max: decisions },
    calls: { min: 1, max: 2 * decisions },
    inputTokens,
    outputTokens,
    ...priceRange([model], inputTokens, outputTokens, context),
  };
}

function firstName(model: Omit<TeamConfig, "agents">["model"]): string | undefined {
  const first = Array.isArray(model) ? model[0] : model;
  return first === undefined ? undefined : modelNameOf(first);
}

function totals(
  source: EstimateSource,
  flow: TeamFlow,
  rows: AgentEstimate[],
  assumptions: string[],
): TeamEstimate {
  let minNano = 0;
  let maxNano = 0;
  const unpriced = new Set<string>();
  for (const row of rows) for (const model of row.unpricedModels) unpriced.add(model);
  const agents = rows.filter((row) => row.kind !== "orchestrator");
  for (const row of rows) if (row.minUsd !== undefined) minNano += usdToNano(row.minUsd);
  if (flow.kind === "router") {
    // At most maxIterations agent runs in all: the dearest run, that many times, and the orchestrator.
    const perRun = agents.map((row) =>
      row.maxUsd === undefined ? 0 : usdToNano(row.maxUsd) / Math.max(1, row.runs.max),
    );
    maxNano = Math.ceil(Math.max(0, ...perRun) * flow.route.maxIterations);
    const orchestrator = rows.at(-1)!;
    if (orchestrator.maxUsd !== undefined) maxNano += usdToNano(orchestrator.maxUsd);
    assumptions.push(
      "Router: at most maxIterations agent runs in all, so the total is the dearest agent run that many times plus the orchestrator, not the sum of the rows.",
    );
  } else {
    for (const row of rows) if (row.maxUsd !== undefined) maxNano += usdToNano(row.maxUsd);
  }
  return {
    teamId: source.teamId,
    mode: flow.kind === "graph" ? flow.graph.source : flow.kind,
    agents: rows,
    minUsd: nanoToUsd(minNano),
    maxUsd: nanoToUsd(maxNano),
    unpricedModels: [...unpriced],
    complete: unpriced.size === 0,
    assumptions,
  };
}
