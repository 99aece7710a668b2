import { compileFlow } from "../../flows/flow-graph.js";
import { flowAgentsOf } from "../../flows/validate-team-flow.js";
import type { LLMTeam } from "../../team/llm-team.js";

/**
 * The agent whose streamed text is a chat's answer, when it is known before the run: the last
 * agent of a sequential team or of a flow without branches, conditions or loops, if it is an
 * `llm` agent answering text (no `outputSchema`). Otherwise (router, parallel or conditional
 * flows, a last agent of another kind) `undefined`: the answer is known only when the run ends.
 */
export function answeringAgentOf(team: LLMTeam): string | undefined {
  const config = team.toConfig();
  if (config.orchestration) return undefined;
  const agents = config.agents ?? [];
  const compiled = compileFlow(config.flow, flowAgentsOf(agents, config.escalation));
  if ("issues" in compiled) return undefined;
  const { flow } = compiled;
  const idOf = (agent: (typeof agents)[number]) => agent.id ?? agent.role;
  let last: string | undefined;
  if (flow.kind === "sequential") last = agents.length > 0 ? idOf(agents.at(-1)!) : undefined;
  else if (!flow.graph.parallel && !flow.graph.dynamic) last = flow.graph.order.at(-1);
  const agent = agents.find((candidate) => idOf(candidate) === last);
  if (agent === undefined || agent.type !== "llm" || agent.outputSchema !== undefined)
    return undefined;
  return last;
}
