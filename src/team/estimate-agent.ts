import type { PreparedAgent } from "../agents/llm-agent.js";
import type { Template } from "../agents/template.js";
import { DEFAULT_RESERVE_OUTPUT_TOKENS } from "../cost/budget-guard.js";
import type { PricingRegistry } from "../cost/pricing-registry.js";
import type { TokenCounter, TokenCount } from "../cost/token-counter.js";
import { nanoToUsd } from "../internal/money.js";
import { DEFAULT_MAX_TOOL_ROUNDS } from "../tools/tool-loop.js";

/** A least and a most. */
export interface CountRange {
  min: number;
  max: number;
}

/** The estimate of one agent (or the router's orchestrator) over a whole run. */
export interface AgentEstimate {
  agentId: string;
  /**
   * `llm`, `team` (a nested team: its agents are in `agents`), `orchestrator` (the router),
   * `retrieval` (a `rag` / `kag` agent: no model call, no cost) or `step` (a workflow step: no
   * model call, no cost).
   */
  kind: "llm" | "team" | "orchestrator" | "retrieval" | "step";
  /** The agent's model (its first, when it has fallbacks); undefined for a nested team. */
  model: string | undefined;
  /** How prompt tokens were counted: `o200k_base`, `cl100k_base` or `approximate`. */
  tokenizer: string;
  /** How many times the agent may run in one run. */
  runs: CountRange;
  /** Model calls (tool rounds and a structured-output repair included). */
  calls: CountRange;
  inputTokens: CountRange;
  outputTokens: CountRange;
  /** Least cost in USD; undefined when its model has no price (never `0`). */
  minUsd: number | undefined;
  /** Most cost in USD (the dearest of its model and fallbacks); undefined when one has no price. */
  maxUsd: number | undefined;
  /** Its models without a price. */
  unpricedModels: string[];
  /** A nested team's agents. */
  agents?: AgentEstimate[];
}

/** What one agent's estimate reads of its team and the run. */
export interface AgentEstimateContext {
  input: Record<string, unknown>;
  /** The most output tokens of each agent output a prompt may read, by output key. */
  outputMaxTokens: ReadonlyMap<string, number>;
  /** Tokens added to the most of each `{query}` read (a nested team's query carries outputs). */
  queryExtraTokens: number;
  teamMaxTokens: number | undefined;
  toolResultTokens: number;
  pricing: PricingRegistry;
  nowMs: number;
}

/** Per-message and per-request framing tokens of chat formats (role markers, separators). */
const MESSAGE_OVERHEAD_TOKENS = 4;
const REQUEST_OVERHEAD_TOKENS = 3;
/** Most characters of an invalid structured answer quoted back when repairing it. */
const REPAIR_ANSWER_TOKENS = 1_000;

/** The most output tokens of one of the agent's calls, and whether that is an assumption. */
export function maxOutputTokensOf(
  agent: PreparedAgent,
  teamMaxTokens: number | undefined,
): { tokens: number; assumed: boolean } {
  const set = agent.config.maxTokens ?? teamMaxTokens;
  return set === undefined
    ? { tokens: DEFAULT_RESERVE_OUTPUT_TOKENS, assumed: true }
    : { tokens: set, assumed: false };
}

/**
 * The estimate of one run of an `llm` agent: one call of its rendered prompts at least; at most
 * `maxToolRounds + 1` calls (each carrying the earlier answers and tool results), one more for
 * a structured-output repair, each answering `maxOutputTokens`.
 */
