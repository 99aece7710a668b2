import type * as z from "zod";
import { formProblem, formValidator } from "../../agents/check-step-settings.js";
import type { HumanStepConfig, HumanTimeoutAction } from "../../agents/step-config.js";
import { parseTemplate, renderTemplate, type Template } from "../../agents/template.js";
import { ConfigError } from "../../errors/config-error.js";
import { WorkflowStepError } from "../../errors/workflow-step-error.js";
import type { HumanAnswer, StepOutcome, StepRun, WorkflowStep } from "../../run/workflow-step.js";

/** What a human step outputs: whether the person approved, the answer's value, why not. */
export interface HumanStepOutput {
  approved: boolean;
  /** The answer (`handle.answer(id, value)`), checked against the form. */
  value?: unknown;
  /** Why the task was rejected (`handle.reject(id, reason)`, or a timeout). */
  reason?: string;
}

/**
 * A `human` step: asks a person its task (an `approval_requested` event of kind `human` with
 * the prompt, assignee and form) and waits for `handle.answer(id, value)`,
 * `handle.approve(id)` or `handle.reject(id, reason)`, or for its `timeoutMs` on the run's
 * clock, then does what `onTimeout` says. Its output is a {@link HumanStepOutput}.
 */
export class HumanStep implements WorkflowStep {
  readonly kind = "human";
  private readonly prompt: Template;
  private readonly validator: z.ZodType | undefined;
  private readonly onTimeout: HumanTimeoutAction;

  /** @throws ConfigError when the form is not a usable JSON Schema. */
  constructor(
    private readonly agentId: string,
    private readonly config: HumanStepConfig,
  ) {
    this.prompt = parseTemplate(config.prompt);
    const validator = config.form === undefined ? undefined : formValidator(config.form);
    if (typeof validator === "string")
      throw new ConfigError([{ path: ["human", "form"], message: validator }]);
    this.validator = validator;
    this.onTimeout = config.onTimeout ?? "fail";
  }

  /** The variables its prompt reads. */
  get variables(): string[] {
    return this.prompt.variables;
  }

  async run(run: StepRun): Promise<StepOutcome> {
    const { agentId, config } = this;
    if (!run.askHuman) {
      throw new WorkflowStepError(
        "no_person",
        agentId,
        `Step "${agentId}" asks a person, and this run has nobody to ask. Start it with team.start(input) and answer with handle.answer(id, value).`,
      );
    }
    const validator = this.validator;
    const answer = await run.askHuman({
      prompt: renderTemplate(this.prompt, run.variables, agentId),
      assignee: config.assignee,
      form: config.form,
      timeoutMs: config.timeoutMs,
      check: (value) => (validator ? formProblem(validator, value) : undefined),
    });
    if (!answer.timedOut) return { output: outputOf(answer), details: { answeredBy: "person" } };
    return { output: this.timedOut(), details: { answeredBy: "timeout" } };
  }

  /** The output `onTimeout` gives. @throws WorkflowStepError for `fail`. */
  private timedOut(): HumanStepOutput {
    const waited = `nobody answered within ${this.config.timeoutMs} ms`;
    const action = this.onTimeout;
    if (action === "approve") return { approved: true };
    if (action === "reject") return { approved: false, reason: waited };
    if (action === "fail")
      throw new WorkflowStepError(
        "human_timeout",
        this.agentId,
        `Step "${this.agentId}": ${waited}.`,
      );
    return { approved: true, value: action.value };
  }
}

function outputOf(answer: HumanAnswer & { timedOut: false }): HumanStepOutput {
  return {
    approved: answer.approved,
    ...(answer.value === undefined ? {} : { value: answer.value }),
    ...(answer.reason === undefined ? {} : { reason: answer.reason }),
  };
}
