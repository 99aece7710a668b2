import type { ConfigIssue } from "../errors/config-error.js";
import { compileWhen } from "./compile-when.js";
import { gateSwitchEdges, switchWithoutGraph } from "./switch-edges.js";
import type { FlowConfig } from "./flow-config.js";
import { NodeSet, nodeUniverse } from "./node-set.js";
import { parseChain } from "./parse-chain.js";
import type { CompiledFlow, FlowAgentInfo, FlowEdge, FlowGraph } from "./flow-graph-types.js";
import { certainBefore } from "./certain-before.js";
import { checkConditionReads } from "./check-condition-reads.js";
import { topologicalOrder } from "./topological-order.js";

export type { CompiledFlow, FlowAgentInfo, FlowEdge, FlowGraph };

/**
 * Checks and compiles a flow against the team's agents: unknown agents, cycles without a
 * loop bound, unreachable agents, an ambiguous entry and conditions reading what cannot be
 * there are all reported, each with its path.
 */
export function compileFlow(
  flow: FlowConfig | undefined,
  agents: FlowAgentInfo[],
): { flow: CompiledFlow } | { issues: ConfigIssue[] } {
  if (flow === undefined || flow === "sequential") {
    const issues = switchWithoutGraph(agents, "sequential");
    return issues.length > 0 ? { issues } : { flow: { kind: "sequential" } };
  }
  const known = new Map(agents.map((agent) => [agent.id, agent]));
  const issues: ConfigIssue[] = [];
  const edges: FlowEdge[] = [];
  let entry: string[] | undefined;
  let source: FlowGraph["source"];
  const unknown = (name: string, path: (string | number)[], prefix = ""): void => {
    issues.push({
      path,
      message: `${prefix}Unknown agent "${name}" in the flow. Known agents: ${[...known.keys()].join(", ")}.`,
    });
  };
  if (typeof flow === "string") {
    source = "chain";
    const parsed = parseChain(flow);
    if ("issues" in parsed) return parsed;
    for (const name of parsed.stages.flat())
      if (!known.has(name)) unknown(name, ["flow"], `flow ${JSON.stringify(flow)}: `);
    parsed.stages.slice(1).forEach((stage, index) => {
      for (const from of parsed.stages[index]!) {
        for (const to of stage)
          edges.push({
            from,
            to,
            when: undefined,
            whenText: undefined,
            maxIterations: undefined,
            path: ["flow"],
          });
      }
    });
    entry = parsed.stages[0]!;
    if (issues.length > 0) return { issues };
    if (parsed.stages.length === 1) return finish(source, entry, edges, agents, issues);
  } else {
    source = "graph";
    flow.edges.forEach((edge, index) => {
      const path = ["flow", "edges", index];
      const froms = listOf(edge.from);
      const tos = listOf(edge.to);
      for (const name of froms) if (!known.has(name)) unknown(name, [...path, "from"]);
      for (const name of tos) if (!known.has(name)) unknown(name, [...path, "to"]);
      const condition =
        edge.when === undefined ? undefined : compileWhen(edge.when, [...path, "when"], issues);
      const whenText =
        edge.when === undefined
          ? undefined
          : typeof edge.when === "string"
            ? edge.when
            : JSON.stringify(edge.when);
      for (const from of froms) {
        for (const to of tos)
          edges.push({
            from,
            to,
            when: condition,
            whenText,
            maxIterations: edge.maxIterations,
            path,
          });
      }
    });
    if (flow.entry !== undefined) {
      entry = listOf(flow.entry);
      for (const name of entry) if (!known.has(name)) unknown(name, ["flow", "entry"]);
    }
  }
  if (issues.length > 0) return { issues };
  return finish(source, entry, edges, agents, issues);
}

function finish(
  source: FlowGraph["source"],
  explicitEntry: string[] | undefined,
  edges: FlowEdge[],
  agents: FlowAgentInfo[],
  issues: ConfigIssue[],
): { flow: CompiledFlow } | { issues: ConfigIssue[] } {
  const mentioned = new Set<string>([
    ...(explicitEntry ?? []),
    ...edges.flatMap((edge) => [edge.from, edge.to]),
  ]);
  const nodes = agents.map((agent) => agent.id).filter((id) => mentioned.has(id));
  gateSwitchEdges(edges, agents, issues);
  const { incoming, outgoing, loops } = indexEdges(nodes, edges);
  for (const agent of agents) {
    if (!mentioned.has(agent.id) && !agent.rerouteTarget) {
      issues.push({
        path: ["agents", agent.index],
        message: `Agent "${agent.id}" is not in the flow, so it would never run. Add it to the flow or remove the agent.`,
      });
    }
  }
  const order = topologicalOrder(nodes, outgoing, incoming);
  if ("cycle" in order) {
    issues.push(cycleIssue(order.cycle, outgoing));
    return { issues };
  }
  const universe = nodeUniverse(nodes);
  const ancestors = ancestorsOf(order.order, incoming, universe);
  const regions = loopRegions(loops, ancestors, outgoing, issues);
  const entry = resolveEntry(explicitEntry, nodes, incoming, issues);
  if (issues.length > 0 || !entry) return { issues };

  const certain = certainBefore(order.order, entry, incoming, outgoing, ancestors, universe);
  const possible = possibleBefore(nodes, ancestors, regions, universe);
  const inputReads = checkConditionReads(edges, agents, certain, issues);
  if (issues.length > 0) return { issues };
  const dynamic = edges.some((edge) => edge.when !== undefined || edge.maxIterations !== undefined);
  const parallel = entry.length > 1 || [...outgoing.values()].some((out) => out.length > 1);
  return {
    flow: {
      kind: "graph",
      graph: {
        source,
        nodes,
        entry,
        incoming,
        outgoing,
        loops,
        certain,
        possible,
        regions,
        inputReads,
        dynamic,
        parallel,
        order: order.order,
      },
    },
  };
}

