import type { PricingRegistry } from "../cost/pricing-registry.js";
import type { TeamConfig } from "./team-config.js";
import type { TeamRuntimeOptions } from "./team-runtime-options.js";

/**
 * Options of `new LLMTeam(...)`: the team's configuration plus runtime parts. `pricing` is
 * either declared prices (data, as in a team file) or a {@link PricingRegistry}.
 */
export type LLMTeamOptions = Omit<TeamConfig, "pricing"> &
  Omit<TeamRuntimeOptions, "pricing"> & {
    pricing?: TeamConfig["pricing"] | PricingRegistry;
  };
