import type { JSONSchema7 } from "@ai-sdk/provider";
import * as z from "zod";
import { ConfigError } from "../errors/config-error.js";
import { coerceArguments } from "./coerce-arguments.js";
import { PARAM_TYPE_NAMES, normalizeParamType, type ParamType } from "./param-type.js";
import { formatSchemaIssues, withoutSafeIntegerBounds } from "./tool-input-schema.js";

/** A type as a parameter, an array item or a dict value describes it. */
export interface ParameterTypeSpec {
  /** A {@link ParamType}; the Python spellings `float`, `int`, `str`, `bool`, `list`, `dict` are accepted. */
  type: ParamType | "float" | "int" | "str" | "bool" | "list" | "dict";
  /** What the value means, for the model. */
  description?: string;
  /** The only values allowed. */
  enum?: readonly (string | number | boolean)[];
  /** For `array`: the type of each item (default: anything). */
  items?: ParameterTypeSpec;
  /** For `object`: its named fields, nested as deep as needed. */
  properties?: readonly (ToolParameter | ToolParameterOptions)[];
  /** For `object` without `properties` (a dict): the type of each value (default: anything). */
  values?: ParameterTypeSpec;
}

/** Options of {@link ToolParameter}. */
export interface ToolParameterOptions extends ParameterTypeSpec {
  name: string;
  /** Whether the model must give it. Default: true, unless a `default` is given. */
  required?: boolean;
  /** The value used when the model leaves the parameter out (makes it optional). */
  default?: unknown;
}

/** The outcome of validating a value: the (coerced) value, or what was wrong. */
export type ParameterValidationResult<T = unknown> =
  { success: true; value: T } | { success: false; errors: string[] };

/**
 * One parameter of a tool in the explicit form (the seed's `ToolParameter`). Its JSON Schema is
 * valid (never `float`/`list`/`dict`), descriptions are carried through, objects nest.
 *
 * @throws ConfigError for an unknown type, an empty or duplicate name, `items` on a non-array,
 *   `properties`/`values` on a non-object, or a `default` that does not fit the type.
 * @example
 * new ToolParameter({ name: "query", type: ParamType.STRING, description: "What to search" });
 * new ToolParameter({ name: "limit", type: ParamType.INTEGER, default: 10 });
 * new ToolParameter({ name: "tags", type: ParamType.LIST, items: { type: ParamType.STRING } });
 * new ToolParameter({
 *   name: "address",
 *   type: ParamType.OBJECT,
 *   properties: [{ name: "city", type: ParamType.STRING }, { name: "zip", type: ParamType.STRING, required: false }],
 * });
 */
export class ToolParameter {
  readonly name: string;
  readonly type: ParamType;
  readonly description: string | undefined;
  readonly required: boolean;
  readonly default: unknown;
  readonly enum: readonly (string | number | boolean)[] | undefined;
  readonly items: ParameterTypeSpec | undefined;
  readonly properties: readonly ToolParameter[] | undefined;
  readonly values: ParameterTypeSpec | undefined;
  /** @internal The zod schema this parameter validates with (optional/default applied). */
  readonly schema: z.ZodType;
  private jsonSchema: JSONSchema7 | undefined;

  constructor(options: ToolParameterOptions) {
    if (typeof options.name !== "string" || options.name.length === 0) {
      throw new ConfigError("A tool parameter needs a non-empty name.");
    }
    this.name = options.name;
    this.type = typeOf(options, options.name);
    this.description = options.description;
    this.default = options.default;
    this.required = options.default === undefined ? (options.required ?? true) : false;
    this.enum = options.enum;
    this.items = options.items;
    this.values = options.values;
    this.properties = options.properties?.map((property) => toToolParameter(property));
    let schema = specSchema(
      { ...options, ...(this.properties ? { properties: this.properties } : {}) },
      this.name,
    );
    if (options.default !== undefined) {
      const check = schema.safeParse(options.default);
      if (!check.success) {
        throw new ConfigError(
          `Parameter "${this.name}": default ${JSON.stringify(options.default)} does not fit type ${this.type}: ${formatSchemaIssues(check.error.issues).join("; ")}`,
        );
      }
      schema = schema.default(options.default as never);
    } else if (!this.required) {
      schema = schema.optional();
    }
    this.schema = schema;
  }

