import * as z from "zod";
import { ConfigError } from "../errors/config-error.js";
import { OutputValidationError } from "../errors/output-validation-error.js";

/** A JSON Schema, as plain data. */
export type JsonSchema = Record<string, unknown>;

/** An agent's output schema, ready to send to the provider and to check answers with. */
export interface OutputSchema {
  /** Sent to the provider as `responseFormat: { type: "json", schema }`. */
  jsonSchema: JsonSchema;
  /** Checks a parsed answer. */
  validator: z.ZodType;
}

/** True for a zod schema (from this or another copy of zod 4). */
export function isZodSchema(value: unknown): value is z.ZodType {
  return typeof value === "object" && value !== null && "_zod" in value;
}

/**
 * Prepares `outputSchema`: a JSON Schema object (files and TS) or a zod schema (TS only).
 * The schema must describe an object, as providers' structured output requires.
 * @throws ConfigError at `path` when the schema is not usable.
 */
export function prepareOutputSchema(schema: unknown, path: (string | number)[]): OutputSchema {
  if (isZodSchema(schema)) {
    let jsonSchema: JsonSchema;
    try {
      jsonSchema = z.toJSONSchema(schema, { target: "draft-7", unrepresentable: "any" });
    } catch (error) {
      throw new ConfigError([
        {
          path,
          message: `outputSchema cannot be turned into JSON Schema: ${(error as Error).message}`,
        },
      ]);
    }
    delete jsonSchema.$schema;
    if (jsonSchema.type !== "object") throw notAnObject(path, jsonSchema.type);
    return { jsonSchema, validator: schema };
  }
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) {
    throw new ConfigError([
      {
        path,
        message:
          "outputSchema must be a JSON Schema object (e.g. { type: object, properties: {...} }) or a zod schema.",
      },
    ]);
  }
  const jsonSchema = schema as JsonSchema;
  if (jsonSchema.type !== "object") throw notAnObject(path, jsonSchema.type);
  try {
    return { jsonSchema, validator: z.fromJSONSchema(jsonSchema) };
  } catch (error) {
    throw new ConfigError([
      {
        path,
        message: `outputSchema is not a valid JSON Schema: ${(error as Error).message}. Valid types: string, number, integer, boolean, object, array, null.`,
      },
    ]);
  }
}

function notAnObject(path: (string | number)[], type: unknown): ConfigError {
  return new ConfigError([
    {
      path,
      message: `outputSchema must describe an object (type: object), as providers' structured output requires; got type ${JSON.stringify(type) ?? "none"}.`,
    },
  ]);
}

/**
 * Parses and checks an agent's structured answer. A JSON answer wrapped in a Markdown code
 * fence is accepted.
 * @throws OutputValidationError when the answer is not JSON or does not match the schema.
 */
export function parseStructuredAnswer(
  text: string,
  schema: OutputSchema,
  agentId: string,
): unknown {
  const body = stripFence(text.trim());
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    throw new OutputValidationError(
      `Agent "${agentId}" has an outputSchema, but its answer is not JSON (${(error as Error).message}). Answer: ${preview(text)}`,
      text,
      [],
      { cause: error },
    );
  }
  const checked = schema.validator.safeParse(value);
  if (checked.success) return checked.data;
  const problems = checked.error.issues.map(
    (issue) => `${issue.path.length > 0 ? issue.path.join(".") : "(root)"}: ${issue.message}`,
  );
  throw new OutputValidationError(
    `Agent "${agentId}" answered JSON that does not match its outputSchema: ${problems.join("; ")}. Answer: ${preview(text)}`,
    text,
    problems,
  );
}

/**
 * The schema of the value at `fields` inside `schema`, following `properties` and `items`.
 * Returns `undefined` when the schema does not say (any field is allowed) and `null` when
 * the field certainly does not exist; with the names that do.
 */
export function schemaAt(
  schema: JsonSchema,
  fields: string[],
): { known: string[]; missing: string } | undefined {
  let current: JsonSchema = schema;
  for (const field of fields) {
    const properties = current.properties as Record<string, JsonSchema> | undefined;
    if (properties && typeof properties === "object" && Object.hasOwn(properties, field)) {
      current = properties[field]!;
      continue;
    }
    if (
      current.type === "array" &&
      /^\d+$/.test(field) &&
      typeof current.items === "object" &&
      current.items !== null
    ) {
      current = current.items as JsonSchema;
      continue;
    }
    if (
      properties &&
      current.additionalProperties !== true &&
      typeof current.additionalProperties !== "object"
    ) {
      return { known: Object.keys(properties), missing: field };
    }
    return undefined;
  }
  return undefined;
}

function stripFence(text: string): string {
  const fenced = /^```[A-Za-z]*\s*\n([\s\S]*?)\n?```$/.exec(text);
  return fenced ? fenced[1]! : text;
}

function preview(text: string): string {
  const flat = text.replace(/\s+/g, " ");
  return JSON.stringify(flat.length > 200 ? `${flat.slice(0, 200)}…` : flat);
}
