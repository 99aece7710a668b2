import type { LanguageModelV4 } from "@ai-sdk/provider";
import type { AgentConfig } from "../agents/agent-config.js";
import { ModelRegistry } from "../providers/model-registry.js";
import type { LLMTeamOptions } from "./llm-team-options.js";
import { teamConfigSchema, type TeamConfig } from "./team-config.js";
import { toConfigIssues } from "../config/zod-issues.js";
import { copyConfigData } from "../config/copy-config-data.js";
import { ConfigError } from "../errors/config-error.js";
import type { ModelListSetting } from "./team-planner.js";

/**
 * The name of a model setting: a name as it is; an instance registered in `models` under its
 * `provider/modelId` name (see `ModelRegistry.nameOf`).
 */
export function nameModel(models: ModelRegistry, model: string | LanguageModelV4): string {
  return typeof model === "string" ? model : models.nameOf(model);
}

function nameModels<T extends ModelListSetting | undefined>(models: ModelRegistry, model: T): T {
  if (model === undefined) return model;
  return (
    Array.isArray(model) ? model.map((one) => nameModel(models, one)) : nameModel(models, model)
  ) as T;
}

/** A team's settings with model instances replaced by their names. */
export function namedSettings(
  models: ModelRegistry,
  settings: Omit<TeamConfig, "agents">,
): Omit<TeamConfig, "agents"> {
  const named = { ...settings };
  if (named.model !== undefined) named.model = nameModels(models, named.model);
  if (named.orchestrator?.model !== undefined)
    named.orchestrator = {
      ...named.orchestrator,
      model: nameModel(models, named.orchestrator.model),
    };
  return named;
}

/** An agent's configuration with model instances replaced by their names. */
export function namedAgent(models: ModelRegistry, config: AgentConfig): AgentConfig {
  if (config.model === undefined && config.fallbackModels === undefined) return config;
  const named = { ...config };
  if (named.model !== undefined) named.model = nameModels(models, named.model);
  if (named.fallbackModels !== undefined)
    named.fallbackModels = named.fallbackModels.map((model) => nameModel(models, model));
  return named;
}

/** A whole configuration, cloned, with model instances replaced by their names. */
export function namedConfig(models: ModelRegistry, config: TeamConfig): TeamConfig {
  const { agents, ...settings } = config;
  return copyConfigData({
    ...namedSettings(models, settings),
    ...(agents ? { agents: agents.map((agent) => namedAgent(models, agent)) } : {}),
  });
}

/**
 * A team's model registry (its providers, the given instances, `env`), its settings with model
 * instances given in place of names registered and named, and its named default model.
 */
export function teamModels(
  settings: Omit<TeamConfig, "agents">,
  options: LLMTeamOptions,
): {
  models: ModelRegistry;
  settings: Omit<TeamConfig, "agents">;
  defaultModel: string | undefined;
} {
  const models = new ModelRegistry({
    ...(settings.providers ? { providers: settings.providers } : {}),
    ...(options.models ? { models: options.models } : {}),
    ...(options.env ? { env: options.env } : {}),
  });
  return {
    models,
    settings: namedSettings(models, settings),
    defaultModel:
      options.defaultModel === undefined ? undefined : nameModel(models, options.defaultModel),
  };
}

/**
 * The configuration replacing a team's (applied proposals), validated and with model
 * instances named.
 * @throws ConfigError for an invalid configuration or a changed `teamId`.
 */
export function namedReplacement(
  models: ModelRegistry,
  config: TeamConfig,
  teamId: string,
): TeamConfig {
  const parsed = teamConfigSchema.safeParse(config, { reportInput: true });
  if (!parsed.success) throw new ConfigError(toConfigIssues(parsed.error));
  const named = namedConfig(models, config);
  if (named.teamId !== teamId) {
    throw new ConfigError([
      {
        path: ["teamId"],
        message: `teamId cannot change (it is "${teamId}"): build a new team instead.`,
      },
    ]);
  }
  return named;
}

/**
 * The model of a team's configurator: the first of `candidates` that is set (the one asked
 * for, the team's model, the default model, the first agent's model).
 * @throws ConfigError when none is.
 */
export function configuratorModelName(teamId: string, candidates: (string | undefined)[]): string {
  const name = candidates.find((candidate) => candidate !== undefined);
  if (name !== undefined) return name;
  throw new ConfigError(
    `Team "${teamId}" has no model for the configurator. Pass { model: "provider/model" } to team.configure(), or set the team's model.`,
  );
}
