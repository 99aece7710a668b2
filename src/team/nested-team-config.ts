import type { CostTracker } from "../cost/cost-tracker.js";
import { ConfigError } from "../errors/config-error.js";
import type { Clock } from "../internal/clock.js";
import type { ModelRegistry } from "../providers/model-registry.js";
import type { TeamConfig } from "./team-config.js";
import { firstModel } from "./team-planner.js";
import type { TeamRuntimeOptions } from "./team-runtime-options.js";

/** What a nested team inherits from the team of its `type: team` agent. */
export interface NestedTeamParent {
  settings: Omit<TeamConfig, "agents">;
  runtime: TeamRuntimeOptions;
  models: ModelRegistry;
  costTracker: CostTracker;
  clock: Clock;
  defaultModel: string | undefined;
}

/**
 * The configuration and runtime options of the nested team of a `type: team` agent: it
 * inherits the parent's runtime options, every model instance the parent knows (named as
 * there), its cost tracking, clock and model (as its default), and the parent's providers
 * under its own.
 */
export function nestedTeamConfig(
  team: TeamConfig,
  parent: NestedTeamParent,
): { config: TeamConfig; runtime: TeamRuntimeOptions } {
  const { settings } = parent;
  const runtime: TeamRuntimeOptions = {
    ...parent.runtime,
    models: parent.models.instances(),
    costTracker: parent.costTracker,
    clock: parent.clock,
  };
  const model = firstModel(settings.model) ?? parent.defaultModel;
  if (model !== undefined) runtime.defaultModel = model;
  const providers =
    settings.providers || team.providers ? { ...settings.providers, ...team.providers } : undefined;
  return { config: { ...team, ...(providers ? { providers } : {}) }, runtime };
}

/** Runs `build`; a ConfigError it throws is thrown again with its issues' paths under `path`. */
export function withIssuesUnder<T>(path: (string | number)[], build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (!ConfigError.isInstance(error)) throw error;
    throw new ConfigError(
      error.issues.map((issue) => ({ ...issue, path: [...path, ...issue.path] })),
      { cause: error },
    );
  }
}

/**
 * The nested team of a `type: team` agent: the team given as it is, or one built (`build`, i.e.
 * `LLMTeam.fromConfig`) from its configuration with the parent's models, clock and cost
 * tracking; configuration errors are reported under `agents.<index>.team`.
 */
export function nestedTeamOf<T>(
  team: T | TeamConfig,
  isTeam: (value: unknown) => value is T,
  index: number,
  parent: NestedTeamParent,
  build: (config: TeamConfig, runtime: TeamRuntimeOptions) => T,
): T {
  if (isTeam(team)) return team;
  const nested = nestedTeamConfig(team, parent);
  return withIssuesUnder(["agents", index, "team"], () => build(nested.config, nested.runtime));
}
