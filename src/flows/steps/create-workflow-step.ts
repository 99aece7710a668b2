import type { PreparedAgent } from "../../agents/llm-agent.js";
import type { WorkflowStep } from "../../run/workflow-step.js";
import { HttpStep, type HttpStepParts } from "./http-step.js";
import { HumanStep } from "./human-step.js";
import { SwitchStep } from "./switch-step.js";
import { TransformStep } from "./transform-step.js";

/**
 * The workflow step of an agent of type `transform`, `http`, `human` or `switch`; `undefined`
 * for other agents. `http` steps are built with `parts()` (their resilience layers, env, clock).
 * @throws ConfigError for settings that cannot be used (an unset `${NAME}` in a header, ...).
 */
export function createWorkflowStep(
  agent: PreparedAgent,
  parts: () => HttpStepParts,
): WorkflowStep | undefined {
  const { config } = agent;
  switch (config.type) {
    case "transform":
      return new TransformStep(agent.id, config.transform!);
    case "http":
      return new HttpStep(agent.id, config.http!, parts());
    case "human":
      return new HumanStep(agent.id, config.human!);
    case "switch":
      return new SwitchStep(config.switch!);
    default:
      return undefined;
  }
}
