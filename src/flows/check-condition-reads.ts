import { schemaAt } from "../agents/structured-output.js";
import type { ConfigIssue } from "../errors/config-error.js";
import { conditionPaths } from "./condition.js";
import type { FlowAgentInfo, FlowEdge, FlowGraph } from "./flow-graph-types.js";
import type { NodeSet } from "./node-set.js";

/**
 * Checks what each condition reads: an agent's output only if that agent is certain to have
 * run (and, for a field, only if its outputSchema has it). Returns the reads of run input.
 */
export function checkConditionReads(
  edges: FlowEdge[],
  agents: FlowAgentInfo[],
  certain: Map<string, NodeSet>,
  issues: ConfigIssue[],
): FlowGraph["inputReads"] {
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
      if (path.length > 1 && reader.kind !== "team") {
        const problem = fieldReadProblem(reader, path);
        if (problem)
          issues.push({
            path: [...edge.path, "when"],
            message: `The condition on ${edge.from} -> ${edge.to} reads ${path.join(".")}, but ${problem}`,
          });
      }
    }
  }
  return inputReads;
}

/** Why a structured agent's output cannot have the field `path` reads, or undefined if it can. */
function fieldReadProblem(reader: FlowAgentInfo, path: string[]): string | undefined {
  if (!reader.outputSchema) {
    return `agent "${reader.id}" has no outputSchema: its output is text, so ${path.join(".")} never has a value. Give "${reader.id}" an outputSchema, or test the text itself (e.g. ${reader.outputKey} contains "...").`;
  }
  const missing = schemaAt(reader.outputSchema, path.slice(1));
  if (!missing) return undefined;
  return `the outputSchema of "${reader.id}" has no field "${missing.missing}" there. Fields: ${missing.known.join(", ") || "none"}.`;
}
