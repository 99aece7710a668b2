import type * as z from "zod";
import type { ConfigIssue } from "../errors/config-error.js";

/** Turns zod issues into config issues, each with its path, under an optional prefix. */
export function toConfigIssues(error: z.ZodError, prefix: (string | number)[] = []): ConfigIssue[] {
  return fromIssues(error.issues, prefix);
}

function fromIssues(
  issues: readonly z.core.$ZodIssue[],
  prefix: (string | number)[],
): ConfigIssue[] {
  return issues.flatMap((issue) => {
    const path = [
      ...prefix,
      ...issue.path.map((part) => (typeof part === "symbol" ? String(part) : part)),
    ];
    // A union where only one option is of the right shape: report that option's problems.
    if (issue.code === "invalid_union") {
      const shaped = issue.errors.filter(
        (branch) => !(branch.length === 1 && isShapeMiss(branch[0]!)),
      );
      if (shaped.length === 1) return fromIssues(shaped[0]!, path);
    }
    // Point at the unknown key itself, so file positions land on it.
    if (issue.code === "unrecognized_keys" && issue.keys.length === 1) path.push(issue.keys[0]!);
    return [{ path, message: describe(issue) }];
  });
}

/**
 * True when a union option failed only because the value is of another kind altogether: a
 * wrong type, or a literal (`false` in `retryPolicy: {...} | false`) of another type.
 */
function isShapeMiss(issue: z.core.$ZodIssue): boolean {
  if (issue.path.length > 0) return false;
  if (issue.code === "invalid_type") return true;
  return (
    issue.code === "invalid_value" &&
    issue.values.every((literal) => typeof literal !== typeof issue.input)
  );
}

function describe(issue: z.core.$ZodIssue): string {
  if (
    issue.code === "invalid_value" &&
    issue.input !== undefined &&
    !issue.message.includes(" got ") &&
    !issue.message.includes(JSON.stringify(issue.input) ?? "undefined")
  ) {
    return `${issue.message.replace(/\.$/, "")}; got ${describeValue(issue.input)}.`;
  }
  if (issue.code === "invalid_type" && issue.message.startsWith("Invalid input")) {
    return `Expected ${issue.expected}, got ${describeValue(issue.input)}.`;
  }
  return issue.message;
}

function describeValue(value: unknown): string {
  if (value === undefined) return "nothing (the key is required)";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string")
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${typeof value === "object" ? "" : JSON.stringify(value)}`.trim();
}
