import type { SwitchStepConfig } from "../../agents/step-config.js";
import { ConfigError, type ConfigIssue } from "../../errors/config-error.js";
import type { StepOutcome, StepRun, WorkflowStep } from "../../run/workflow-step.js";
import { compileWhen } from "../compile-when.js";
import { evaluateCondition, type Condition, type ConditionConfig } from "../condition.js";

/**
 * A `switch` step: its output is the id of the branch it picks, the `to` of the first case
 * whose condition holds, else its `default` (`null` without one: no branch runs). The flow
 * follows only the edge to the branch picked (see `gateSwitchEdges`).
 */
export class SwitchStep implements WorkflowStep {
  readonly kind = "switch";
  private readonly cases: { when: Condition; to: string }[];
  private readonly fallback: string | null;

  /** @throws ConfigError for a case condition that does not parse. */
  constructor(config: SwitchStepConfig) {
    const issues: ConfigIssue[] = [];
    this.cases = config.cases.map((entry, index) => ({
      when: compileWhen(entry.when as ConditionConfig, ["switch", "cases", index, "when"], issues)!,
      to: entry.to,
    }));
    if (issues.length > 0) throw new ConfigError(issues);
    this.fallback = config.default ?? null;
  }

  run(run: StepRun): Promise<StepOutcome> {
    const picked = this.cases.find((entry) => evaluateCondition(entry.when, run.variables));
    return Promise.resolve({ output: picked ? picked.to : this.fallback });
  }
}

/** The problems of a switch's case conditions (checked with the flow, at load time). */
export function switchIssues(config: SwitchStepConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  config.cases.forEach((entry, index) =>
    compileWhen(entry.when as ConditionConfig, ["switch", "cases", index, "when"], issues),
  );
  return issues;
}
