import type { JsonSchema } from "../agents/structured-output.js";
import { schemaAt } from "../agents/structured-output.js";
import type { ConfigIssue } from "../errors/config-error.js";
import {
  compileCondition,
  conditionPaths,
  conditionSyntaxHelp,
  ConditionSyntaxError,
  type Condition,
  type ConditionConfig,
} from "./condition.js";
import { checkStructuredCondition } from "./check-condition.js";
import type { FlowConfig } from "./flow-config.js";
import { NodeSet, nodeUniverse } from "./node-set.js";
import { parseChain } from "./parse-chain.js";

/** What flow compilation needs to know of an agent. */
export interface FlowAgentInfo {
  id: string;
  outputKey: string;
  /** Position in the team's agents (for error paths). */
  index: number;
  /** The JSON Schema of its structured output; undefined for text. */
  outputSchema: JsonSchema | undefined;
  /** `team` agents answer whatever their team answers: fields are not checked. */
  kind: "llm" | "team";
}

/** One edge between two agents. */
export interface FlowEdge {
  from: string;
  to: string;
  when: Condition | undefined;
  /** The condition as written, for messages and reports. */
  whenText: string | undefined;
  /** Set on loop edges (edges back to an earlier agent). */
  maxIterations: number | undefined;
  /** Where the edge is in the configuration. */
  path: (string | number)[];
}

/** A checked flow graph, ready to run. */
export interface FlowGraph {
  source: "chain" | "graph";
  /** Every agent of the flow, in team order. */
  nodes: string[];
  entry: string[];
  /** Forward edges into / out of each agent. */
  incoming: Map<string, FlowEdge[]>;
  outgoing: Map<string, FlowEdge[]>;
  /** Loop edges by the agent they leave. */
  loops: Map<string, FlowEdge[]>;
  /** Agents certain to have completed whenever an agent starts. */
  certain: Map<string, NodeSet>;
  /** Agents that may have completed before an agent starts (ancestors, and loop feedback). */
  possible: Map<string, NodeSet>;
  /** Agents a loop edge re-runs: everything after its target. */
  regions: Map<FlowEdge, Set<string>>;
  /** Top-level names conditions read that are not agents' outputs (must be run input). */
  inputReads: { name: string; edge: FlowEdge }[];
  /** True when some edge has a condition or a loop (the number of agent runs is not fixed). */
  dynamic: boolean;
  /** True when agents can run at the same time (several entries, or an agent with several edges out). */
  parallel: boolean;
  /** The agents in an order where each comes after those it waits for. */
  order: string[];
}

/** A team's flow, compiled. */
export type CompiledFlow = { kind: "sequential" } | { kind: "graph"; graph: FlowGraph };

/**
 * Checks and compiles a flow against the team's agents: unknown agents, cycles without a
 * loop bound, unreachable agents, an ambiguous entry and conditions reading what cannot be
 * there are all reported, each with its path.
 */
