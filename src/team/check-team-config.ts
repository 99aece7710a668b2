import { checkConfigLimits } from "../config/config-limits.js";
import { toConfigIssues } from "../config/zod-issues.js";
import type { ConfigIssue } from "../errors/config-error.js";
import { NO_GAPS, uniqueIssues, type CheckGaps } from "./check-team.js";
import type { LLMTeamOptions } from "./llm-team-options.js";
import { salvageTeamConfig, type SalvagedAgent } from "./salvage-team-config.js";
import { splitTeamOptions } from "./parse-team-options.js";
import { teamConfigSchema } from "./team-config.js";

/** What `LLMTeam.checkConfig` finds: the team when it has no errors, every error and warning. */
export interface TeamConfigCheck<Team> {
  /** The team, built; undefined when there are errors. */
  team: Team | undefined;
  /** Every problem of the configuration (see `team.check()`), schema problems first. */
  errors: ConfigIssue[];
  /** What the environment lacks (API keys, local model files): a run fails on them at start. */
  warnings: ConfigIssue[];
}

/** A team as {@link checkTeamConfig} checks it. */
export interface CheckedTeam {
  check(): { errors: ConfigIssue[]; warnings: ConfigIssue[] };
}

/**
 * Builds a team without agents from `options` (settings and runtime parts), with what the
 * check cannot know, adds `agents` one by one, and returns it with the problems of adding them.
 */
export type BuildCheckedTeam<Team> = (
  options: LLMTeamOptions,
  gaps: CheckGaps,
  agents: readonly SalvagedAgent[],
) => { team: Team; errors: ConfigIssue[] };

/**
 * Checks a team configuration without throwing (see `LLMTeam.checkConfig`): schema problems,
 * then every check on the parts that parsed (salvaged), on a team `build` makes.
 */
export function checkTeamConfig<Team extends CheckedTeam>(
  options: LLMTeamOptions,
  build: BuildCheckedTeam<Team>,
): TeamConfigCheck<Team> {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    const parsed = teamConfigSchema.safeParse(options, { reportInput: true });
    return {
      team: undefined,
      errors: parsed.error ? toConfigIssues(parsed.error) : [],
      warnings: [],
    };
  }
  const { config, runtime } = splitTeamOptions(options);
  const limits = checkConfigLimits(config);
  if (limits.length > 0) return { team: undefined, errors: limits, warnings: [] };
  const parsed = teamConfigSchema.safeParse(config, { reportInput: true });
  const schemaErrors = parsed.success ? [] : toConfigIssues(parsed.error);
  const salvaged = parsed.success
    ? {
        settings: { ...parsed.data, agents: undefined },
        agents: parsed.data.agents?.map((agent) => ({ config: agent, standIn: false })),
        gaps: NO_GAPS,
      }
    : salvageTeamConfig(config);
  if (!salvaged) return { team: undefined, errors: schemaErrors, warnings: [] };
  // Built without agents, the team checks nothing yet; its agents are added one by one.
  const { team, errors: built } = build(
    { ...salvaged.settings, ...runtime },
    salvaged.gaps,
    salvaged.agents ?? [],
  );
  const { errors, warnings } = team.check();
  const all = uniqueIssues([...schemaErrors, ...built, ...errors]);
  return { team: all.length === 0 ? team : undefined, errors: all, warnings };
}
