import * as z from "zod";
import { ConfigError, type ConfigIssue } from "../errors/config-error.js";

const TYPE_NAMES = ["string", "number", "integer", "boolean", "object", "array"] as const;

/**
 * A team's run input, declared: a map of names to a type (`{ query: string, limit: integer }`),
 * or a JSON Schema of an object (`{ type: object, properties: {...}, required: [...] }`).
 * In the map form every name is required; a value may also be a JSON Schema
 * (`{ type: string, description: ... }`).
 */
export const inputsSchema = z
  .record(z.string(), z.unknown(), {
    error:
      "inputs must be a map of input names to types (e.g. { query: string }) or a JSON Schema of an object.",
  })
  .superRefine((inputs, context) => {
    try {
      inputsJsonSchema(inputs);
    } catch (error) {
      if (!ConfigError.isInstance(error)) throw error;
      for (const issue of error.issues)
        context.addIssue({ code: "custom", path: issue.path, message: issue.message });
    }
  });

/** The run input a team expects when it declares none: `{ query: string }`. */
export const DEFAULT_INPUTS = { query: "string" } as const;

/** A team's `inputs` as users write them. */
export type TeamInputs = z.input<typeof inputsSchema>;

/**
 * The declared inputs as a JSON Schema of an object.
 * @throws ConfigError at the bad entry's path, naming the valid types.
 */
export function inputsJsonSchema(inputs: TeamInputs): Record<string, unknown> {
  if (inputs.type === "object" && typeof inputs.properties === "object") {
    checkSchema(inputs, []);
    return inputs;
  }
  const properties: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(inputs)) {
    if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(name)) {
      throw new ConfigError([
        {
          path: [name],
          message: `Input name "${name}" must start with a letter and contain only letters, digits, "_" and "-".`,
        },
      ]);
    }
    if (typeof value === "string") {
      if (!(TYPE_NAMES as readonly string[]).includes(value)) {
        throw new ConfigError([
          {
            path: [name],
            message: `Unknown input type ${JSON.stringify(value)}. Valid types: ${TYPE_NAMES.join(", ")} (or a JSON Schema).`,
          },
        ]);
      }
      properties[name] = { type: value };
    } else {
      checkSchema(value, [name]);
      properties[name] = value;
    }
  }
  return { type: "object", properties, required: Object.keys(properties) };
}

function checkSchema(value: unknown, path: string[]): void {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ConfigError([
      {
        path,
        message: `An input must be a type name (${TYPE_NAMES.join(", ")}) or a JSON Schema object.`,
      },
    ]);
  }
  try {
    z.fromJSONSchema(value as Record<string, unknown>);
  } catch (error) {
    throw new ConfigError([
      { path, message: `Not a valid JSON Schema: ${(error as Error).message}.` },
    ]);
  }
}

/** The names a team's prompts may read from the run input. */
export function inputNames(inputs: TeamInputs | undefined): string[] {
  const schema = inputsJsonSchema(inputs ?? DEFAULT_INPUTS);
  return Object.keys(schema.properties as Record<string, unknown>);
}

/**
 * Checks a run input against the team's declared `inputs` (the run-start check).
 * @returns a checker that throws ConfigError listing every missing or wrong value.
 */
export function runInputChecker(
  teamId: string,
  inputs: TeamInputs,
): (values: Record<string, unknown>) => void {
  const schema = inputsJsonSchema(inputs);
  const validator = z.fromJSONSchema(schema);
  const names = Object.keys(schema.properties as Record<string, unknown>);
  return (values) => {
    const parsed = validator.safeParse(values);
    if (parsed.success) return;
    const issues: ConfigIssue[] = parsed.error.issues.map((issue) => ({
      path: ["input", ...issue.path.map(String)],
      message: `${issue.message}. Team "${teamId}" declares the inputs: ${names.join(", ")}.`,
    }));
    throw new ConfigError(issues);
  };
}
