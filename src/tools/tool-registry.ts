import { ConfigError, type ConfigIssue } from "../errors/config-error.js";
import {
  BUILTIN_TOOL_NAMES,
  createBuiltinTool,
  isBuiltinToolName,
} from "./builtin/builtin-tools.js";
import { ToolDefinition, type AnyToolDefinition } from "./tool-definition.js";
import type { ToolSource } from "./tool-source.js";
import type { McpServers } from "./mcp/mcp-servers.js";
import type { McpToolReference, NamedMcpReference } from "./mcp/mcp-server-config.js";

/** Options of {@link ToolRegistry}. */
export interface ToolRegistryOptions {
  /** Tools to register at once. */
  tools?: readonly AnyToolDefinition[];
  /** Make the built-in tools available by name (default true). */
  builtins?: boolean;
  /** The team's MCP servers, which `{ mcp: name }` references name. */
  mcpServers?: McpServers;
}

/**
 * A tool as an agent config names it: a registered or built-in name, the tool itself, or the
 * tools of one of the team's MCP servers (`{ mcp: "files" }`).
 */
export type ToolReference = string | AnyToolDefinition | McpToolReference;

/**
 * Resolves the tool names of team files and agent configs: tools the user registered, then
 * the built-ins (`calculator`, `current_time`, `http_fetch`, `json_extract`, `list_files`,
 * `read_file`, with default options). Registering a tool under a built-in's name replaces the
 * built-in (that is how a team file gets a configured `http_fetch`); registering two tools
 * under one name is an error.
 *
 * @example
 * const registry = new ToolRegistry({ tools: [getWeather, builtinTools.httpFetch({ allowHosts: ["api.example.com"] })] });
 * registry.resolve(["get_weather", "http_fetch", "calculator"]); // three ToolDefinitions
 */
export class ToolRegistry {
  private readonly registered = new Map<string, AnyToolDefinition>();
  private readonly builtins = new Map<string, AnyToolDefinition>();
  private readonly withBuiltins: boolean;
  /** The team's MCP servers that `{ mcp: name }` references name, when it has them. */
  readonly mcpServers: McpServers | undefined;

  /** @throws ConfigError when two of `tools` share a name. */
  constructor(options: ToolRegistryOptions = {}) {
    this.withBuiltins = options.builtins ?? true;
    this.mcpServers = options.mcpServers;
    for (const definition of options.tools ?? []) this.register(definition);
  }

  /**
   * Adds a tool. Returns the registry, for chaining.
   *
   * @throws ConfigError when a tool of that name is already registered, or `definition` is not a tool.
   */
  register(definition: AnyToolDefinition): this {
    if (!ToolDefinition.isInstance(definition)) {
      throw new ConfigError(
        "registerTool() needs a ToolDefinition: build one with tool({...}) or new ToolDefinition({...}).",
      );
    }
    const existing = this.registered.get(definition.name);
    if (existing && existing !== definition) {
      throw new ConfigError(
        `Duplicate tool name "${definition.name}": a tool of that name is already registered.`,
      );
    }
    this.registered.set(definition.name, definition);
    return this;
  }

  /** Whether a tool of that name was registered (rather than being a built-in with default options). */
  isRegistered(name: string): boolean {
    return this.registered.has(name);
  }

  /** Whether a name resolves (registered or built-in). */
  has(name: string): boolean {
    return this.registered.has(name) || (this.withBuiltins && isBuiltinToolName(name));
  }

  /** The tool of that name: a registered one, else a built-in with default options (created once). */
  get(name: string): AnyToolDefinition | undefined {
    const registered = this.registered.get(name);
    if (registered) return registered;
    if (!this.withBuiltins || !isBuiltinToolName(name)) return undefined;
    let builtin = this.builtins.get(name);
    if (!builtin) {
      builtin = createBuiltinTool(name);
      this.builtins.set(name, builtin);
    }
    return builtin;
  }

  /** Every name that resolves, sorted. */
  get names(): string[] {
    const names = new Set(this.registered.keys());
    if (this.withBuiltins) for (const name of BUILTIN_TOOL_NAMES) names.add(name);
    return [...names].sort();
  }

  /**
   * Turns an agent's `tools` list into definitions. Every problem is reported at once.
   *
   * @param references names or tools, as the agent config lists them.
   * @param path where the list sits in the configuration, for error messages (default `["tools"]`).
   * @throws ConfigError listing unknown names (with the known ones) and duplicate names.
   */
  resolve(
    references: readonly ToolReference[],
    path: (string | number)[] = ["tools"],
  ): AnyToolDefinition[] {
    const { tools, sources } = this.resolveAll(references, path);
    if (sources.length > 0)
      throw new ConfigError(
        "resolve() cannot return MCP tools (known once a server starts): use resolveAll().",
      );
    return tools;
  }

  /**
   * {@link resolve}, with MCP references: the tools known now, and the sources (MCP servers)
   * whose tools are listed when they start.
   * @throws ConfigError as `resolve`, and for unknown MCP servers or names two servers could share.
   */
  resolveAll(
    references: readonly ToolReference[],
    path: (string | number)[] = ["tools"],
  ): { tools: AnyToolDefinition[]; sources: ToolSource[] } {
    const issues: ConfigIssue[] = [];
    const resolved: AnyToolDefinition[] = [];
    const sources: ToolSource[] = [];
    const mcp: { reference: NamedMcpReference; index: number }[] = [];
    const seen = new Set<string>();
    references.forEach((reference, index) => {
      let definition: AnyToolDefinition | undefined;
      if (isMcpReference(reference)) {
        if (this.mcpServers)
          mcp.push({ reference: this.mcpServers.named(reference, [...path, index]), index });
        else
          issues.push({
            path: [...path, index, "mcp"],
            message: `MCP tools need the team's MCP servers: this tool registry has none (give it mcpServers).`,
          });
        return;
      }
      if (typeof reference === "string") {
        try {
          definition = this.get(reference);
        } catch (error) {
          issues.push({
            path: [...path, index],
            message: `Tool "${reference}" cannot be created with default options: ${error instanceof Error ? error.message : String(error)}`,
          });
          return;
        }
        if (!definition) {
          issues.push({
            path: [...path, index],
            message: `Unknown tool "${reference}". Known tools: ${this.names.join(", ") || "(none)"}.`,
          });
          return;
        }
      } else if (ToolDefinition.isInstance(reference)) {
        definition = reference;
      } else {
        issues.push({
          path: [...path, index],
          message:
            "A tool must be a name or a ToolDefinition (from tool({...}) or new ToolDefinition({...})).",
        });
        return;
      }
      if (seen.has(definition.name)) {
        issues.push({
          path: [...path, index],
          message: `Duplicate tool name "${definition.name}" in this list.`,
        });
        return;
      }
      seen.add(definition.name);
      resolved.push(definition);
    });
    for (const { reference, index } of mcp) {
      try {
        sources.push(this.mcpServers!.source(reference, [...path, index]));
      } catch (error) {
        if (!ConfigError.isInstance(error)) throw error;
        issues.push(...error.issues);
      }
    }
    if (this.mcpServers && mcp.length > 0)
      issues.push(...this.mcpServers.checkReferences(mcp, [...seen], path));
    if (issues.length > 0) throw new ConfigError(issues);
    return { tools: resolved, sources };
  }
}

function isMcpReference(reference: ToolReference): reference is McpToolReference {
  if (typeof reference !== "object" || reference === null) return false;
  const mcp = (reference as { mcp?: unknown }).mcp;
  return typeof mcp === "string" || (typeof mcp === "object" && mcp !== null);
}
