import type { PreparedAgent } from "../../agents/llm-agent.js";
import { ConfigError } from "../../errors/config-error.js";

/**
 * For runs with nobody to ask (`run()`, `stream()`): fails before anything runs when an agent
 * requires approval.
 * @throws ConfigError naming the agent and `team.start()`.
 */
export function assertNoApprovalsNeeded(agents: readonly PreparedAgent[]): void {
  const human = agents.findIndex((agent) => agent.config.type === "human");
  if (human !== -1) {
    throw new ConfigError([
      {
        path: ["agents", human, "human"],
        message: `Step "${agents[human]!.id}" asks a person, and run() and stream() have nobody to ask. Start the run with team.start(input) and answer with handle.answer(id, value) (the CLI asks in the terminal).`,
      },
    ]);
  }
  const index = agents.findIndex((agent) => agent.config.requiresApproval);
  if (index === -1) return;
  throw new ConfigError([
    {
      path: ["agents", index, "requiresApproval"],
      message: `Agent "${agents[index]!.id}" requires approval, and run() and stream() have nobody to ask. Start the run with team.start(input) and answer with handle.approve(id) or handle.reject(id, reason).`,
    },
  ]);
}
