import type { ConfigIssue } from "../errors/config-error.js";
import { checkStructuredCondition } from "./check-condition.js";
import {
  compileCondition,
  conditionSyntaxHelp,
  ConditionSyntaxError,
  type Condition,
  type ConditionConfig,
} from "./condition.js";

/** Compiles a `when`; its problems go to `issues` (with `path`), and the result is undefined then. */
export function compileWhen(
  config: ConditionConfig,
  path: (string | number)[],
  issues: ConfigIssue[],
): Condition | undefined {
  if (typeof config !== "string") {
    const problems = checkStructuredCondition(config, path);
    if (problems.length > 0) {
      issues.push(...problems);
      return undefined;
    }
  }
  try {
    return compileCondition(config);
  } catch (error) {
    if (!(error instanceof ConditionSyntaxError)) throw error;
    issues.push({
      path,
      message: `Invalid condition ${preview(JSON.stringify(config))}: ${error.message}. ${conditionSyntaxHelp()}`,
    });
    return undefined;
  }
}

/** Text cut to 80 characters for a message. */
function preview(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
