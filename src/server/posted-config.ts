import { ConfigError, type ConfigIssue } from "../errors/config-error.js";
import { LLMTeam } from "../team/llm-team.js";
import type { TeamConfig } from "../team/team-config.js";
import { RUNTIME_KEYS, type TeamRuntimeOptions } from "../team/team-runtime-options.js";

/** What `POST /validate` answers: `llmteam validate` as data. */
export interface PostedConfigCheck {
  valid: boolean;
  errors: ConfigIssue[];
  warnings: ConfigIssue[];
}

/** Runtime keys that are configuration data too when written as JSON. */
const DATA_KEYS = new Set<string>(["pricing", "runStore"]);

/**
 * Runtime options (model instances, tools, clock…) cannot come as JSON: a posted key of that
 * name is an error, not something to build with.
 */
function runtimeKeyIssues(config: Record<string, unknown>): ConfigIssue[] {
  const issues: ConfigIssue[] = RUNTIME_KEYS.filter(
    (key) => !DATA_KEYS.has(key) && config[key] !== undefined,
  ).map((key) => ({
    path: [key],
    message: `"${key}" is not part of a team's configuration data: it is a runtime option the server gives its teams (createServer({ teamRuntime })). Remove it.`,
  }));
  // As data, a run store is a spec; anything else would be taken for a store instance.
  if (config.runStore !== undefined && typeof config.runStore !== "string") {
    issues.push({
      path: ["runStore"],
      message: "runStore must name a SQLite file or a postgres:// URL.",
    });
  }
  return issues;
}

/**
 * Checks a team configuration posted as JSON the way `llmteam validate` checks a team file
 * (`LLMTeam.checkConfig`): every error and warning with its path, never thrown. The server's
 * `teamRuntime` (model instances, tools, env) is what the configuration is checked with.
 */
export function checkPostedConfig(
  config: Record<string, unknown>,
  runtime: TeamRuntimeOptions,
): PostedConfigCheck {
  const refused = runtimeKeyIssues(config);
  if (refused.length > 0) return { valid: false, errors: refused, warnings: [] };
  let found;
  try {
    found = LLMTeam.checkConfig({ ...(config as TeamConfig), ...runtime });
  } catch (error) {
    if (!ConfigError.isInstance(error)) throw error;
    return { valid: false, errors: error.issues, warnings: [] };
  }
  const errors = [...found.errors];
  const agents = config.agents;
  if (agents === undefined || (Array.isArray(agents) && agents.length === 0)) {
    const teamId = typeof config.teamId === "string" ? config.teamId : "team";
    errors.push({
      path: agents === undefined ? [] : ["agents"],
      message: `Team "${teamId}" has no agents. Add at least one under agents, e.g. { "type": "llm", "role": "writer", "prompt": "Answer: {query}" }.`,
    });
  }
  // Built only to be checked: nothing of it started, nothing to keep.
  void found.team?.close();
  return { valid: errors.length === 0, errors, warnings: found.warnings };
}
