import {
  compileExpression,
  expressionErrorMessage,
  type JsonataExpression,
} from "../../agents/jsonata-expression.js";
import { STEP_DEFAULTS, type TransformStepConfig } from "../../agents/step-config.js";
import { WorkflowStepError } from "../../errors/workflow-step-error.js";
import type { StepOutcome, StepRun, WorkflowStep } from "../../run/workflow-step.js";

/**
 * A `transform` step: a JSONata expression over the run's variables (the input and earlier
 * outputs by name). Its value, as JSON, is the step's output. The input and output are bounded
 * in size, the evaluation in time, recursion and sequence length; JSONata has no `eval` and no
 * access to code, files or the network.
 */
export class TransformStep implements WorkflowStep {
  readonly kind = "transform";
  private readonly expression: JsonataExpression;
  private readonly maxInputBytes: number;
  private readonly maxOutputBytes: number;

  /** @throws ConfigError when the expression does not compile. */
  constructor(
    private readonly agentId: string,
    config: TransformStepConfig,
  ) {
    this.expression = compileExpression(config.expression, ["transform", "expression"], {
      timeoutMs: config.timeoutMs ?? STEP_DEFAULTS.transformTimeoutMs,
    });
    this.maxInputBytes = config.maxInputBytes ?? STEP_DEFAULTS.transformMaxInputBytes;
    this.maxOutputBytes = config.maxOutputBytes ?? STEP_DEFAULTS.transformMaxOutputBytes;
  }

  async run(run: StepRun): Promise<StepOutcome> {
    const input = boundedJson(run.variables, this.maxInputBytes, this.agentId, "input");
    return {
      output: await evaluateBounded(this.expression, input, this.maxOutputBytes, this.agentId),
    };
  }
}

/**
 * Evaluates `expression` on a copy of `input` (plain JSON data), and returns its value as plain
 * JSON (`null` when it matched nothing) within `maxOutputBytes`.
 * @throws WorkflowStepError (`expression` or `too_large`).
 */
export async function evaluateBounded(
  expression: JsonataExpression,
  input: unknown,
  maxOutputBytes: number,
  agentId: string,
): Promise<unknown> {
  let value: unknown;
  try {
    value = await expression.evaluate(input);
  } catch (error) {
    throw new WorkflowStepError(
      "expression",
      agentId,
      `Step "${agentId}": the JSONata expression failed: ${expressionErrorMessage(error)}.`,
      { cause: error },
    );
  }
  return boundedJson(value ?? null, maxOutputBytes, agentId, "output");
}

/** `value` as plain JSON data (a copy), when its JSON text fits in `maxBytes`. @throws WorkflowStepError */
function boundedJson(value: unknown, maxBytes: number, agentId: string, what: string): unknown {
  const text = JSON.stringify(value) ?? "null";
  const bytes = Buffer.byteLength(text);
  if (bytes > maxBytes) {
    throw new WorkflowStepError(
      "too_large",
      agentId,
      `Step "${agentId}": the transform's ${what} is ${bytes} bytes of JSON; the limit is ${maxBytes} (max${what === "input" ? "Input" : "Output"}Bytes).`,
    );
  }
  return JSON.parse(text) as unknown;
}
