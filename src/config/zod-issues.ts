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
        (branch) =>
          !(
            branch.length === 1 &&
            branch[0]!.code === "invalid_type" &&
            branch[0].path.length === 0
          ),
      );
      if (shaped.length === 1) return fromIssues(shaped[0]!, path);
    }
    // Point at the unknown key itself, so file positions land on it.
    if (issue.code === "unrecognized_keys" && issue.keys.length === 1) path.push(issue.keys[0]!);
    return [{ path, message: describe(issue) }];
  });
}

function describe(issue: z.core.$ZodIssue): string {
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
