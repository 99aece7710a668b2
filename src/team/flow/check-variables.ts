import type { PreparedAgent } from "../../agents/llm-agent.js";
import type { ConfigIssue } from "../../errors/config-error.js";
import type { CompiledFlow } from "./flow-graph.js";

/** How a team's agents are ordered, for what their prompts may read. */
export type VariableMode = CompiledFlow | { kind: "router" };

/**
 * Checks that every prompt variable has a value when its agent runs: the run input, or an
 * agent certain to have run before (earlier in a sequence; upstream in a graph on every
 * path). Outputs that may be missing (a conditional branch, a loop's previous turn, any
 * agent in router mode) must be read as `{name?}`. Conditions must read existing input.
 */
export function checkVariables(
  agents: PreparedAgent[],
  mode: VariableMode,
  inputKeys: string[],
): ConfigIssue[] {
  const input = new Set(inputKeys);
  const byKey = new Map(agents.map((agent) => [agent.outputKey, agent]));
  const issues: ConfigIssue[] = [];
  agents.forEach((agent, index) => {
    const certain = new Set<string>();
    const possible = new Set<string>();
    if (mode.kind === "sequential") {
      for (const earlier of agents.slice(0, index)) certain.add(earlier.outputKey);
    } else if (mode.kind === "graph") {
      const ids = new Map(agents.map((other) => [other.id, other.outputKey]));
      for (const id of mode.graph.certain.get(agent.id) ?? []) certain.add(ids.get(id)!);
      for (const id of mode.graph.possible.get(agent.id) ?? []) possible.add(ids.get(id)!);
    } else {
      for (const other of agents) possible.add(other.outputKey);
    }
    const needed = new Set([...agent.prompt.variables, ...(agent.systemPrompt?.variables ?? [])]);
    for (const name of needed) {
      if (input.has(name) || certain.has(name)) continue;
      const provider = byKey.get(name);
      const path = ["agents", index, "prompt"];
      if (provider && (possible.has(name) || mode.kind === "router")) {
        const why =
          mode.kind === "router"
            ? "in router mode the orchestrator picks the order, so only the run input is certain"
            : `"${provider.id}" may not have run before "${agent.id}" (a branch whose condition may not hold, or a loop's next turn)`;
        issues.push({
          path,
          message: `Agent "${agent.id}" reads {${name}}, but ${why}. Read it as {${name}?} to get an empty value when it has not run.`,
        });
        continue;
      }
      const available = [...input, ...certain];
      issues.push({
        path,
        message: `Agent "${agent.id}" reads {${name}}, but nothing provides it: not the run input and no agent that runs before it. Available here: ${available.join(", ") || "nothing"}. Write {{${name}}} for literal braces.`,
      });
    }
  });
  if (mode.kind === "graph") {
    for (const { name, edge } of mode.graph.inputReads) {
      if (input.has(name)) continue;
      issues.push({
        path: [...edge.path, "when"],
        message: `The condition on ${edge.from} -> ${edge.to} reads ${name}, which is neither an agent's output nor in the run input (input: ${inputKeys.join(", ") || "nothing"}).`,
      });
    }
  }
  return issues;
}
