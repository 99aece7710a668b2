import { Ajv } from "ajv";
import { describe, expect, expectTypeOf, it } from "vitest";
import * as z from "zod";
import { ConfigError } from "../errors/config-error.js";
import { ParamType, ToolDefinition, ToolParameter, builtinTools, tool } from "./index.js";

/** Compiles a schema with ajv in strict mode: throws on anything that is not valid JSON Schema. */
function compileStrict(schema: object): (value: unknown) => boolean {
  const ajv = new Ajv({ strict: true, allowUnionTypes: true });
  const validate = ajv.compile(schema);
  return (value) => validate(value);
}

const weather = tool({
  name: "get_weather",
  description: "Current weather for a city",
  parameters: z.object({
    city: z.string().describe("City name"),
    units: z.enum(["celsius", "fahrenheit"]).default("celsius").describe("Temperature units"),
    days: z.number().int().min(1).max(7).optional(),
  }),
  execute: ({ city, units }) => `Weather in ${city}: 22° ${units}`,
});

describe("tool()", () => {
  it("infers the handler's argument type from the zod schema", () => {
    expectTypeOf(weather.handler).parameter(0).toEqualTypeOf<{
      city: string;
      units: "celsius" | "fahrenheit";
      days?: number | undefined;
    }>();
    expectTypeOf(weather.toolDefinition).toEqualTypeOf(weather);
  });

  it("gives an OpenAI-compatible function schema with descriptions and valid JSON Schema types", () => {
    const schema = weather.toolDefinition.toSchema();
    expect(schema).toEqual({
      type: "function",
      function: {
        name: "get_weather",
        description: "Current weather for a city",
        parameters: {
          type: "object",
          properties: {
            city: { type: "string", description: "City name" },
            units: {
              type: "string",
              enum: ["celsius", "fahrenheit"],
              default: "celsius",
              description: "Temperature units",
            },
            days: { type: "integer", minimum: 1, maximum: 7 },
          },
          required: ["city"],
        },
      },
    });
    const validate = compileStrict(schema.function.parameters);
    expect(validate({ city: "Paris" })).toBe(true);
    expect(validate({ city: 3 })).toBe(false);
  });

  it("gives the AI SDK function tool for the model call", () => {
    expect(weather.toModelTool()).toEqual({
      type: "function",
      name: "get_weather",
      description: "Current weather for a city",
      inputSchema: weather.jsonSchema,
    });
    expect(weather.toModelTool()).toBe(weather.toModelTool());
  });

  it("rejects a schema that is not an object and an invalid name", () => {
    expect(() =>
      tool({ name: "x", description: "", parameters: z.string(), execute: () => 1 }),
    ).toThrow(ConfigError);
    expect(() =>
      tool({ name: "has space", description: "", parameters: z.object({}), execute: () => 1 }),
    ).toThrow(/Invalid tool name/);
  });
});

