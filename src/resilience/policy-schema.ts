import * as z from "zod";
import { toConfigIssues } from "../config/zod-issues.js";
import { ConfigError } from "../errors/config-error.js";

/** A whole number in `[min, max]`, with a message that says so. */
export function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER) {
  const message =
    max === Number.MAX_SAFE_INTEGER
      ? `must be a whole number >= ${min}`
      : `must be a whole number from ${min} to ${max}`;
  return z
    .number({ error: message })
    .int({ error: message })
    .min(min, { error: message })
    .max(max, { error: message });
}

/** A number `>= min` (or `> min` when `exclusive`), with a message that says so. */
export function numberAtLeast(min: number, options: { exclusive?: boolean; max?: number } = {}) {
  const bound = `${options.exclusive ? ">" : ">="} ${min}${options.max === undefined ? "" : ` and <= ${options.max}`}`;
  const message = `must be a number ${bound}`;
  const base = z.number({ error: message });
  const lower = options.exclusive
    ? base.gt(min, { error: message })
    : base.min(min, { error: message });
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
  throw new ConfigError(toConfigIssues(result.error, path));
}

/** Copies the fields of `from` that are not `undefined` onto `into`. */
export function assignDefined<T extends object>(into: T, from: Partial<T>): T {
  for (const [key, value] of Object.entries(from)) {
    if (value !== undefined) (into as Record<string, unknown>)[key] = value;
  }
  return into;
}
