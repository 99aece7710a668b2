import * as z from "zod";
import type { ConfigIssue } from "../errors/config-error.js";
import { ConfigError } from "../errors/config-error.js";
import { compileExpression } from "./jsonata-expression.js";
import { STEP_DEFAULTS, type HttpStepConfig, type HumanStepConfig } from "./step-config.js";

/** What {@link checkStepSettings} reads of an agent. */
interface StepSettings {
  transform?: { expression: string; timeoutMs?: number | undefined } | undefined;
  http?: Pick<HttpStepConfig, "response" | "body" | "json" | "method"> | undefined;
  human?: Pick<HumanStepConfig, "form" | "onTimeout"> | undefined;
}

/**
 * The checks of workflow-step settings that the schema cannot express: JSONata expressions
 * compile, a human task's form is a usable JSON Schema and its fallback answer fits it.
 */
export function checkStepSettings(agent: StepSettings): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const compiles = (source: string, path: (string | number)[]): void => {
    try {
      compileExpression(source, path, { timeoutMs: STEP_DEFAULTS.transformTimeoutMs });
    } catch (error) {
      if (!ConfigError.isInstance(error)) throw error;
      issues.push(...error.issues);
    }
  };
  if (agent.transform) compiles(agent.transform.expression, ["transform", "expression"]);
  if (agent.http?.response !== undefined) compiles(agent.http.response, ["http", "response"]);
  if (agent.http?.body !== undefined && agent.http.json !== undefined)
    issues.push({ path: ["http", "json"], message: "Give either body (text) or json, not both." });
  if (agent.human?.form !== undefined) {
    const form = formValidator(agent.human.form);
    if (typeof form === "string") issues.push({ path: ["human", "form"], message: form });
    const onTimeout = agent.human.onTimeout;
    if (typeof form !== "string" && typeof onTimeout === "object") {
      const problem = formProblem(form, onTimeout.value);
      if (problem)
        issues.push({
          path: ["human", "onTimeout", "value"],
          message: `The fallback answer does not match the form: ${problem}`,
        });
    }
  }
  return issues;
}

/** A validator of a human task's form, or the reason the form is not a usable JSON Schema. */
export function formValidator(form: Record<string, unknown>): z.ZodType | string {
  try {
    return z.fromJSONSchema(form);
  } catch (error) {
    return `form is not a valid JSON Schema: ${(error as Error).message}. Valid types: string, number, integer, boolean, object, array, null.`;
  }
}

/** What is wrong with an answer, in words (paths and zod's messages), or `undefined` when it fits. */
export function formProblem(validator: z.ZodType, value: unknown): string | undefined {
  const parsed = validator.safeParse(value);
  if (parsed.success) return undefined;
  return parsed.error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? `${issue.path.join(".")}: ` : ""}${issue.message}`)
    .join("; ");
}