/** Forward edges into and out of each agent, and loop edges (with maxIterations) by source. */
function indexEdges(
  nodes: string[],
  edges: FlowEdge[],
): Pick<FlowGraph, "incoming" | "outgoing" | "loops"> {
  const incoming = new Map<string, FlowEdge[]>(nodes.map((id) => [id, []]));
  const outgoing = new Map<string, FlowEdge[]>(nodes.map((id) => [id, []]));
  const loops = new Map<string, FlowEdge[]>();
  for (const edge of edges) {
    if (edge.maxIterations !== undefined) {
      loops.set(edge.from, [...(loops.get(edge.from) ?? []), edge]);
    } else {
      incoming.get(edge.to)!.push(edge);
      outgoing.get(edge.from)!.push(edge);
    }
  }
  return { incoming, outgoing, loops };
}

/** The issue for a cycle without a loop bound, at the edge that closes it. */
function cycleIssue(cycle: string[], outgoing: Map<string, FlowEdge[]>): ConfigIssue {
  const closing = outgoing.get(cycle.at(-2)!)!.find((edge) => edge.to === cycle.at(-1))!;
  return {
    path: closing.path,
    message: `The flow has a cycle: ${cycle.join(" -> ")}. A loop needs maxIterations on the edge that goes back, e.g. { from: ${cycle.at(-2)}, to: ${cycle.at(-1)}, when: ..., maxIterations: 3 }.`,
  };
}

/** Every agent's ancestors by forward edges, computed in topological order. */
function ancestorsOf(
  order: string[],
  incoming: Map<string, FlowEdge[]>,
  universe: ReturnType<typeof nodeUniverse>,
): Map<string, NodeSet> {
  const ancestors = new Map<string, NodeSet>();
  for (const id of order) {
    const set = new NodeSet(universe);
    for (const edge of incoming.get(id)!) set.add(edge.from).addAll(ancestors.get(edge.from)!);
    ancestors.set(id, set);
  }
  return ancestors;
}

/** The agents each loop edge re-runs; a loop edge that does not go back is an issue. */
function loopRegions(
  loops: Map<string, FlowEdge[]>,
  ancestors: Map<string, NodeSet>,
  outgoing: Map<string, FlowEdge[]>,
  issues: ConfigIssue[],
): Map<FlowEdge, Set<string>> {
  const regions = new Map<FlowEdge, Set<string>>();
  for (const edge of [...loops.values()].flat()) {
    if (edge.to !== edge.from && !ancestors.get(edge.from)!.has(edge.to)) {
      issues.push({
        path: [...edge.path, "maxIterations"],
        message: `Edge ${edge.from} -> ${edge.to} has maxIterations, but "${edge.to}" does not come before "${edge.from}": only an edge back to an earlier agent is a loop. Remove maxIterations.`,
      });
      continue;
    }
    regions.set(edge, reachable(edge.to, outgoing));
  }
  return regions;
}

/**
 * The flow's entry: the explicit one (checked: no incoming edges, every root listed) or the
 * only agent without incoming edges. Undefined when it is ambiguous (an issue is pushed).
 */
function resolveEntry(
  explicitEntry: string[] | undefined,
  nodes: string[],
  incoming: Map<string, FlowEdge[]>,
  issues: ConfigIssue[],
): string[] | undefined {
  const roots = nodes.filter((id) => incoming.get(id)!.length === 0);
  if (!explicitEntry) {
    if (roots.length <= 1) return roots;
    issues.push({
      path: ["flow"],
      message: `The flow's entry is ambiguous: ${roots.join(", ")} have no incoming edge. Set flow.entry (e.g. entry: [${roots.join(", ")}] to start them together) or connect them.`,
    });
    return undefined;
  }
  for (const id of explicitEntry) {
    if (incoming.get(id)!.length > 0) {
      issues.push({
        path: ["flow", "entry"],
        message: `Entry agent "${id}" has incoming edges (from ${incoming
          .get(id)!
          .map((edge) => edge.from)
          .join(", ")}); an entry starts the flow.`,
      });
    }
  }
  for (const id of roots) {
    if (!explicitEntry.includes(id)) {
      issues.push({
        path: ["flow"],
        message: `Agent "${id}" is unreachable: no edge leads to it and it is not an entry. Add an edge to it or list it in flow.entry.`,
      });
    }
  }
  return explicitEntry;
}

/** The agents that may have completed before each agent starts: ancestors, and loop feedback. */
function possibleBefore(
  nodes: string[],
  ancestors: Map<string, NodeSet>,
  regions: Map<FlowEdge, Set<string>>,
  universe: ReturnType<typeof nodeUniverse>,
): Map<string, NodeSet> {
  const possible = new Map<string, NodeSet>(nodes.map((id) => [id, ancestors.get(id)!.copy()]));
  // In a loop, every agent of the loop can read what the others wrote on the previous turn.
  for (const region of regions.values()) {
    const members = new NodeSet(universe);
    for (const id of region) members.add(id);
    for (const id of region) possible.get(id)!.addAll(members);
  }
  return possible;
}

function listOf(value: string | string[]): string[] {
  return typeof value === "string" ? [value] : value;
}

function reachable(start: string, outgoing: Map<string, FlowEdge[]>): Set<string> {
  const seen = new Set([start]);
  const queue = [start];
  while (queue.length > 0) {
    for (const edge of outgoing.get(queue.pop()!)!) {
      if (!seen.has(edge.to)) {
        seen.add(edge.to);
        queue.push(edge.to);
      }
    }
  }
  return seen;
}
