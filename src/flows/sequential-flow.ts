import type { RunExecution } from "../run/run-execution.js";

/** Runs the agents one after the other, in the order they were added. Returns the last output. */
export async function runSequential(execution: RunExecution): Promise<unknown> {
  const { agents } = execution.plan;
  let output: unknown;
  for (let index = 0; index < agents.length; index++) {
    await execution.checkpoint();
    const agent = agents[index]!;
    const result = await execution.runAgent(agent, index + 1);
    output = result.output;
    await execution.progress(index + 1, agents.length, agent.id);
  }
  return output;
}
