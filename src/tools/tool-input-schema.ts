import type { JSONSchema7 } from "@ai-sdk/provider";
import { ConfigError } from "../errors/config-error.js";

/** One problem a schema found in a value (Standard Schema's issue shape). */
export interface SchemaIssue {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}

/** What a schema's `validate` returns (Standard Schema's result shape). */
export type SchemaValidationResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: ReadonlyArray<SchemaIssue> };

/**
 * A schema for tool arguments: any [Standard Schema](https://standardschema.dev) that can also
 * describe itself as JSON Schema (Standard JSON Schema), such as a zod 4 schema.
 * The handler's argument type is the schema's output type.
 */
export interface ToolInputSchema<Output = unknown> {
  readonly "~standard": {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (
      value: unknown,
    ) => SchemaValidationResult<Output> | Promise<SchemaValidationResult<Output>>;
    readonly jsonSchema?: {
      readonly input: (options: { readonly target: string }) => Record<string, unknown>;
    };
    readonly types?: { readonly input: unknown; readonly output: Output } | undefined;
  };
}

/** The argument type a {@link ToolInputSchema} produces. */
export type InferToolInput<Schema extends ToolInputSchema> = NonNullable<
  Schema["~standard"]["types"]
>["output"];

/**
 * The JSON Schema of a tool's arguments, as models receive it: draft-07, no `$schema` key,
 * an object at the top level.
 *
 * @throws ConfigError when the schema cannot give a JSON Schema or does not describe an object.
 */
export function argumentsJSONSchema(schema: ToolInputSchema, toolName: string): JSONSchema7 {
  const converter = schema["~standard"].jsonSchema;
  if (!converter) {
    throw new ConfigError(
      `Tool "${toolName}": the parameters schema (${schema["~standard"].vendor}) cannot describe itself as JSON Schema. Use a zod 4 schema or another Standard JSON Schema.`,
    );
  }
  let json: Record<string, unknown>;
  try {
    json = converter.input({ target: "draft-07" });
  } catch (error) {
    throw new ConfigError(
      `Tool "${toolName}": the parameters schema cannot be written as JSON Schema: ${messageOf(error)}`,
      {
        cause: error,
      },
    );
  }
  const { $schema: _ignored, ...rest } = withoutSafeIntegerBounds(json) as Record<string, unknown>;
  if (rest.type !== "object") {
    throw new ConfigError(
      `Tool "${toolName}": parameters must describe an object (got ${JSON.stringify(rest.type ?? "no type")}). Wrap them: z.object({ ... }).`,
    );
  }
  if (rest.properties === undefined) rest.properties = {};
  return rest;
}

/**
 * Drops the `minimum`/`maximum` of ±`Number.MAX_SAFE_INTEGER` that zod writes for every
 * integer: they say nothing to a model and cost prompt tokens. Returns a copy.
 */
export function withoutSafeIntegerBounds(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map((item) => withoutSafeIntegerBounds(item));
  if (typeof schema !== "object" || schema === null) return schema;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "minimum" && value === Number.MIN_SAFE_INTEGER) continue;
    if (key === "maximum" && value === Number.MAX_SAFE_INTEGER) continue;
    // The values of `default`, `enum`, `const` and `examples` are data, not schemas.
    copy[key] =
      key === "default" || key === "enum" || key === "const" || key === "examples"
        ? value
        : withoutSafeIntegerBounds(value);
  }
  return copy;
}

/** Formats issues as `path: message` lines, one per issue (`(arguments)` for the root). */
export function formatSchemaIssues(issues: ReadonlyArray<SchemaIssue>): string[] {
  return issues.map((issue) => {
    const path = (issue.path ?? [])
      .map((segment) =>
        String(typeof segment === "object" && segment !== null ? segment.key : segment),
      )
      .join(".");
    return `${path === "" ? "(arguments)" : path}: ${issue.message}`;
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
