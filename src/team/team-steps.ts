import type { PreparedAgent } from "../agents/llm-agent.js";
import { ConfigError } from "../errors/config-error.js";
import type { Clock } from "../internal/clock.js";
import { createWorkflowStep } from "../flows/steps/create-workflow-step.js";
import type { WorkflowStep } from "../run/workflow-step.js";
import type { TeamPipelines } from "./team-pipelines.js";

/**
 * The workflow steps of a team's agents (types transform, http, human, switch), by agent id,
 * built when a run is planned.
 * @throws ConfigError (paths under the agent) for what the environment lacks, e.g. an unset `${NAME}`.
 */
export function workflowSteps(
  agents: readonly PreparedAgent[],
  team: { pipelines: TeamPipelines; env: Record<string, string | undefined>; clock: Clock },
): Map<string, WorkflowStep> {
  const steps = new Map<string, WorkflowStep>();
  agents.forEach((agent, index) => {
    try {
      const step = createWorkflowStep(agent, () => ({
        resilience: team.pipelines.stepResilience(agent),
        env: team.env,
        clock: team.clock,
      }));
      if (step) steps.set(agent.id, step);
    } catch (error) {
      if (!ConfigError.isInstance(error)) throw error;
      throw new ConfigError(
        error.issues.map((issue) => ({ ...issue, path: ["agents", index, ...issue.path] })),
        { cause: error },
      );
    }
  });
  return steps;
}
