import type * as z from "zod";
import type { AgentConfig } from "../agents/agent-config.js";
import type { LLMTeamOptions } from "./llm-team-options.js";

/** An `llm` agent whose `outputSchema` is a zod schema: its output has the schema's output type. */
export type ZodOutputAgent<TOutput> = AgentConfig & {
  type: "llm";
  outputSchema: z.ZodType<TOutput>;
};

/**
 * Options of a team whose run output TypeScript can know: a sequential team (no `flow`, no
 * `orchestration`) whose `agents` are written out as a list and end with an `llm` agent that
 * has a zod `outputSchema`. The last agent's output is the run's `finalOutput`, so
 * `new LLMTeam(options)` is an `LLMTeam<z.output<typeof schema>>`. Any other options give an
 * `LLMTeam<unknown>`.
 */
export type TypedTeamOptions<TOutput> = Omit<
  LLMTeamOptions,
  "agents" | "flow" | "orchestration"
> & {
  flow?: undefined;
  orchestration?: false | undefined;
  agents: [...AgentConfig[], ZodOutputAgent<TOutput>];
};
