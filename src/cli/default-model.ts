import type { LLMTeam } from "../team/llm-team.js";
import { namesNoModel } from "../team/names-no-model.js";

export { namesNoModel };

/** The built-in demo model: what the CLI uses when no model is named and no key is set. */
export const DEMO_MODEL = "local/demo";

/**
 * The model of agents that name none, as every CLI command picks it: `--model`, else
 * `openai/gpt-4o-mini` when `OPENAI_API_KEY` is set, else the offline demo model.
 */
export function cliDefaultModel(env: Record<string, string | undefined>, model?: string): string {
  return model ?? (env.OPENAI_API_KEY ? "openai/gpt-4o-mini" : DEMO_MODEL);
}

/** The line saying which model agents without one run on, for the teams that have such agents. */
export function defaultModelNote(teams: readonly LLMTeam[], model: string): string | undefined {
  const ids = teams.filter(namesNoModel).map((team) => team.teamId);
  if (ids.length === 0) return undefined;
  const why =
    model === DEMO_MODEL
      ? "the tiny built-in demo model, offline: set OPENAI_API_KEY or give the teams a model for real answers"
      : "set a model in the team files to choose another";
  return `agents without a model (teams ${ids.join(", ")}) run on ${model} (${why}).`;
}
