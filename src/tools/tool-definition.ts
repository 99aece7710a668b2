import type { JSONSchema7, LanguageModelV4FunctionTool } from "@ai-sdk/provider";
import { ConfigError } from "../errors/config-error.js";
import { coerceArguments } from "./coerce-arguments.js";
import {
  parametersSchema,
  toToolParameter,
  type ToolParameter,
  type ToolParameterOptions,
} from "./tool-parameter.js";
import {
  argumentsJSONSchema,
  formatSchemaIssues,
  type SchemaValidationResult,
  type ToolInputSchema,
} from "./tool-input-schema.js";
import type { ToolContext } from "./tool-result.js";

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const MARKER = Symbol.for("llmteam.ToolDefinition");

/**
 * A tool's handler as a method type, so that a `ToolDefinition<{ a: number }>` can sit in a
 * list of `ToolDefinition<unknown>` (method parameters are compared bivariantly).
 */
export type ToolHandlerFunction<Args, Output> = {
  handler(args: Args, context: ToolContext): Output | Promise<Output>;
}["handler"];

/** Whether a call needs approval: always, never, or decided from the arguments. */
export type ToolApprovalRule<Args> =
  boolean | { rule(args: Args): boolean | Promise<boolean> }["rule"];

/** Options of {@link ToolDefinition}. */
export interface ToolDefinitionOptions<Args = Record<string, unknown>, Output = unknown> {
  /** 1-64 letters, digits, `_` or `-` (what every provider accepts). */
  name: string;
  /** What the tool does and when to use it, for the model. */
  description: string;
  /**
   * The arguments: a list of {@link ToolParameter}s (the seed's form) or a schema (zod 4 or any
   * Standard Schema that can write JSON Schema). Default: no arguments.
   */
  parameters?: readonly (ToolParameter | ToolParameterOptions)[] | ToolInputSchema<Args>;
  /** Does the work. Sync or async; gets the validated arguments and a {@link ToolContext}. */
  handler: ToolHandlerFunction<Args, Output>;
  /** Ask the tool loop's `approve` hook before each call (default false). */
  needsApproval?: ToolApprovalRule<Args>;
  /** Time limit of one call, overriding the executor's `timeoutMs`. */
  timeoutMs?: number;
}

/** The OpenAI-compatible function schema of a tool. */
export interface FunctionToolSchema {
  type: "function";
  function: { name: string; description: string; parameters: JSONSchema7 };
}

/** Arguments after validation, or the problems found, one line each. */
export type ArgumentsParseResult<Args> =
  { success: true; value: Args } | { success: false; errors: string[] };

/**
 * A tool: name, description, arguments schema and handler (the seed's `ToolDefinition`).
 * `tool()` builds one from a zod schema; this constructor also takes the explicit
 * `ToolParameter` list.
 *
 * @throws ConfigError for an invalid name, an invalid parameter list or a schema that cannot
 *   be written as a JSON Schema object.
 * @example
 * const search = new ToolDefinition({
 *   name: "search",
 *   description: "Search the catalogue",
 *   parameters: [
 *     new ToolParameter({ name: "query", type: ParamType.STRING }),
 *     new ToolParameter({ name: "limit", type: ParamType.INTEGER, default: 10 }),
 *   ],
 *   handler: ({ query, limit }) => catalogue.search(String(query), Number(limit)),
 * });
 * search.toSchema(); // { type: "function", function: { name: "search", description, parameters } }
 */
export class ToolDefinition<Args = Record<string, unknown>, Output = unknown> {
  readonly [MARKER] = true;
  readonly name: string;
  readonly description: string;
  /** The explicit parameters, when the tool was declared with a list (else empty). */
  readonly parameters: readonly ToolParameter[];
  /** The arguments schema the tool validates with. */
  readonly inputSchema: ToolInputSchema<Args>;
  /** The JSON Schema of the arguments (draft-07 object, no `$schema`). */
  readonly jsonSchema: JSONSchema7;
  readonly handler: ToolHandlerFunction<Args, Output>;
  readonly needsApproval: ToolApprovalRule<Args>;
  readonly timeoutMs: number | undefined;
  private modelTool: LanguageModelV4FunctionTool | undefined;

