import { z } from "zod";
import { ConfigError, type ConfigIssue } from "../errors/config-error.js";

/**
 * A strict object schema for a policy: unknown keys are errors that name the valid keys.
 * Every field is optional (defaults are applied once, when policies are resolved).
 */
export function strictPolicyObject<Shape extends z.ZodRawShape>(name: string, shape: Shape) {
  const validKeys = Object.keys(shape).join(", ");
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === "unrecognized_keys") {
        const keys = issue.keys.map((key) => `"${key}"`).join(", ");
        return `Unknown key${issue.keys.length > 1 ? "s" : ""} ${keys} in ${name}. Valid keys: ${validKeys}.`;
      }
      if (issue.code === "invalid_type") return `${name} must be an object with keys: ${validKeys}.`;
      return undefined;
    },
  });
}

/** A whole number in `[min, max]`, with a message that says so. */
export function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER) {
  const message = max === Number.MAX_SAFE_INTEGER ? `must be a whole number >= ${min}` : `must be a whole number from ${min} to ${max}`;
  return z.number({ error: message }).int({ error: message }).min(min, { error: message }).max(max, { error: message });
}

/** A number `>= min` (or `> min` when `exclusive`), with a message that says so. */
export function numberAtLeast(min: number, options: { exclusive?: boolean; max?: number } = {}) {
  const bound = `${options.exclusive ? ">" : ">="} ${min}${options.max === undefined ? "" : ` and <= ${options.max}`}`;
  const message = `must be a number ${bound}`;
  const base = z.number({ error: message });
  const lower = options.exclusive ? base.gt(min, { error: message }) : base.min(min, { error: message });
  return options.max === undefined ? lower : lower.max(options.max, { error: message });
}

/** A callback (only in TypeScript config; JSON and YAML cannot hold functions). */
export function callback<Fn>() {
  return z.custom<Fn>((value) => typeof value === "function", { error: "must be a function" });
}

/** Validates one policy layer, throwing a {@link ConfigError} whose issues are under `path`. */
export function parsePolicy<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
  path: (string | number)[],
): z.output<Schema> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues: ConfigIssue[] = result.error.issues.map((issue) => ({
    path: [...path, ...issue.path.map((part) => (typeof part === "symbol" ? String(part) : part))],
    message: issue.message,
  }));
  throw new ConfigError(issues);
}

/** Copies the fields of `from` that are not `undefined` onto `into`. */
export function assignDefined<T extends object>(into: T, from: Partial<T>): T {
  for (const [key, value] of Object.entries(from)) {
    if (value !== undefined) (into as Record<string, unknown>)[key] = value;
  }
  return into;
}