export function estimateLlmRun(
  agent: PreparedAgent,
  models: string[],
  counter: TokenCounter,
  context: AgentEstimateContext,
): Omit<AgentEstimate, "agentId" | "kind" | "runs"> {
  const rendered = [agent.systemPrompt, agent.prompt].map((template) =>
    template ? renderForEstimate(template, context) : { text: "", extraMax: 0 },
  );
  const messages = agent.systemPrompt ? 2 : 1;
  const framing = REQUEST_OVERHEAD_TOKENS + messages * MESSAGE_OVERHEAD_TOKENS;
  const text = counter.count(rendered.map((part) => part.text).join(""));
  const tools = agent.executor
    ? counter.count(JSON.stringify(agent.executor.getModelTools()))
    : { min: 0, max: 0 };
  const schema = agent.outputSchema
    ? counter.count(JSON.stringify(agent.outputSchema.jsonSchema)).max
    : 0;
  const upstream = rendered.reduce((sum, part) => sum + part.extraMax, 0);
  const baseMin = framing + text.min + tools.min;
  const baseMax = framing + text.max + tools.max + upstream + schema;
  const out = maxOutputTokensOf(agent, context.teamMaxTokens).tokens;
  const rounds = agent.executor ? (agent.config.maxToolRounds ?? DEFAULT_MAX_TOOL_ROUNDS) : 0;
  const perRound = out + (agent.executor ? context.toolResultTokens : 0);
  let callsMax = rounds + 1;
  let inputMax = (rounds + 1) * baseMax + (perRound * rounds * (rounds + 1)) / 2;
  if (agent.outputSchema) {
    callsMax += 1;
    inputMax +=
      baseMax + rounds * perRound + Math.min(out, REPAIR_ANSWER_TOKENS) + schema + framing;
  }
  const inputTokens = { min: baseMin, max: inputMax };
  const outputTokens = { min: 1, max: callsMax * out };
  return {
    model: models[0],
    tokenizer: counter.tokenizer,
    calls: { min: 1, max: callsMax },
    inputTokens,
    outputTokens,
    ...priceRange(models, inputTokens, outputTokens, context),
  };
}

/**
 * The cost range of token counts: the least at the first model's price, the most at the dearest
 * of the model and its fallbacks. A model without a price leaves the bound it enters unknown.
 */
export function priceRange(
  models: readonly string[],
  input: CountRange,
  output: CountRange,
  context: Pick<AgentEstimateContext, "pricing" | "nowMs">,
): { minUsd: number | undefined; maxUsd: number | undefined; unpricedModels: string[] } {
  const unpricedModels: string[] = [];
  let minNano: number | undefined;
  let maxNano: number | undefined = 0;
  models.forEach((model, index) => {
    const lookup = context.pricing.lookup(model, context.nowMs);
    if (!lookup) {
      unpricedModels.push(model);
      maxNano = undefined;
      return;
    }
    if (index === 0)
      minNano = lookup.pricing.costNano({ inputTokens: input.min, outputTokens: output.min });
    const most = lookup.pricing.costNano({ inputTokens: input.max, outputTokens: output.max });
    if (maxNano !== undefined) maxNano = Math.max(maxNano, most);
  });
  return {
    minUsd: minNano === undefined ? undefined : nanoToUsd(minNano),
    maxUsd: maxNano === undefined ? undefined : nanoToUsd(maxNano),
    unpricedModels,
  };
}

/**
 * A template rendered for counting: run input values as they are, other agents' outputs left
 * out of the text and counted in `extraMax` at their most (their output cap).
 */
export function renderForEstimate(
  template: Template,
  context: Pick<AgentEstimateContext, "input" | "outputMaxTokens" | "queryExtraTokens">,
): { text: string; extraMax: number } {
  let text = "";
  let extraMax = 0;
  for (const part of template.parts) {
    if (typeof part === "string") {
      text += part;
      continue;
    }
    const path = Array.isArray(part) ? part : part.optional;
    const root = path[0]!;
    const output = context.outputMaxTokens.get(root);
    if (output !== undefined && !Object.hasOwn(context.input, root)) {
      extraMax += output;
      continue;
    }
    let value: unknown = context.input;
    for (const key of path) {
      value =
        typeof value === "object" && value !== null && Object.hasOwn(value, key)
          ? (value as Record<string, unknown>)[key]
          : undefined;
    }
    if (root === "query") extraMax += context.queryExtraTokens;
    if (value !== undefined) text += typeof value === "string" ? value : JSON.stringify(value);
  }
  return { text, extraMax };
}

/** Scales one run's estimate by the agent's least and most runs. */
export function scaleRuns<T extends { min: number; max: number }>(
  range: T,
  runs: CountRange,
): CountRange {
  return { min: range.min * runs.min, max: range.max * runs.max };
}

/** Adds two count ranges. */
export function addRange(a: CountRange, b: CountRange): CountRange {
  return { min: a.min + b.min, max: a.max + b.max };
}

export type { TokenCount };