export function compileFlow(
  flow: FlowConfig | undefined,
  agents: FlowAgentInfo[],
): { flow: CompiledFlow } | { issues: ConfigIssue[] } {
  if (flow === undefined || flow === "sequential") return { flow: { kind: "sequential" } };
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
  for (const agent of agents) {
    if (!mentioned.has(agent.id)) {
      issues.push({
        path: ["agents", agent.index],
        message: `Agent "${agent.id}" is not in the flow, so it would never run. Add it to the flow or remove the agent.`,
      });
    }
  }
  const order = topologicalOrder(nodes, outgoing, incoming);
  if ("cycle" in order) {
    const cycle = order.cycle;
    const closing = outgoing.get(cycle.at(-2)!)!.find((edge) => edge.to === cycle.at(-1))!;
    issues.push({
      path: closing.path,
      message: `The flow has a cycle: ${cycle.join(" -> ")}. A loop needs maxIterations on the edge that goes back, e.g. { from: ${cycle.at(-2)}, to: ${cycle.at(-1)}, when: ..., maxIterations: 3 }.`,
    });
    return { issues };
  }
  const universe = nodeUniverse(nodes);
  const ancestors = new Map<string, NodeSet>();
  for (const id of order.order) {
    const set = new NodeSet(universe);
    for (const edge of incoming.get(id)!) set.add(edge.from).addAll(ancestors.get(edge.from)!);
    ancestors.set(id, set);
  }
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
  const roots = nodes.filter((id) => incoming.get(id)!.length === 0);
  let entry = explicitEntry;
  if (entry) {
    for (const id of entry) {
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
      if (!entry.includes(id)) {
        issues.push({
          path: ["flow"],
          message: `Agent "${id}" is unreachable: no edge leads to it and it is not an entry. Add an edge to it or list it in flow.entry.`,
        });
      }
    }
  } else if (roots.length > 1) {
    issues.push({
      path: ["flow"],
      message: `The flow's entry is ambiguous: ${roots.join(", ")} have no incoming edge. Set flow.entry (e.g. entry: [${roots.join(", ")}] to start them together) or connect them.`,
    });
  } else entry = roots;
  if (issues.length > 0 || !entry) return { issues };

  const certain = certainBefore(order.order, entry, incoming, outgoing, ancestors, universe);
  const possible = new Map<string, NodeSet>(nodes.map((id) => [id, ancestors.get(id)!.copy()]));
  // In a loop, every agent of the loop can read what the others wrote on the previous turn.
  for (const region of regions.values()) {
    const members = new NodeSet(universe);
    for (const id of region) members.add(id);
    for (const id of region) possible.get(id)!.addAll(members);
  }

  const byKey = new Map(agents.map((agent) => [agent.outputKey, agent]));
  const inputReads: FlowGraph["inputReads"] = [];
  for (const edge of edges) {
    if (!edge.when) continue;
    for (const path of conditionPaths(edge.when)) {
      const reader = byKey.get(path[0]!);
      if (!reader) {
        inputReads.push({ name: path[0]!, edge });
        continue;
      }
      const ready = reader.id === edge.from || certain.get(edge.from)!.has(reader.id);
      if (!ready) {
        issues.push({
          path: [...edge.path, "when"],
          message: `The condition on ${edge.from} -> ${edge.to} reads ${path.join(".")}, but agent "${reader.id}" may not have run when "${edge.from}" finishes. Conditions can read the run input, "${edge.from}" and agents certain to run before it.`,
        });
        continue;
      }
      if (path.length > 1 && reader.kind === "llm") {
        if (!reader.outputSchema) {
          issues.push({
            path: [...edge.path, "when"],
            message: `The condition on ${edge.from} -> ${edge.to} reads ${path.join(".")}, but agent "${reader.id}" has no outputSchema: its output is text, so ${path.join(".")} never has a value. Give "${reader.id}" an outputSchema, or test the text itself (e.g. ${reader.outputKey} contains "...").`,
          });
          continue;
        }
        const missing = schemaAt(reader.outputSchema, path.slice(1));
        if (missing) {
          issues.push({
            path: [...edge.path, "when"],
            message: `The condition on ${edge.from} -> ${edge.to} reads ${path.join(".")}, but the outputSchema of "${reader.id}" has no field "${missing.missing}" there. Fields: ${missing.known.join(", ") || "none"}.`,
          });
        }
      }
    }
  }
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

/**
 * The agents certain to have completed when each agent starts: those on every incoming path,
 * the entries, and what they reach by edges without a condition — among its ancestors.
 */
function certainBefore(
  order: string[],
  entry: string[],
  incoming: Map<string, FlowEdge[]>,
  outgoing: Map<string, FlowEdge[]>,
  ancestors: Map<string, NodeSet>,
  universe: ReturnType<typeof nodeUniverse>,
): Map<string, NodeSet> {
  const certain = new Map<string, NodeSet>();
  for (const id of order) {
    const into = incoming.get(id)!;
    if (into.length === 0) {
      certain.set(id, new NodeSet(universe));
      continue;
    }
    let common: NodeSet | undefined;
    for (const edge of into) {
      const ran = certain.get(edge.from)!.copy().add(edge.from);
      common = common ? common.keepOnly(ran) : ran;
    }
    // Entries always run, so do the agents they reach by edges without a condition. Only
    // ancestors count, and only ancestors lead to ancestors: the walk stays among them.
    const upstream = ancestors.get(id)!;
    const closure = common!;
    for (const name of entry) if (upstream.has(name)) closure.add(name);
    const queue = [...closure];
    while (queue.length > 0) {
      for (const edge of outgoing.get(queue.pop()!)!) {
        if (edge.when === undefined && upstream.has(edge.to) && !closure.has(edge.to)) {
          closure.add(edge.to);
          queue.push(edge.to);
        }
      }
    }
    certain.set(id, closure.keepOnly(upstream));
  }
  return certain;
}

function compileWhen(
  config: ConditionConfig,
  path: (string | number)[],
  issues: ConfigIssue[],
): Condition | undefined {
  if (typeof config !== "string") {
    const problems = checkStructuredCondition(config, path);
    if (problems.length > 0) {
      issues.push(...problems);
      return undefined;
    }
  }
  try {
    return compileCondition(config);
  } catch (error) {
    if (!(error instanceof ConditionSyntaxError)) throw error;
    issues.push({
      path,
      message: `Invalid condition ${preview(JSON.stringify(config))}: ${error.message}. ${conditionSyntaxHelp()}`,
    });
    return undefined;
  }
}

/** Text cut to 80 characters for a message. */
function preview(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
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

function topologicalOrder(
  nodes: string[],
  outgoing: Map<string, FlowEdge[]>,
  incoming: Map<string, FlowEdge[]>,
): { order: string[] } | { cycle: string[] } {
  const remaining = new Map(nodes.map((id) => [id, incoming.get(id)!.length]));
  const queue = nodes.filter((id) => remaining.get(id) === 0);
  const order: string[] = [];
  while (queue.length > 0) {
    const id = queue.shift()!;
    order.push(id);
    for (const edge of outgoing.get(id)!) {
      const left = remaining.get(edge.to)! - 1;
      remaining.set(edge.to, left);
      if (left === 0) queue.push(edge.to);
    }
  }
  if (order.length === nodes.length) return { order };
  return {
    cycle: findCycle(
      nodes.filter((id) => remaining.get(id)! > 0),
      outgoing,
    ),
  };
}

function findCycle(candidates: string[], outgoing: Map<string, FlowEdge[]>): string[] {
  const inCycleSet = new Set(candidates);
  const path: string[] = [];
  const onPath = new Set<string>();
  const visited = new Set<string>();
  const visit = (id: string): string[] | undefined => {
    path.push(id);
    onPath.add(id);
    visited.add(id);
    for (const edge of outgoing.get(id)!) {
      if (!inCycleSet.has(edge.to)) continue;
      if (onPath.has(edge.to)) return [...path.slice(path.indexOf(edge.to)), edge.to];
      if (!visited.has(edge.to)) {
        const found = visit(edge.to);
        if (found) return found;
      }
    }
    path.pop();
    onPath.delete(id);
    return undefined;
  };
  for (const id of candidates) {
    if (visited.has(id)) continue;
    const found = visit(id);
    if (found) return found;
  }
  return candidates;
}
