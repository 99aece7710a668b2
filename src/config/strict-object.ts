import * as z from "zod";

/**
 * A zod object that rejects unknown keys with a message listing the valid ones,
 * so a typo is never silently dropped.
 */
export function strictObject<Shape extends z.ZodRawShape>(shape: Shape, what: string) {
  const valid = Object.keys(shape).join(", ");
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== "unrecognized_keys") return undefined;
      const keys = issue.keys.map((key) => `"${key}"`).join(", ");
      return `Unknown ${issue.keys.length === 1 ? "key" : "keys"} ${keys} in ${what}. Valid keys: ${valid}.`;
    },
  });
}

/** A name usable as an id and as a template variable: a letter, then letters, digits, `_`, `-`. */
export const identifierSchema = (what: string) =>
  z
    .string({ error: `${what} must be a string.` })
    .min(1, `${what} must not be empty.`)
    .refine((value) => !value.startsWith("_"), {
      message: `${what} must not start with "_": names starting with "_" are reserved for llmteam.`,
    })
    .refine((value) => value.startsWith("_") || /^[A-Za-z][A-Za-z0-9_-]*$/.test(value), {
      message: `${what} may contain letters, digits, "_" and "-", and must start with a letter.`,
    });
