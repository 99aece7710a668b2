import { describe, expect, it } from "vitest";
import * as z from "zod";
import { ConfigError } from "../errors/config-error.js";
import { BUILTIN_TOOL_NAMES, ToolRegistry, builtinTools, tool } from "./index.js";

const lookup = tool({
  name: "lookup",
  description: "Find an order",
  parameters: z.object({ id: z.string() }),
  execute: ({ id }) => id,
});

describe("ToolRegistry", () => {
  it("resolves registered tools and built-ins by name", () => {
    const registry = new ToolRegistry({ tools: [lookup] });
    const resolved = registry.resolve(["lookup", "calculator", "current_time"]);
    expect(resolved.map((definition) => definition.name)).toEqual([
      "lookup",
      "calculator",
      "current_time",
    ]);
    expect(resolved[0]).toBe(lookup);
    expect(registry.get("calculator")).toBe(registry.get("calculator"));
    expect(registry.names).toEqual([...BUILTIN_TOOL_NAMES, "lookup"].sort());
  });

  it("reports every unknown name at once, with its path and the known tools", () => {
    const registry = new ToolRegistry({ tools: [lookup] });
    let error: unknown;
    try {
      registry.resolve(["lookup", "web_search", "calculatr"], ["agents", 0, "tools"]);
    } catch (caught) {
      error = caught;
    }
    expect(ConfigError.isInstance(error)).toBe(true);
    const known =
      "calculator, current_time, http_fetch, json_extract, knowledge_search, list_files, lookup, read_file";
    expect((error as ConfigError).issues).toEqual([
      {
        path: ["agents", 0, "tools", 1],
        message: `Unknown tool "web_search". Known tools: ${known}.`,
      },
      {
        path: ["agents", 0, "tools", 2],
        message: `Unknown tool "calculatr". Known tools: ${known}.`,
      },
    ]);
  });

  it("refuses two registered tools with one name, and a name listed twice", () => {
    const other = tool({
      name: "lookup",
      description: "Another",
      parameters: z.object({}),
      execute: () => 1,
    });
    expect(() => new ToolRegistry({ tools: [lookup, other] })).toThrow(
      'Duplicate tool name "lookup"',
    );
    const registry = new ToolRegistry({ tools: [lookup] });
    expect(() => registry.register(other)).toThrow(ConfigError);
    expect(() => registry.resolve(["lookup", lookup])).toThrow(
      'Duplicate tool name "lookup" in this list.',
    );
  });

  it("lets a configured tool replace a built-in of the same name", () => {
    const fetcher = builtinTools.httpFetch({ allowHosts: ["api.example.com"] });
    const registry = new ToolRegistry().register(fetcher);
    expect(registry.resolve(["http_fetch"])[0]).toBe(fetcher);
  });

  it("can leave the built-ins out", () => {
    const registry = new ToolRegistry({ builtins: false, tools: [lookup] });
    expect(registry.has("calculator")).toBe(false);
    expect(() => registry.resolve(["calculator"])).toThrow(
      'Unknown tool "calculator". Known tools: lookup.',
    );
  });

  it("accepts tool objects inline and refuses anything else", () => {
    const registry = new ToolRegistry();
    expect(registry.resolve([lookup, "calculator"]).map((definition) => definition.name)).toEqual([
      "lookup",
      "calculator",
    ]);
    expect(() => registry.resolve([{ name: "fake" } as never])).toThrow(
      "A tool must be a name or a ToolDefinition",
    );
  });
});
