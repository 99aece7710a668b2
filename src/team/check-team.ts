import type { LanguageModelV4 } from "@ai-sdk/provider";
import type { PreparedAgent } from "../agents/llm-agent.js";
import type { BudgetManager } from "../cost/budget-manager.js";
import { checkBudgetPricing } from "../cost/budget-status.js";
import type { PricingRegistry } from "../cost/pricing-registry.js";
import { ConfigError, type ConfigIssue } from "../errors/config-error.js";
import type { ModelRegistry } from "../providers/model-registry.js";
import type { TeamConfig } from "./team-config.js";

/** What the load-time check reads of a team. */
export interface TeamCheckContext {
  settings: Omit<TeamConfig, "agents">;
  agents: readonly PreparedAgent[];
  models: ModelRegistry;
  /** The runtime default model (e.g. the CLI's), used by agents and a router without one. */
  defaultModel: string | undefined;
  pricing: PricingRegistry;
  budgets: readonly BudgetManager[];
  /** Stand-ins of agents that did not parse or build: their own models are not checked. */
  standIns?: ReadonlySet<PreparedAgent>;
  /** What the check cannot know because part of the configuration did not parse. */
  gaps?: CheckGaps;
}

/** A model as configuration gives it: a name, or (in TypeScript) a model instance. */
type ModelSetting = string | LanguageModelV4;

/** A check of the whole team that reads settings which may fail to parse. */
export type TeamCheckName = "variables" | "flow" | "models" | "pricing" | "environment";

/**
 * What the load-time check leaves out when part of a configuration did not parse, so that it
 * reports no problem caused by that part (see docs/configuration.md, "The load-time check").
 */
export interface CheckGaps {
  /** Checks that read a setting which did not parse. */
  skipped: ReadonlySet<TeamCheckName>;
  /** Providers whose settings did not parse: models of these providers are not checked. */
  providers: ReadonlySet<string>;
  /** True when the team's `model` did not parse: agents without their own model are not checked. */
  teamModel: boolean;
}

/** No gaps: the whole configuration parsed. */
export const NO_GAPS: CheckGaps = { skipped: new Set(), providers: new Set(), teamModel: false };

/** A model name and where the team's configuration names it. */
interface ModelUse {
  name: string;
  path: (string | number)[];
}

/** Every model the team's agents and router may call, each with the key that names it. */
export function modelUses(context: TeamCheckContext, only?: PreparedAgent): ModelUse[] {
  const { settings, defaultModel, standIns, gaps = NO_GAPS } = context;
  const uses: ModelUse[] = [];
  // Instances were registered under their names when the team took them.
  const name = (model: ModelSetting): string =>
    typeof model === "string" ? model : context.models.nameOf(model);
  const listAt = (value: ModelSetting | ModelSetting[], path: (string | number)[]): void => {
    if (!Array.isArray(value)) uses.push({ name: name(value), path });
    else value.forEach((model, index) => uses.push({ name: name(model), path: [...path, index] }));
  };
  const primary = (
    own: ModelSetting | ModelSetting[] | undefined,
    ownPath: (string | number)[],
  ): void => {
    if (own !== undefined) listAt(own, ownPath);
    else if (gaps.teamModel) return;
    else if (settings.model !== undefined) listAt(settings.model, ["model"]);
    else if (defaultModel !== undefined) uses.push({ name: defaultModel, path: ownPath });
  };
  context.agents.forEach((agent, index) => {
    if (agent.config.type !== "llm" || (only && agent !== only) || standIns?.has(agent)) return;
    primary(agent.config.model, ["agents", index, "model"]);
    agent.config.fallbackModels?.forEach((model, position) =>
      uses.push({ name: name(model), path: ["agents", index, "fallbackModels", position] }),
    );
  });
  if (settings.orchestration && !only)
    primary(settings.orchestrator?.model, ["orchestrator", "model"]);
  if (gaps.providers.size === 0) return uses;
  return uses.filter(({ name }) => !gaps.providers.has(name.split("/", 1)[0]!));
}

/** Model names that do not resolve: not `provider/model` and not registered, or an unknown provider. */
export function checkModelNames(context: TeamCheckContext, only?: PreparedAgent): ConfigIssue[] {
  if (context.gaps?.skipped.has("models")) return [];
  return uniqueIssues(
    modelUses(context, only).flatMap(({ name, path }) => {
      const problem = context.models.nameProblem(name);
      return problem ? [{ path, message: problem }] : [];
    }),
  );
}

/** An unpriced model under a budget (unless `allowUnpriced`). */
export function checkPricing(context: TeamCheckContext): ConfigIssue[] {
  if (context.budgets.length === 0 || context.gaps?.skipped.has("pricing")) return [];
  const names = modelUses(context)
    .map((use) => use.name)
    .filter((name) => context.models.nameProblem(name) === undefined);
  try {
    checkBudgetPricing({
      models: names,
      pricing: context.pricing,
      budgets: context.budgets,
      allowUnpriced: context.settings.allowUnpriced ?? false,
    });
    return [];
  } catch (error) {
    if (!ConfigError.isInstance(error)) throw error;
    const path = context.settings.maxCostPerRun !== undefined ? ["maxCostPerRun"] : ["budgets"];
    return error.issues.map((issue) => ({ ...issue, path }));
  }
}

/**
 * What the environment lacks for the team's models: unset variables providers read (API
 * keys), missing local model files. `validate` reports them as warnings (errors with
 * `--strict`); a run fails on them at start, before any model call.
 */
export function checkEnvironment(context: TeamCheckContext): ConfigIssue[] {
  if (context.gaps?.skipped.has("environment")) return [];
  return uniqueIssues(
    modelUses(context).flatMap(({ name, path }) => {
      const problem = context.models.environmentProblem(name);
      return problem ? [{ path, message: problem }] : [];
    }),
  );
}

/** The issues without repeats (same key path and message). */
export function uniqueIssues(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.path.join(".")}\u0000${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
