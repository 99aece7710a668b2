import type { JSONSchema7, JSONSchema7Definition } from "@ai-sdk/provider";

type JSONSchema7TypeName = Extract<NonNullable<JSONSchema7["type"]>, string>;
import type { GbnfJsonSchema } from "node-llama-cpp";

type Schema = Record<string, unknown>;

const IMMUTABLE_TYPES = new Set(["string", "number", "integer", "boolean", "null"]);
const STRING_FORMATS = new Set(["date-time", "time", "date"]);
/** What `true` / `{}` ("any value") becomes: a grammar cannot allow any JSON, so any scalar. */
const ANY_SCALAR: Schema = { type: ["string", "number", "boolean", "null"] };

/**
 * Converts a JSON Schema (draft 7, as the AI SDK passes it) to the subset node-llama-cpp turns
 * into a grammar. Keeps types, properties, required, enum, const, items, prefixItems, min/max
 * items, string length and date formats, `$defs`/`definitions` references and descriptions;
 * `anyOf` becomes `oneOf`. Drops what a grammar cannot enforce (`minimum`, `pattern`, `title`...).
 * Objects without `additionalProperties` get `false`, so the model writes exactly the declared keys.
 */
export function toGrammarSchema(schema: JSONSchema7Definition | undefined): GbnfJsonSchema {
  if (schema === undefined || typeof schema === "boolean") return ANY_SCALAR as GbnfJsonSchema;
  const definitions = {
    ...(schema.definitions ?? {}),
    ...((schema as { $defs?: Record<string, JSONSchema7Definition> }).$defs ?? {}),
  };
  const converted = convert(schema);
  if (Object.keys(definitions).length > 0) {
    converted.$defs = Object.fromEntries(
      Object.entries(definitions).map(([name, definition]) => [
        name,
        convertDefinition(definition),
      ]),
    );
  }
  return converted as GbnfJsonSchema;
}

function convertDefinition(definition: JSONSchema7Definition): Schema {
  return typeof definition === "boolean" ? ANY_SCALAR : convert(definition);
}

function convert(schema: JSONSchema7): Schema {
  const described = (result: Schema): Schema =>
    schema.description ? { ...result, description: schema.description } : result;

  if (schema.$ref !== undefined)
    return described({ $ref: schema.$ref.replace("#/definitions/", "#/$defs/") });
  if (schema.const !== undefined) return described({ const: schema.const });
  if (schema.enum !== undefined) return described({ enum: schema.enum });
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (alternatives) return described({ oneOf: alternatives.map(convertDefinition) });
  if (schema.allOf) return convert(mergeAll(schema));

  const types =
    schema.type === undefined
      ? inferTypes(schema)
      : Array.isArray(schema.type)
        ? schema.type
        : [schema.type];
  if (types.length === 0) return described(ANY_SCALAR);
  if (types.length > 1) {
    if (types.every((type) => IMMUTABLE_TYPES.has(type))) return described({ type: types });
    return described({ oneOf: types.map((type) => convert({ ...schema, type })) });
  }
  const type = types[0]!;
  switch (type) {
    case "object": {
      const properties = Object.fromEntries(
        Object.entries(schema.properties ?? {}).map(([key, value]) => [
          key,
          convertDefinition(value),
        ]),
      );
      const additional = schema.additionalProperties;
      return described({
        type: "object",
        properties,
        ...(schema.required ? { required: schema.required } : {}),
        additionalProperties:
          additional === undefined || additional === false
            ? false
            : additional === true
              ? ANY_SCALAR
              : convert(additional),
        ...(schema.minProperties !== undefined ? { minProperties: schema.minProperties } : {}),
        ...(schema.maxProperties !== undefined ? { maxProperties: schema.maxProperties } : {}),
      });
    }
    case "array": {
      const items = Array.isArray(schema.items) ? undefined : schema.items;
      const prefixItems = Array.isArray(schema.items)
        ? schema.items
        : (schema as { prefixItems?: JSONSchema7Definition[] }).prefixItems;
      return described({
        type: "array",
        ...(items !== undefined ? { items: convertDefinition(items) } : {}),
        ...(prefixItems ? { prefixItems: prefixItems.map(convertDefinition) } : {}),
        ...(schema.minItems !== undefined ? { minItems: schema.minItems } : {}),
        ...(schema.maxItems !== undefined ? { maxItems: schema.maxItems } : {}),
      });
    }
    case "string":
      if (schema.format && STRING_FORMATS.has(schema.format))
        return described({ type: "string", format: schema.format });
      return described({
        type: "string",
        ...(schema.minLength !== undefined ? { minLength: schema.minLength } : {}),
        ...(schema.maxLength !== undefined ? { maxLength: schema.maxLength } : {}),
      });
    default:
      return described({ type });
  }
}

function inferTypes(schema: JSONSchema7): JSONSchema7TypeName[] {
  if (schema.properties !== undefined || schema.additionalProperties !== undefined)
    return ["object"];
  if (schema.items !== undefined) return ["array"];
  return [];
}

/** `allOf` of object schemas, merged into one (properties and required lists combined). */
function mergeAll(schema: JSONSchema7): JSONSchema7 {
  const { allOf = [], ...rest } = schema;
  const merged: JSONSchema7 = { ...rest };
  for (const part of allOf) {
    if (typeof part === "boolean") continue;
    const inner = part.allOf ? mergeAll(part) : part;
    merged.type ??= inner.type;
    merged.properties = { ...(merged.properties ?? {}), ...(inner.properties ?? {}) };
    merged.required = [...(merged.required ?? []), ...(inner.required ?? [])];
    if (inner.additionalProperties !== undefined)
      merged.additionalProperties = inner.additionalProperties;
  }
  return merged;
}
