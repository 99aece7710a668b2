import type { LLMTeam } from "./llm-team.js";

/** True when the team, as configured, leaves an agent without a model (a default model applies). */
export function namesNoModel(team: LLMTeam): boolean {
  const config = team.toConfig();
  return (
    config.model === undefined &&
    (config.agents ?? []).some((agent) => !("model" in agent) || agent.model === undefined)
  );
}
