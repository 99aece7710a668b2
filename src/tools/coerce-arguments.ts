import type { JSONSchema7, JSONSchema7Definition } from "@ai-sdk/provider";

const INTEGER_TEXT = /^-?\d+$/;
const NUMBER_TEXT = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/**
 * Converts string values the model wrote where the schema wants a number, an integer or a
 * boolean: `"42"` → 42, `"2.5"` → 2.5, `"true"` → true. Only where the conversion is
 * unambiguous: never when the schema also accepts a string there, never for text that is not
 * exactly a number (`"0x10"`, `" 4"`, `"1,5"`) or exactly `true`/`false`.
 * Returns the same object when nothing changes (copy on write).
 */
export function coerceArguments(
  value: unknown,
  schema: JSONSchema7Definition | undefined,
): unknown {
  if (schema === undefined || typeof schema === "boolean") return value;
  if (typeof value === "string") return coerceText(value, schema);
  if (Array.isArray(value)) return coerceArray(value, schema);
  if (typeof value === "object" && value !== null)
    return coerceObject(value as Record<string, unknown>, schema);
  return value;
}

function coerceText(text: string, schema: JSONSchema7): unknown {
  const types = allowedTypes(schema);
  if (types === undefined || types.has("string")) return text;
  if (types.has("integer") && INTEGER_TEXT.test(text)) {
    const number = Number(text);
    if (Number.isSafeInteger(number)) return number;
  }
  if (types.has("number") && NUMBER_TEXT.test(text)) {
    const number = Number(text);
    if (Number.isFinite(number)) return number;
  }
  if (types.has("boolean")) {
    const lower = text.toLowerCase();
    if (lower === "true") return true;
    if (lower === "false") return false;
  }
  return text;
}

function coerceArray(items: unknown[], schema: JSONSchema7): unknown {
  const itemSchema = singleBranch(schema, "array")?.items;
  if (itemSchema === undefined || Array.isArray(itemSchema)) return items;
  let copy: unknown[] | undefined;
  for (let index = 0; index < items.length; index++) {
    const item = items[index];
    const coerced = coerceArguments(item, itemSchema);
    if (coerced !== item) {
      copy ??= items.slice();
      copy[index] = coerced;
    }
  }
  return copy ?? items;
}

function coerceObject(object: Record<string, unknown>, schema: JSONSchema7): unknown {
  const branch = singleBranch(schema, "object");
  if (branch === undefined) return object;
  const properties = branch.properties;
  const rest = branch.additionalProperties;
  let copy: Record<string, unknown> | undefined;
  for (const key in object) {
    if (!Object.hasOwn(object, key)) continue;
    const propertySchema = properties && Object.hasOwn(properties, key) ? properties[key] : rest;
    if (propertySchema === undefined) continue;
    const value = object[key];
    const coerced = coerceArguments(value, propertySchema);
    if (coerced !== value) {
      copy ??= { ...object };
      copy[key] = coerced;
    }
  }
  return copy ?? object;
}

/** Every JSON type the schema admits at this node, or `undefined` when it cannot tell. */
function allowedTypes(schema: JSONSchema7): Set<string> | undefined {
  if (schema.type !== undefined)
    return new Set(Array.isArray(schema.type) ? schema.type : [schema.type]);
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches === undefined) return undefined;
  const types = new Set<string>();
  for (const branch of branches) {
    if (typeof branch === "boolean") return undefined;
    const inner = allowedTypes(branch);
    if (inner === undefined) return undefined;
    for (const type of inner) types.add(type);
  }
  return types;
}

/**
 * The schema to follow inside a value of `type`: the schema itself when it has that type, or the
 * only `anyOf`/`oneOf` branch that has it (e.g. a nullable object). Undefined when ambiguous.
 */
function singleBranch(schema: JSONSchema7, type: "array" | "object"): JSONSchema7 | undefined {
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    return types.includes(type) ? schema : undefined;
  }
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches === undefined) return undefined;
  let found: JSONSchema7 | undefined;
  for (const branch of branches) {
    if (typeof branch === "boolean") return undefined;
    const types =
      branch.type === undefined
        ? undefined
        : Array.isArray(branch.type)
          ? branch.type
          : [branch.type];
    if (types === undefined) return undefined;
    if (types.includes(type)) {
      if (found) return undefined;
      found = branch;
    }
  }
  return found;
}
