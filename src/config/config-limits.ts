import type { ConfigIssue } from "../errors/config-error.js";

/**
 * Limits on the size of a team configuration, so a hostile or broken file fails at once with
 * a clear error instead of taking seconds or gigabytes (documented in docs/configuration.md).
 */
export const CONFIG_LIMITS = {
  /** Largest team or group file, in bytes (1 MiB). */
  maxFileBytes: 1024 * 1024,
  /** Most agents in one team. */
  maxAgents: 1_000,
  /** Longest string value (a prompt, a description...), in characters. */
  maxStringLength: 200_000,
  /** Most values in an `enum` (in an outputSchema or an `inputs` schema). */
  maxEnumValues: 1_000,
  /** Most items in any other list. */
  maxListLength: 10_000,
  /** Deepest nesting of maps and lists (nested teams, schemas, conditions). */
  maxDepth: 64,
  /** Most YAML aliases (`*name`) in a file: a guard against alias bombs. */
  maxAliases: 100,
} as const;

/**
 * Checks a configuration value against {@link CONFIG_LIMITS} and for `__proto__` keys,
 * without recursion (a deeply nested value cannot overflow the stack). Objects that are not
 * plain data (zod schemas, tool definitions, teams) are not entered.
 * @returns every problem, each with its path.
 */
export function checkConfigLimits(value: unknown, prefix: (string | number)[] = []): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value, path: prefix }];
  while (stack.length > 0 && issues.length < 20) {
    const { value: current, path } = stack.pop()!;
    if (typeof current === "string") {
      if (current.length > CONFIG_LIMITS.maxStringLength)
        issues.push({
          path,
          message: `This string is ${current.length} characters long; the limit is ${CONFIG_LIMITS.maxStringLength}.`,
        });
      continue;
    }
    if (typeof current !== "object" || current === null) continue;
    const prototype = Object.getPrototypeOf(current) as unknown;
    const array = Array.isArray(current);
    if (!array && prototype !== Object.prototype && prototype !== null) continue;
    if (path.length - prefix.length >= CONFIG_LIMITS.maxDepth) {
      issues.push({
        path,
        message: `The configuration is nested deeper than ${CONFIG_LIMITS.maxDepth} levels here.`,
      });
      continue;
    }
    if (array) {
      const isEnum = path.at(-1) === "enum";
      const limit = isEnum ? CONFIG_LIMITS.maxEnumValues : CONFIG_LIMITS.maxListLength;
      if (current.length > limit) {
        issues.push({
          path,
          message: `This ${isEnum ? "enum" : "list"} has ${current.length} items; the limit is ${limit}.`,
        });
        continue;
      }
      current.forEach((item, index) => stack.push({ value: item, path: [...path, index] }));
      continue;
    }
    for (const key of Object.keys(current)) {
      if (key === "__proto__") {
        issues.push({
          path: [...path, key],
          message: 'The key "__proto__" is not allowed in a configuration.',
        });
        continue;
      }
      stack.push({ value: (current as Record<string, unknown>)[key], path: [...path, key] });
    }
  }
  return issues;
}
