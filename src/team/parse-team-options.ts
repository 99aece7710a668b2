import { CostTracker } from "../cost/cost-tracker.js";
import { PricingRegistry } from "../cost/pricing-registry.js";
import { checkConfigLimits } from "../config/config-limits.js";
import { ConfigError, type ConfigIssue } from "../errors/config-error.js";
import { teamConfigSchema, type TeamConfig } from "./team-config.js";
import type { LLMTeamOptions } from "./llm-team-options.js";
import { RUNTIME_KEYS, type TeamRuntimeOptions } from "./team-runtime-options.js";

/** The options of `new LLMTeam(...)`, split into configuration data and runtime parts. */
export interface SplitTeamOptions {
  /** The configuration data: every key but the runtime ones (declared `pricing` included). */
  config: Record<string, unknown>;
  /** The runtime parts that are set (`pricing` only when it is a registry). */
  runtime: TeamRuntimeOptions;
  /** `pricing` when it is a {@link PricingRegistry}. */
  registry: PricingRegistry | undefined;
}

/**
 * Splits team options into configuration data and runtime parts. `pricing` is runtime when it
 * is a registry, else declared prices (configuration data).
 */
export function splitTeamOptions(options: LLMTeamOptions): SplitTeamOptions {
  const config: Record<string, unknown> = { ...options };
  for (const key of RUNTIME_KEYS) delete config[key];
  const runtime: Record<string, unknown> = Object.fromEntries(
    RUNTIME_KEYS.filter((key) => options[key] !== undefined).map((key) => [key, options[key]]),
  );
  const registry = options.pricing instanceof PricingRegistry ? options.pricing : undefined;
  if (!registry) delete runtime.pricing;
  if (!registry && options.pricing !== undefined) config.pricing = options.pricing;
  // A run store named by a spec is configuration data (as in a team file); an instance is runtime.
  if (typeof options.runStore === "string") {
    delete runtime.runStore;
    config.runStore = options.runStore;
  }
  return { config, runtime: runtime, registry };
}

/**
 * The options `LLMTeam.fromConfig(config, runtime)` builds with. Declared prices and a
 * registry: the prices are registered into the registry (through a tracker on it).
 */
export function fromConfigOptions(config: TeamConfig, runtime: TeamRuntimeOptions): LLMTeamOptions {
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new ConfigError("A team configuration must be an object with teamId and agents.");
  }
  if (config.pricing === undefined || runtime.pricing === undefined)
    return { ...config, ...runtime };
  const costTracker =
    runtime.costTracker ??
    new CostTracker({
      pricing: runtime.pricing,
      ...(runtime.clock ? { clock: runtime.clock } : {}),
    });
  return { ...config, ...runtime, pricing: config.pricing, costTracker };
}

/**
 * Splits and parses team options: the agents and settings as the schema gives them (nothing it
 * did not check goes on), the runtime parts and the pricing registry.
 * @throws ConfigError for options over the size limits, or with `allErrors()` when the schema fails.
 */
export function parseTeamOptions(
  options: LLMTeamOptions,
  allErrors: () => ConfigIssue[],
): {
  agents: TeamConfig["agents"];
  settings: Omit<TeamConfig, "agents">;
  runtime: TeamRuntimeOptions;
  registry: PricingRegistry | undefined;
} {
  const { config, runtime, registry } = splitTeamOptions(options);
  const limits = checkConfigLimits(config);
  if (limits.length > 0) throw new ConfigError(limits);
  const parsed = teamConfigSchema.safeParse(config, { reportInput: true });
  if (!parsed.success) throw new ConfigError(allErrors());
  const { agents, ...settings } = parsed.data;
  return { agents, settings, runtime, registry };
}
