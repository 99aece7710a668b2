import { prepareOutputSchema } from "../agents/structured-output.js";
import type { AgentConfig } from "../agents/agent-config.js";
import type { ConfigIssue } from "../errors/config-error.js";
import type { OrchestratorConfig } from "../router/orchestrator-config.js";
import { compileTermination } from "../router/termination.js";
import type { FlowConfig } from "./flow-config.js";
import { compileFlow, type FlowAgentInfo } from "./flow-graph.js";
import { switchWithoutGraph } from "./switch-edges.js";
import { switchIssues } from "./steps/switch-step.js";

/** The parts of a team configuration that flows and the router read. */
export interface TeamFlowSettings {
  flow?: FlowConfig | undefined;
  orchestration?: boolean | undefined;
  orchestrator?: OrchestratorConfig | undefined;
  /** The team's escalation policy (a reroute target may stay out of the flow). */
  escalation?: unknown;
}

/** What flow compilation needs to know of each agent. */
export function flowAgentsOf(
  agents: readonly AgentConfig[],
  teamEscalation?: unknown,
): FlowAgentInfo[] {
  const targets = new Set(
    [teamEscalation, ...agents.map((agent) => agent.escalation)].map(rerouteOf),
  );
  return agents.map((agent, index) => {
    const id = agent.id ?? agent.role;
    let outputSchema: FlowAgentInfo["outputSchema"];
    if (agent.outputSchema !== undefined) {
      try {
        outputSchema = prepareOutputSchema(agent.outputSchema, []).jsonSchema;
      } catch {
        outputSchema = undefined;
      }
    }
    const switchTargets = agent.switch && [
      ...(agent.switch.cases ?? []).map((entry) => entry.to),
      ...(agent.switch.default === undefined ? [] : [agent.switch.default]),
    ];
    return {
      id,
      outputKey: agent.outputKey ?? id,
      index,
      kind: agent.type,
      outputSchema,
      switchTargets,
      rerouteTarget: targets.has(id),
    };
  });
}

/** The agent an escalation policy reroutes to, if it does. */
function rerouteOf(policy: unknown): string | undefined {
  const target = (policy as { reroute?: unknown } | undefined)?.reroute;
  return typeof target === "string" ? target : undefined;
}

/**
 * Checks flow and router settings against each other and, when the agents are known,
 * against the agents: every problem with its path.
 */
export function checkTeamFlow(
  team: TeamFlowSettings,
  agents: readonly AgentConfig[] | undefined,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (team.orchestration) {
    if (team.flow !== undefined && team.flow !== "sequential") {
      issues.push({
        path: ["flow"],
        message:
          "flow does not apply when orchestration is true: the orchestrator picks the order. Remove flow or orchestration.",
      });
    }
  } else if (team.orchestrator !== undefined) {
    issues.push({
      path: ["orchestrator"],
      message:
        "orchestrator is set but orchestration is not: add orchestration: true to let the orchestrator route between the agents.",
    });
  }
  const agentIds = agents?.map((agent) => agent.id ?? agent.role);
  if (team.orchestrator?.terminateWhen !== undefined) {
    const compiled = compileTermination(
      team.orchestrator.terminateWhen,
      ["orchestrator", "terminateWhen"],
      agentIds,
    );
    if (Array.isArray(compiled)) issues.push(...compiled);
  }
  if (agents !== undefined && !team.orchestration) {
    const compiled = compileFlow(team.flow, flowAgentsOf(agents, team.escalation));
    if ("issues" in compiled) issues.push(...compiled.issues);
  }
  agents?.forEach((agent, index) => {
    if (agent.switch?.cases === undefined) return;
    for (const issue of switchIssues(agent.switch))
      issues.push({ ...issue, path: ["agents", index, ...issue.path] });
  });
  if (agents !== undefined && team.orchestration)
    issues.push(...switchWithoutGraph(flowAgentsOf(agents), "router"));
  return issues;
}