  /** The parameter's JSON Schema (draft-07), e.g. `{ type: "integer", description: "…" }`. */
  toJSONSchema(): JSONSchema7 {
    if (!this.jsonSchema) {
      const { $schema: _ignored, ...rest } = z.toJSONSchema(this.schema, {
        io: "input",
        target: "draft-07",
      });
      this.jsonSchema = withoutSafeIntegerBounds(rest) as JSONSchema7;
    }
    return this.jsonSchema;
  }

  /**
   * Validates one value, coercing unambiguous strings first (`"42"` → 42 for an integer,
   * `"true"` → true for a boolean) and applying the default when the value is `undefined`.
   */
  validate(value: unknown): ParameterValidationResult {
    const result = this.schema.safeParse(coerceArguments(value, this.toJSONSchema()));
    if (result.success) return { success: true, value: result.data };
    const issues = result.error.issues.map((issue) => ({
      message: issue.message,
      path: [this.name, ...issue.path],
    }));
    return { success: false, errors: formatSchemaIssues(issues) };
  }
}

/** A zod object schema for a parameter list (unknown keys are dropped). */
export function parametersSchema(parameters: readonly ToolParameter[], owner: string): z.ZodObject {
  const shape: Record<string, z.ZodType> = {};
  for (const parameter of parameters) {
    if (Object.hasOwn(shape, parameter.name)) {
      throw new ConfigError(`${owner}: parameter "${parameter.name}" is declared twice.`);
    }
    shape[parameter.name] = parameter.schema;
  }
  return z.object(shape);
}

/** Accepts a `ToolParameter` or its options. */
export function toToolParameter(parameter: ToolParameter | ToolParameterOptions): ToolParameter {
  return parameter instanceof ToolParameter ? parameter : new ToolParameter(parameter);
}

function typeOf(spec: ParameterTypeSpec, where: string): ParamType {
  const type = typeof spec.type === "string" ? normalizeParamType(spec.type) : undefined;
  if (type === undefined) {
    throw new ConfigError(
      `Parameter "${where}": unknown type ${JSON.stringify(spec.type)}. Valid types: ${PARAM_TYPE_NAMES.join(", ")}.`,
    );
  }
  return type;
}

function specSchema(spec: ParameterTypeSpec, where: string): z.ZodType {
  const type = typeOf(spec, where);
  if (spec.items !== undefined && type !== "array") {
    throw new ConfigError(
      `Parameter "${where}": "items" only applies to type array (got ${type}).`,
    );
  }
  if ((spec.properties !== undefined || spec.values !== undefined) && type !== "object") {
    throw new ConfigError(
      `Parameter "${where}": "properties" and "values" only apply to type object (got ${type}).`,
    );
  }
  let schema: z.ZodType;
  if (spec.enum !== undefined && spec.enum.length > 0) {
    for (const value of spec.enum) {
      if (!baseSchema(type).safeParse(value).success) {
        throw new ConfigError(
          `Parameter "${where}": enum value ${JSON.stringify(value)} is not of type ${type}.`,
        );
      }
    }
    schema = z.literal(spec.enum as [string | number | boolean, ...(string | number | boolean)[]]);
  } else if (type === "array") {
    schema = z.array(spec.items ? specSchema(spec.items, `${where}[]`) : z.unknown());
  } else if (type === "object" && spec.properties !== undefined) {
    schema = parametersSchema(
      spec.properties.map((property) => toToolParameter(property)),
      `Parameter "${where}"`,
    );
  } else if (type === "object") {
    schema = z.record(
      z.string(),
      spec.values ? specSchema(spec.values, `${where}{}`) : z.unknown(),
    );
  } else {
    schema = baseSchema(type);
  }
  return spec.description === undefined ? schema : schema.describe(spec.description);
}

function baseSchema(type: ParamType): z.ZodType {
  switch (type) {
    case "string":
      return z.string();
    case "integer":
      return z.int();
    case "number":
      return z.number();
    case "boolean":
      return z.boolean();
    case "array":
      return z.array(z.unknown());
    case "object":
      return z.record(z.string(), z.unknown());
  }
}
