import type { ConfigIssue } from "../errors/config-error.js";
import { STRUCTURED_OPERATORS } from "./condition.js";

const LEAF_KEYS = ["path", ...Object.keys(STRUCTURED_OPERATORS)];
const PATH = /^[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*$/;

/**
 * Checks the shape of a structured condition: `{ path, <one operator> }`, `{ all: [...] }`,
 * `{ any: [...] }` or `{ not: ... }`, with every problem at its path.
 */
export function checkStructuredCondition(value: unknown, path: (string | number)[]): ConfigIssue[] {
  if (typeof value === "string") {
    return value.trim().length > 0 ? [] : [{ path, message: "A condition must not be empty." }];
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return [
      {
        path,
        message: `A condition must be an expression string or an object such as { path: triage.category, equals: billing }; got ${Array.isArray(value) ? "a list" : JSON.stringify(value)}.`,
      },
    ];
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  for (const combinator of ["all", "any"] as const) {
    if (combinator in record) {
      if (keys.length > 1)
        return [
          {
            path,
            message: `A condition with "${combinator}" must have no other keys; found ${keys.join(", ")}.`,
          },
        ];
      const list = record[combinator];
      if (!Array.isArray(list) || list.length === 0)
        return [
          {
            path: [...path, combinator],
            message: `"${combinator}" must be a non-empty list of conditions.`,
          },
        ];
      return list.flatMap((item, index) =>
        checkStructuredCondition(item, [...path, combinator, index]),
      );
    }
  }
  if ("not" in record) {
    if (keys.length > 1)
      return [
        {
          path,
          message: `A condition with "not" must have no other keys; found ${keys.join(", ")}.`,
        },
      ];
    return checkStructuredCondition(record.not, [...path, "not"]);
  }
  const issues: ConfigIssue[] = [];
  const unknown = keys.filter((key) => !LEAF_KEYS.includes(key));
  if (unknown.length > 0) {
    issues.push({
      path: [...path, unknown[0]!],
      message: `Unknown ${unknown.length === 1 ? "key" : "keys"} ${unknown.map((key) => `"${key}"`).join(", ")} in a condition. Valid keys: ${LEAF_KEYS.join(", ")}, or all, any, not.`,
    });
  }
  if (typeof record.path !== "string" || !PATH.test(record.path)) {
    issues.push({
      path: [...path, "path"],
      message: 'A condition needs path: a dotted name such as "triage.category".',
    });
  }
  const operators = keys.filter((key) => key in STRUCTURED_OPERATORS);
  if (operators.length > 1)
    issues.push({
      path,
      message: `A condition takes one operator; found ${operators.join(", ")}. Combine conditions with all or any.`,
    });
  if ("in" in record && !Array.isArray(record.in))
    issues.push({ path: [...path, "in"], message: '"in" must be a list of values.' });
  if ("exists" in record && typeof record.exists !== "boolean")
    issues.push({ path: [...path, "exists"], message: '"exists" must be true or false.' });
  for (const key of ["greaterThan", "greaterThanOrEqual", "lessThan", "lessThanOrEqual"]) {
    if (key in record && typeof record[key] !== "number")
      issues.push({ path: [...path, key], message: `"${key}" must be a number.` });
  }
  return issues;
}
