/**
 * Edge conditions (`when`): a small expression language parsed once at load time and
 * evaluated without `eval`. Paths read the run's variables: the run input (`query`) and
 * agents' outputs (`triage`, `triage.category`).
 */

import { ownValue } from "../agents/template.js";
import {
  ConditionSyntaxError,
  MAX_CONDITION_DEPTH,
  MAX_CONDITION_LENGTH,
  parseCondition,
  type CompareOperator,
  type Condition,
} from "./parse-condition.js";

export {
  ConditionSyntaxError,
  MAX_CONDITION_DEPTH,
  MAX_CONDITION_LENGTH,
  parseCondition,
  type CompareOperator,
  type Condition,
};

/** A condition as data: `{ path, equals }`, `{ all: [...] }`, `{ any: [...] }`, `{ not: ... }`. */
export type StructuredCondition =
  | {
      /** Dotted path, e.g. `triage.category`. */
      path: string;
      equals?: unknown;
      notEquals?: unknown;
      in?: unknown[];
      contains?: unknown;
      exists?: boolean;
      greaterThan?: number;
      greaterThanOrEqual?: number;
      lessThan?: number;
      lessThanOrEqual?: number;
    }
  | { all: ConditionConfig[] }
  | { any: ConditionConfig[] }
  | { not: ConditionConfig };

/** A `when` as written: an expression string or a structured condition. */
export type ConditionConfig = string | StructuredCondition;

/** The operators of structured leaf conditions, mapped to expression operators. */
export const STRUCTURED_OPERATORS = {
  equals: "==",
  notEquals: "!=",
  in: "in",
  contains: "contains",
  greaterThan: ">",
  greaterThanOrEqual: ">=",
  lessThan: "<",
  lessThanOrEqual: "<=",
  exists: "exists",
} as const;

const VALID_SYNTAX =
  'Valid: paths (triage.category), "strings", numbers, true, false, null, [lists], ==, !=, <, <=, >, >=, contains, in, and (&&), or (||), not (!), parentheses.';

/** The syntax summary used in error messages. */
export function conditionSyntaxHelp(): string {
  return VALID_SYNTAX;
}

/** Turns a `when` (string or structured) into a condition. @throws ConditionSyntaxError */
export function compileCondition(config: ConditionConfig): Condition {
  if (typeof config === "string") return parseCondition(config);
  if ("all" in config)
    return combine(config.all.map(compileCondition), "and", { kind: "literal", value: true });
  if ("any" in config)
    return combine(config.any.map(compileCondition), "or", { kind: "literal", value: false });
  if ("not" in config) return { kind: "not", operand: compileCondition(config.not) };
  const path = config.path.split(".");
  for (const [key, operator] of Object.entries(STRUCTURED_OPERATORS)) {
    if (!(key in config)) continue;
    const operand = (config as Record<string, unknown>)[key];
    if (operator === "exists") {
      const exists: Condition = { kind: "exists", path };
      return operand === false ? { kind: "not", operand: exists } : exists;
    }
    return {
      kind: "compare",
      operator,
      left: { kind: "path", path },
      right: { kind: "literal", value: operand },
    };
  }
  return { kind: "path", path };
}

function combine(parts: Condition[], kind: "and" | "or", empty: Condition): Condition {
  if (parts.length === 0) return empty;
  return parts.reduce((left, right) => ({ kind, left, right }));
}

/** Every variable path a condition reads. */
export function conditionPaths(condition: Condition): string[][] {
  switch (condition.kind) {
    case "literal":
      return [];
    case "path":
    case "exists":
      return [condition.path];
    case "not":
      return conditionPaths(condition.operand);
    default:
      return [...conditionPaths(condition.left), ...conditionPaths(condition.right)];
  }
}

/** Evaluates a condition against the run's variables. Never throws. */
export function evaluateCondition(
  condition: Condition,
  variables: Record<string, unknown>,
): boolean {
  return truthy(valueOf(condition, variables));
}

function valueOf(condition: Condition, variables: Record<string, unknown>): unknown {
  switch (condition.kind) {
    case "literal":
      return condition.value;
    case "path":
      return read(variables, condition.path);
    case "exists":
      return read(variables, condition.path) !== undefined;
    case "not":
      return !truthy(valueOf(condition.operand, variables));
    case "and":
      return (
        truthy(valueOf(condition.left, variables)) && truthy(valueOf(condition.right, variables))
      );
    case "or":
      return (
        truthy(valueOf(condition.left, variables)) || truthy(valueOf(condition.right, variables))
      );
    case "compare":
      return compare(
        condition.operator,
        valueOf(condition.left, variables),
        valueOf(condition.right, variables),
      );
  }
}

function read(variables: Record<string, unknown>, path: string[]): unknown {
  let value: unknown = variables;
  for (const key of path) {
    value = ownValue(value, key);
    if (value === undefined) return undefined;
  }
  return value;
}

function compare(operator: CompareOperator, left: unknown, right: unknown): boolean {
  switch (operator) {
    case "==":
      return same(left, right);
    case "!=":
      return !same(left, right);
    case "contains":
      if (typeof left === "string" && typeof right === "string") return left.includes(right);
      return Array.isArray(left) && left.some((item) => same(item, right));
    case "in":
      if (typeof left === "string" && typeof right === "string") return right.includes(left);
      return Array.isArray(right) && right.some((item) => same(item, left));
    default: {
      const comparable =
        (typeof left === "number" && typeof right === "number") ||
        (typeof left === "string" && typeof right === "string");
      if (!comparable) return false;
      const [a, b] = [left, right];
      return operator === "<"
        ? a < b
        : operator === "<="
          ? a <= b
          : operator === ">"
            ? a > b
            : a >= b;
    }
  }
}

function same(left: unknown, right: unknown): boolean {
  if (left === right) return true;
  if (typeof left !== "object" || typeof right !== "object" || left === null || right === null)
    return false;
  return JSON.stringify(left) === JSON.stringify(right);
}

function truthy(value: unknown): boolean {
  return Boolean(value);
}

/** Writes a condition back as an expression, for messages and reports. */
export function formatCondition(condition: Condition): string {
  switch (condition.kind) {
    case "literal":
      return JSON.stringify(condition.value);
    case "path":
      return condition.path.join(".");
    case "exists":
      return `exists(${condition.path.join(".")})`;
    case "not":
      return `not ${wrap(condition.operand)}`;
    case "and":
    case "or":
      return `${wrap(condition.left)} ${condition.kind} ${wrap(condition.right)}`;
    case "compare":
      return `${formatCondition(condition.left)} ${condition.operator} ${formatCondition(condition.right)}`;
  }
}

function wrap(condition: Condition): string {
  return condition.kind === "and" || condition.kind === "or"
    ? `(${formatCondition(condition)})`
    : formatCondition(condition);
}