  constructor(options: ToolDefinitionOptions<Args, Output>) {
    if (typeof options.name !== "string" || !TOOL_NAME.test(options.name)) {
      throw new ConfigError(
        `Invalid tool name ${JSON.stringify(options.name)}: use 1-64 letters, digits, "_" or "-".`,
      );
    }
    if (typeof options.handler !== "function") {
      throw new ConfigError(`Tool "${options.name}" needs a handler function.`);
    }
    if (options.timeoutMs !== undefined && !(options.timeoutMs > 0)) {
      throw new ConfigError(
        `Tool "${options.name}": timeoutMs must be a positive number of milliseconds.`,
      );
    }
    this.name = options.name;
    this.description = options.description ?? "";
    const parameters = options.parameters ?? [];
    if (isParameterList(parameters)) {
      this.parameters = parameters.map((parameter) => toToolParameter(parameter));
      this.inputSchema = parametersSchema(
        this.parameters,
        `Tool "${this.name}"`,
      ) as unknown as ToolInputSchema<Args>;
    } else {
      this.parameters = [];
      this.inputSchema = parameters;
    }
    this.jsonSchema = argumentsJSONSchema(this.inputSchema, this.name);
    this.handler = options.handler;
    this.needsApproval = options.needsApproval ?? false;
    this.timeoutMs = options.timeoutMs;
  }

  /** True for a tool definition, from this or another copy of the package. */
  static isInstance(value: unknown): value is AnyToolDefinition {
    return typeof value === "object" && value !== null && MARKER in value;
  }

  /** The definition itself (the seed spells it `tool.tool_definition`). */
  get toolDefinition(): this {
    return this;
  }

  /** The OpenAI-compatible function schema: `{ type: "function", function: { name, description, parameters } }`. */
  toSchema(): FunctionToolSchema {
    return {
      type: "function",
      function: { name: this.name, description: this.description, parameters: this.jsonSchema },
    };
  }

  /** The tool as the AI SDK model spec takes it (`LanguageModelV4FunctionTool`). Built once. */
  toModelTool(): LanguageModelV4FunctionTool {
    this.modelTool ??= {
      type: "function",
      name: this.name,
      description: this.description,
      inputSchema: this.jsonSchema,
    };
    return this.modelTool;
  }

  /**
   * Validates arguments against the schema after coercing unambiguous strings (`"42"` → 42
   * for an integer, `"true"` → true for a boolean). Sync unless the schema validates async.
   */
  parseArguments(input: unknown): ArgumentsParseResult<Args> | Promise<ArgumentsParseResult<Args>> {
    const value = input ?? {};
    const validate = this.inputSchema["~standard"].validate;
    // Valid arguments (the usual case) are validated once; coercion runs only after a failure.
    const first = validate(value);
    if (first instanceof Promise) {
      return first.then((result) =>
        result.issues ? this.parseCoerced(value, result) : toParseResult(result),
      );
    }
    return first.issues ? this.parseCoerced(value, first) : toParseResult(first);
  }

  private parseCoerced(
    value: unknown,
    failed: SchemaValidationResult<Args>,
  ): ArgumentsParseResult<Args> | Promise<ArgumentsParseResult<Args>> {
    const coerced = coerceArguments(value, this.jsonSchema);
    if (coerced === value) return toParseResult(failed);
    const result = this.inputSchema["~standard"].validate(coerced);
    return result instanceof Promise ? result.then(toParseResult) : toParseResult(result);
  }

  /** Whether this call needs approval, from `needsApproval`. */
  requiresApproval(args: Args): boolean | Promise<boolean> {
    const rule = this.needsApproval;
    return typeof rule === "function" ? rule(args) : rule;
  }
}

/** Any tool definition, whatever its argument and output types. */
export type AnyToolDefinition = ToolDefinition<unknown, unknown>;

function toParseResult<Args>(result: SchemaValidationResult<Args>): ArgumentsParseResult<Args> {
  if (result.issues) return { success: false, errors: formatSchemaIssues(result.issues) };
  return { success: true, value: result.value };
}

function isParameterList(
  parameters: NonNullable<ToolDefinitionOptions["parameters"]> | ToolInputSchema<unknown>,
): parameters is readonly (ToolParameter | ToolParameterOptions)[] {
  return Array.isArray(parameters);
}
