import type { RunExecution } from "./run-execution.js";

/** Runs the agents one after the other, in the order they were added. Returns the last output. */
export async function runSequential(execution: RunExecution): Promise<unknown> {
  const { agents } = execution.plan;
  let output: unknown;
  for (let index = 0; index < agents.length; index++) {
    const boundary = execution.passBoundary();
    if (boundary) await boundary;
    const agent = agents[index]!;
    const result = await execution.runAgent(agent, index + 1);
    output = result.output;
    const wait = execution.emit("progress", { completed: index + 1, total: agents.length, label: agent.id });
    if (wait) await wait;
  }
  return output;
}

/** Names each agent can read in its prompts, in sequential order: the input and earlier outputs. */
export function sequentialScopes(agentKeys: string[], inputKeys: string[]): Set<string>[] {
  const scopes: Set<string>[] = [];
  const available = new Set(inputKeys);
  for (const key of agentKeys) {
    scopes.push(new Set(available));
    available.add(key);
  }
  return scopes;
}
