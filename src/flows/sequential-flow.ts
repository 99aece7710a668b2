import type { RunExecution } from "../run/run-execution.js";

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
    const wait = execution.progress(index + 1, agents.length, agent.id);
    if (wait) await wait;
  }
  return output;
}
