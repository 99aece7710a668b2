import type { JsonSchema } from "../agents/structured-output.js";
import type { Condition } from "./condition.js";
import type { NodeSet } from "./node-set.js";

/** What flow compilation needs to know of an agent. */
export interface FlowAgentInfo {
  id: string;
  outputKey: string;
  /** Position in the team's agents (for error paths). */
  index: number;
  /** The JSON Schema of its structured output; undefined for text. */
  outputSchema: JsonSchema | undefined;
  /** `team`, `rag` and `kag` agents and workflow steps answer what they answer: only `llm` fields are checked. */
  kind: "llm" | "team" | "rag" | "kag" | "transform" | "http" | "human" | "switch";
  /** Switch steps: the branches it can pick (its cases' `to`, then its `default`). */
  switchTargets?: string[] | undefined;
  /** An escalation policy reroutes to it: it may stay out of the flow (it runs only then). */
  rerouteTarget?: boolean | undefined;
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