describe("the explicit ToolDefinition form", () => {
  const search = new ToolDefinition({
    name: "search",
    description: "Search the catalogue",
    parameters: [
      new ToolParameter({
        name: "query",
        type: ParamType.STRING,
        required: true,
        description: "What to look for",
      }),
      new ToolParameter({ name: "limit", type: ParamType.INTEGER, required: false, default: 10 }),
      new ToolParameter({ name: "minScore", type: ParamType.FLOAT, required: false }),
      { name: "tags", type: ParamType.LIST, items: { type: ParamType.STRING }, required: false },
      {
        name: "weights",
        type: ParamType.DICT,
        values: { type: ParamType.NUMBER },
        required: false,
      },
      {
        name: "filter",
        type: ParamType.OBJECT,
        required: false,
        description: "Nested filter",
        properties: [
          { name: "inStock", type: ParamType.BOOLEAN },
          { name: "price", type: ParamType.OBJECT, properties: [{ name: "max", type: "float" }] },
        ],
      },
    ],
    handler: ({ query, limit }) => `Results for ${String(query)} (${String(limit)})`,
  });

  it("writes valid JSON Schema: number/array/object, never float/list/dict, nested objects included", () => {
    const parameters = search.toSchema().function.parameters;
    const text = JSON.stringify(parameters);
    expect(text).not.toMatch(/"(float|list|dict|str|int|bool)"/);
    expect(parameters.properties).toMatchObject({
      query: { type: "string", description: "What to look for" },
      limit: { type: "integer", default: 10 },
      minScore: { type: "number" },
      tags: { type: "array", items: { type: "string" } },
      weights: { type: "object", additionalProperties: { type: "number" } },
      filter: {
        type: "object",
        description: "Nested filter",
        properties: {
          inStock: { type: "boolean" },
          price: { type: "object", properties: { max: { type: "number" } }, required: ["max"] },
        },
        required: ["inStock", "price"],
      },
    });
    expect(parameters.required).toEqual(["query"]);
    const validate = compileStrict(parameters);
    expect(validate({ query: "lamp", filter: { inStock: true, price: { max: 20.5 } } })).toBe(true);
    expect(validate({ query: "lamp", filter: { inStock: "yes", price: { max: 1 } } })).toBe(false);
  });

  it("validates nested arguments, applies defaults and coerces unambiguous strings", async () => {
    expect(
      await search.parseArguments({
        query: "lamp",
        filter: { inStock: "true", price: { max: "19.5" } },
      }),
    ).toEqual({
      success: true,
      value: { query: "lamp", limit: 10, filter: { inStock: true, price: { max: 19.5 } } },
    });
    const result = await search.parseArguments({ query: 5, filter: { inStock: true, price: {} } });
    expect(result.success).toBe(false);
    expect(!result.success && result.errors).toEqual([
      "query: Invalid input: expected string, received number",
      "filter.price.max: Invalid input: expected number, received undefined",
    ]);
  });

  it("refuses an unknown type, a default of the wrong type and a duplicate parameter", () => {
    expect(() => new ToolParameter({ name: "x", type: "decimal" as never })).toThrow(
      /unknown type "decimal". Valid types: string, integer/,
    );
    expect(() => new ToolParameter({ name: "x", type: ParamType.INTEGER, default: "ten" })).toThrow(
      /default "ten" does not fit/,
    );
    expect(
      () =>
        new ToolDefinition({
          name: "t",
          description: "",
          parameters: [
            { name: "a", type: "string" },
            { name: "a", type: "integer" },
          ],
          handler: () => 1,
        }),
    ).toThrow(/parameter "a" is declared twice/);
    expect(
      () => new ToolParameter({ name: "x", type: ParamType.STRING, items: { type: "string" } }),
    ).toThrow(/only applies to type array/);
  });

  it("validates a single parameter with coercion, like the seed's ToolParameter.validate()", () => {
    const limit = new ToolParameter({ name: "limit", type: ParamType.INTEGER, default: 10 });
    expect(limit.validate("42")).toEqual({ success: true, value: 42 });
    expect(limit.validate(undefined)).toEqual({ success: true, value: 10 });
    expect(limit.validate("4.5")).toEqual({
      success: false,
      errors: ["limit: Invalid input: expected number, received string"],
    });
    expect(limit.toJSONSchema()).toEqual({ type: "integer", default: 10 });
  });
});

describe("every built-in's schema", () => {
  it("compiles under ajv strict mode", () => {
    const definitions = [
      builtinTools.calculator(),
      builtinTools.currentTime(),
      builtinTools.httpFetch(),
      builtinTools.jsonExtract(),
      builtinTools.readFile({ root: "." }),
      builtinTools.listFiles({ root: "." }),
      weather,
    ];
    for (const definition of definitions) {
      const parameters = definition.toSchema().function.parameters;
      expect(() => compileStrict(parameters), definition.name).not.toThrow();
      expect(JSON.stringify(parameters)).not.toContain("$schema");
      expect(definition.description.length, definition.name).toBeGreaterThan(20);
    }
  });
});
