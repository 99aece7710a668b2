import type { PricingRegistry } from "../cost/pricing-registry.js";
import type { TeamConfig } from "./team-config.js";
import type { TeamRuntimeOptions } from "./team-runtime-options.js";

/**
 * Options of `new LLMTeam(...)`: the team's configuration plus runtime parts. `pricing` is
 * either declared prices (data, as in a team file) or a {@link PricingRegistry}; `runStore`
 * either a spec (a SQLite file or a `postgres://` URL, as in a team file) or a {@link RunStore}.
 */
export type LLMTeamOptions = Omit<TeamConfig, "pricing" | "runStore"> &
  Omit<TeamRuntimeOptions, "pricing"> & {
    pricing?: TeamConfig["pricing"] | PricingRegistry;
  };
