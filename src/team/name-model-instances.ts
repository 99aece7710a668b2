import type { LanguageModelV4 } from "@ai-sdk/provider";
import type { AgentConfig } from "../agents/agent-config.js";
import type { ModelRegistry } from "../providers/model-registry.js";
import type { TeamConfig } from "./team-config.js";
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
  return structuredClone({
    ...namedSettings(models, settings),
    ...(agents ? { agents: agents.map((agent) => namedAgent(models, agent)) } : {}),
  });
}
