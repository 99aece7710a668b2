import type { ConfigIssue } from "../errors/config-error.js";
import type { Condition } from "./condition.js";
import type { FlowAgentInfo, FlowEdge } from "./flow-graph-types.js";

/**
 * Gates the edges out of `switch` steps: an edge from a switch to `to` holds only when the
 * switch picked `to` (its output is the id of the branch it picked), on top of the edge's own
 * `when`. Every branch a switch can pick must be an edge of the flow, and every edge out of it
 * a branch it can pick; problems go to `issues`.
 */
export function gateSwitchEdges(
  edges: FlowEdge[],
  agents: readonly FlowAgentInfo[],
  issues: ConfigIssue[],
): void {
  for (const agent of agents) {
    if (agent.kind !== "switch" || !agent.switchTargets) continue;
    const targets = agent.switchTargets;
    const out = edges.filter((edge) => edge.from === agent.id);
    const reached = new Set(out.map((edge) => edge.to));
    for (const target of new Set(targets)) {
      if (reached.has(target)) continue;
      issues.push({
        path: ["agents", agent.index, "switch"],
        message: `Switch "${agent.id}" can pick "${target}", but the flow has no edge ${agent.id} -> ${target}. Add it to the flow (e.g. "${agent.id} -> ${[...new Set(targets)].join(", ")}").`,
      });
    }
    for (const edge of out) {
      if (!targets.includes(edge.to)) {
        issues.push({
          path: edge.path,
          message: `The edge ${agent.id} -> ${edge.to} is never followed: switch "${agent.id}" picks only ${[...new Set(targets)].join(", ")}.`,
        });
        continue;
      }
      const picked: Condition = {
        kind: "compare",
        operator: "==",
        left: { kind: "path", path: [agent.outputKey] },
        right: { kind: "literal", value: edge.to },
      };
      const pickedText = `${agent.outputKey} == ${JSON.stringify(edge.to)}`;
      edge.when = edge.when ? { kind: "and", left: picked, right: edge.when } : picked;
      edge.whenText = edge.whenText ? `${pickedText} and (${edge.whenText})` : pickedText;
    }
  }
}

/** A switch in a flow without edges (sequential, router): nothing it picks could be followed. */
export function switchWithoutGraph(
  agents: readonly FlowAgentInfo[],
  flowName: string,
): ConfigIssue[] {
  return agents
    .filter((agent) => agent.kind === "switch")
    .map((agent) => ({
      path: ["agents", agent.index, "type"],
      message: `Switch "${agent.id}" routes between branches, which a ${flowName} flow does not have. Give the team a chain or graph flow, e.g. flow: "${agent.id} -> ${agent.switchTargets?.join(", ") ?? "a, b"}".`,
    }));
}
