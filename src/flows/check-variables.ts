import type { PreparedAgent } from "../agents/llm-agent.js";
import { schemaAt } from "../agents/structured-output.js";
import type { Template } from "../agents/template.js";
import type { ConfigIssue } from "../errors/config-error.js";
import type { CompiledFlow } from "./flow-graph.js";

/** How a team's agents are ordered, for what their prompts may read. */
export type VariableMode = CompiledFlow | { kind: "router" };

/**
 * Checks that every prompt variable has a value when its agent runs: the run input, or an
 * agent certain to have run before (earlier in a sequence; upstream in a graph on every
 * path). Outputs that may be missing (a conditional branch, a loop's previous turn, any
 * agent in router mode) must be read as `{name?}`. A field read of an agent's output
 * (`{triage.category}`) must exist in its `outputSchema`. Conditions must read existing input.
 */
export function checkVariables(
  agents: PreparedAgent[],
  mode: VariableMode,
  inputKeys: string[],
): ConfigIssue[] {
  const input = new Set(inputKeys);
  const byKey = new Map(agents.map((agent, index) => [agent.outputKey, { agent, index }]));
  // `{context}` is set by knowledge agents (rag, kag): the first one provides it.
  const retriever = agents.findIndex((agent) => agent.step !== undefined);
  if (retriever >= 0 && !byKey.has("context"))
    byKey.set("context", { agent: agents[retriever]!, index: retriever });
  const issues: ConfigIssue[] = [];
  agents.forEach((agent, index) => {
    const path = ["agents", index, "prompt"];
    const graph = mode.kind === "graph" ? mode.graph : undefined;
    const isCertain = (provider: { agent: PreparedAgent; index: number }): boolean =>
      mode.kind === "sequential"
        ? provider.index < index
        : graph !== undefined && graph.certain.get(agent.id)?.has(provider.agent.id) === true;
    const isPossible = (provider: { agent: PreparedAgent }): boolean =>
      mode.kind === "router" ||
      (graph !== undefined && graph.possible.get(agent.id)?.has(provider.agent.id) === true);
    const needed = new Set([...agent.prompt.variables, ...(agent.systemPrompt?.variables ?? [])]);
    for (const name of needed) {
      if (input.has(name)) continue;
      const provider = byKey.get(name);
      if (provider && isCertain(provider)) continue;
      if (provider && isPossible(provider)) {
        const why =
          mode.kind === "router"
            ? "in router mode the orchestrator picks the order, so only the run input is certain"
            : `"${provider.agent.id}" may not have run before "${agent.id}" (a branch whose condition may not hold, or a loop's next turn)`;
        issues.push({
          path,
          message: `Agent "${agent.id}" reads {${name}}, but ${why}. Read it as {${name}?} to get an empty value when it has not run.`,
        });
        continue;
      }
      const available = [
        ...input,
        ...agents
          .filter((other, position) => isCertain({ agent: other, index: position }))
          .map((other) => other.outputKey),
      ];
      issues.push({
        path,
        message: `Agent "${agent.id}" reads {${name}}, but nothing provides it: not the run input and no agent that runs before it. Available here: ${available.join(", ") || "nothing"}. Write {{${name}}} for literal braces.`,
      });
    }
    for (const template of [agent.prompt, agent.systemPrompt]) {
      if (template) issues.push(...checkFieldReads(agent, template, path, input, byKey));
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

/** Field reads of agents' outputs (`{triage.category}`) that can never have a value. */
function checkFieldReads(
  agent: PreparedAgent,
  template: Template,
  path: (string | number)[],
  input: ReadonlySet<string>,
  byKey: ReadonlyMap<string, { agent: PreparedAgent }>,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const part of template.parts) {
    if (typeof part === "string") continue;
    const fields = Array.isArray(part) ? part : part.optional;
    if (fields.length < 2 || input.has(fields[0]!)) continue;
    const reader = byKey.get(fields[0]!)?.agent;
    if (!reader || reader.config.type !== "llm") continue;
    const read = `{${fields.join(".")}${Array.isArray(part) ? "" : "?"}}`;
    if (!reader.outputSchema) {
      issues.push({
        path,
        message: `Agent "${agent.id}" reads ${read}, but agent "${reader.id}" has no outputSchema: its output is text, so ${fields.join(".")} never has a value. Give "${reader.id}" an outputSchema with the field, or read {${fields[0]}}.`,
      });
      continue;
    }
    const missing = schemaAt(reader.outputSchema.jsonSchema, fields.slice(1));
    if (missing) {
      issues.push({
        path,
        message: `Agent "${agent.id}" reads ${read}, but the outputSchema of "${reader.id}" has no field "${missing.missing}" there. Fields: ${missing.known.join(", ") || "none"}.`,
      });
    }
  }
  return issues;
}
