import { ToolDefinition, type ToolApprovalRule } from "./tool-definition.js";
import type { InferToolInput, ToolInputSchema } from "./tool-input-schema.js";
import type { ToolContext } from "./tool-result.js";

/** Options of {@link tool}. */
export interface ToolOptions<Schema extends ToolInputSchema, Output> {
  /** 1-64 letters, digits, `_` or `-`. */
  name: string;
  /** What the tool does and when to use it, for the model. */
  description: string;
  /** The arguments as a zod 4 object schema (or any Standard Schema that can write JSON Schema). */
  parameters: Schema;
  /** Does the work, with arguments typed from `parameters`. Sync or async. */
  execute: (args: InferToolInput<Schema>, context: ToolContext) => Output | Promise<Output>;
  /** Ask the tool loop's `approve` hook before each call (default false). */
  needsApproval?: ToolApprovalRule<InferToolInput<Schema>>;
  /** Time limit of one call, overriding the executor's `timeoutMs`. */
  timeoutMs?: number;
}

/**
 * Defines a tool from a zod schema; the handler's argument type is inferred from it.
 * Returns a {@link ToolDefinition} (`.toolDefinition` is itself, `.toSchema()` its
 * OpenAI-compatible function schema).
 *
 * @throws ConfigError for an invalid name or a schema that is not an object.
 * @example
 * const getWeather = tool({
 *   name: "get_weather",
 *   description: "Current weather for a city",
 *   parameters: z.object({ city: z.string().describe("City name"), units: z.enum(["celsius", "fahrenheit"]).default("celsius") }),
 *   execute: async ({ city, units }) => weather.lookup(city, units),
 * });
 */
export function tool<Schema extends ToolInputSchema, Output>(
  options: ToolOptions<Schema, Output>,
): ToolDefinition<InferToolInput<Schema>, Awaited<Output>> {
  return new ToolDefinition<InferToolInput<Schema>, Awaited<Output>>({
    name: options.name,
    description: options.description,
    parameters: options.parameters,
    handler: options.execute as (
      args: InferToolInput<Schema>,
      context: ToolContext,
    ) => Awaited<Output> | Promise<Awaited<Output>>,
    ...(options.needsApproval === undefined ? {} : { needsApproval: options.needsApproval }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
}
