import type { AgentConfig } from "../agents/agent-config.js";
import { copyConfigData } from "../config/copy-config-data.js";
import type { TeamConfig } from "./team-config.js";

/**
 * A team's configuration as data: a copy of `settings` and of every agent's configuration,
 * inline tools written as their names, and a `type: team` agent's team instance as
 * `instanceConfig` gives it (its `toConfig()`). Plain objects and arrays are copied; anything else — a zod `outputSchema`, a
 * `TerminationCondition` — is kept as the same object, so a team rebuilt from the copy reads
 * it as the original did (a copy of a zod schema would be read as a JSON Schema).
 */
export function toTeamConfig(
  settings: Omit<TeamConfig, "agents">,
  agents: readonly AgentConfig[],
  instanceConfig: (team: unknown) => TeamConfig | undefined,
): TeamConfig {
  const copies = agents.map((config) => {
    const { tools } = config;
    const nested = config.team === undefined ? undefined : instanceConfig(config.team);
    return {
      ...copyConfigData(config),
      ...(tools
        ? {
            tools: tools.map((tool) =>
              typeof tool === "string" || "mcp" in tool ? tool : tool.name,
            ),
          }
        : {}),
      ...(nested ? { team: nested } : {}),
    };
  });
  return { ...copyConfigData(settings), agents: copies };
}
