import {
  DEFAULT_MAX_ESCALATION_DEPTH,
  resolveEscalationPolicy,
  type EscalationPolicy,
} from "../agents/escalation-config.js";
import type { PreparedAgent } from "../agents/llm-agent.js";
import { ConfigError, type ConfigIssue } from "../errors/config-error.js";
import type { EscalationPlan } from "../run/escalate-step.js";
import type { TeamConfig } from "./team-config.js";
import { compileTeamFlow, type TeamFlow } from "../flows/team-flow.js";

/**
 * The team's escalation policies for its runs: each agent's own `escalation`, else the team's;
 * `undefined` when neither the team nor any agent has one (a failed step fails the run).
 * @throws ConfigError when a policy reroutes to an agent the team does not have, or to itself.
 */
export function teamEscalationPlan(
  settings: Pick<TeamConfig, "escalation" | "maxEscalationDepth">,
  agents: readonly PreparedAgent[],
): EscalationPlan | undefined {
  const teamPolicy = resolved(settings.escalation);
  const policies = new Map<string, EscalationPolicy>();
  const issues: ConfigIssue[] = [];
  const ids = agents.map((agent) => agent.id);
  const check = (policy: EscalationPolicy, from: string | undefined, path: ConfigIssue["path"]) => {
    if (policy.action !== "reroute") return;
    if (!ids.includes(policy.agentId))
      issues.push({
        path: [...path, "reroute"],
        message: `escalation reroutes to unknown agent "${policy.agentId}". Known agents: ${ids.join(", ")}.`,
      });
    else if (policy.agentId === from)
      issues.push({
        path: [...path, "reroute"],
        message: `Agent "${from}" reroutes its escalation to itself: use "retry", or name another agent (${ids.filter((id) => id !== from).join(", ") || "none"}).`,
      });
  };
  if (teamPolicy) check(teamPolicy, undefined, ["escalation"]);
  agents.forEach((agent, index) => {
    const own = resolved(agent.config.escalation);
    if (own) check(own, agent.id, ["agents", index, "escalation"]);
    const policy = own ?? teamPolicy;
    // The team's reroute does not apply to its own target: that would reroute it to itself.
    if (!policy || (!own && policy.action === "reroute" && policy.agentId === agent.id)) return;
    policies.set(agent.id, policy);
  });
  if (issues.length > 0) throw new ConfigError(issues);
  if (policies.size === 0) return undefined;
  return { policies, maxDepth: settings.maxEscalationDepth ?? DEFAULT_MAX_ESCALATION_DEPTH };
}

function resolved(value: unknown): EscalationPolicy | undefined {
  if (value === undefined) return undefined;
  const policy = resolveEscalationPolicy(value);
  // The schema rejected a bad policy when the configuration was given.
  return typeof policy === "string" ? undefined : policy;
}

/**
 * For runs with nobody to ask (`run()`, `stream()`): fails before anything runs when a step
 * may escalate to a person.
 * @throws ConfigError naming the agent and `team.start()`.
 */
export function assertNoHumanEscalation(
  plan: EscalationPlan | undefined,
  agents: readonly PreparedAgent[],
): void {
  if (!plan) return;
  const index = agents.findIndex((agent) => plan.policies.get(agent.id)?.action === "human");
  if (index === -1) return;
  const agent = agents[index]!;
  throw new ConfigError([
    {
      path:
        agent.config.escalation === undefined ? ["escalation"] : ["agents", index, "escalation"],
      message: `Agent "${agent.id}" escalates to a person, and run() and stream() have nobody to ask. Start the run with team.start(input) and answer with handle.answer(id, value), or choose another policy: retry, skip, reroute, abort.`,
    },
  ]);
}

/**
 * The team's compiled flow and escalation policies, checked together.
 * @throws ConfigError with the problems of both.
 */
export function compileFlowAndEscalation(
  settings: Parameters<typeof compileTeamFlow>[0] &
    Pick<TeamConfig, "escalation" | "maxEscalationDepth">,
  agents: PreparedAgent[],
): { flow: TeamFlow; escalation: EscalationPlan | undefined } {
  const issues: ConfigIssue[] = [];
  const attempt = <T>(make: () => T): T | undefined => {
    try {
      return make();
    } catch (error) {
      if (!ConfigError.isInstance(error)) throw error;
      issues.push(...error.issues);
      return undefined;
    }
  };
  const flow = attempt(() => compileTeamFlow(settings, agents));
  const escalation = attempt(() => teamEscalationPlan(settings, agents));
  if (issues.length > 0) throw new ConfigError(issues);
  return { flow: flow!, escalation };
}
