import type { PreparedAgent } from "../agents/llm-agent.js";
import type { TeamFlow } from "../flows/team-flow.js";
import type { CountRange } from "./estimate-agent.js";
import { teamEscalationPlan } from "./team-escalation.js";
import type { TeamConfig } from "./team-config.js";

/** What an estimate says about escalations when the team has a policy. */
export const ESCALATION_ASSUMPTION =
  "Escalations: a retried step counts its retries (up to maxEscalationDepth), a reroute counts its target once per run of the step; deeper chains are not counted.";

/**
 * Widens each agent's runs by what the team's escalation policies may add: retries of a step,
 * and a reroute target's runs in place of its step (a target outside the flow runs only then).
 * @returns whether the team has escalation policies.
 */
export function addEscalationRuns(
  runs: Map<string, CountRange>,
  settings: Pick<TeamConfig, "escalation" | "maxEscalationDepth">,
  agents: readonly PreparedAgent[],
  flow: TeamFlow,
): boolean {
  let plan;
  try {
    plan = teamEscalationPlan(settings, agents);
  } catch {
    return false; // the load-time check reports it
  }
  if (!plan) return false;
  const inFlow = flow.kind === "graph" ? new Set(flow.graph.nodes) : undefined;
  const base = new Map([...runs].map(([id, range]) => [id, { ...range }]));
  for (const agent of agents) {
    if (inFlow && !inFlow.has(agent.id)) runs.set(agent.id, { min: 0, max: 0 });
  }
  for (const [agentId, policy] of plan.policies) {
    const own = base.get(agentId);
    if (!own || (inFlow && !inFlow.has(agentId))) continue;
    if (policy.action === "retry")
      runs.get(agentId)!.max += own.max * Math.min(policy.maxRetries, plan.maxDepth);
    if (policy.action === "reroute") {
      const target = runs.get(policy.agentId);
      if (target) target.max += own.max;
    }
  }
  return true;
}
