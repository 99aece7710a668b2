import { ConfigError, type ConfigIssue } from "../../errors/config-error.js";
import type { AnyToolDefinition } from "../tool-definition.js";
import type { ToolSource } from "../tool-source.js";
import { McpConnection } from "./mcp-connection.js";
import {
  mcpServersSchema,
  mcpServerConfigSchema,
  type McpServerConfig,
  type McpToolReference,
  type NamedMcpReference,
} from "./mcp-server-config.js";
import { mcpToolDefinitions } from "./mcp-tools.js";

/**
 * A team's MCP servers (`mcpServers:`), by name. Each starts when an agent first needs its tools,
 * is shared by every agent and run of the team, and stops with {@link McpServers.close}
 * (`team.close()`).
 *
 * @example
 * const servers = new McpServers({ files: { command: "npx", args: ["-y", "@modelcontextprotocol/server-filesystem", "."] } });
 * const source = servers.source({ mcp: "files" });
 * const tools = await source.load(); // starts the server, lists its tools
 * await servers.close();
 */
export class McpServers {
  private readonly connections = new Map<string, McpConnection>();

  /** @throws ConfigError for an invalid server configuration. */
  constructor(configs: Readonly<Record<string, McpServerConfig>> = {}) {
    const parsed = mcpServersSchema.safeParse(configs);
    if (!parsed.success) {
      throw new ConfigError(
        parsed.error.issues.map((issue) => ({
          path: [
            "mcpServers",
            ...issue.path.map((key) => (typeof key === "symbol" ? String(key) : key)),
          ],
          message: issue.message,
        })),
      );
    }
    for (const [name, config] of Object.entries(parsed.data))
      this.connections.set(name, new McpConnection(name, config));
  }

  /** The servers' names. */
  get names(): string[] {
    return [...this.connections.keys()];
  }

  /** The connection of a server, if the team has it. */
  get(name: string): McpConnection | undefined {
    return this.connections.get(name);
  }

  /**
   * A reference by name: an inline server (`{ mcp: { command, … } }`) becomes a server of the
   * team named after where it is written (`agents.0.tools.1`), replacing one written there before.
   */
  named(reference: McpToolReference, path: (string | number)[]): NamedMcpReference {
    if (typeof reference.mcp === "string") return { mcp: reference.mcp, tools: reference.tools };
    const name = path.join(".");
    const config = mcpServerConfigSchema.parse(reference.mcp);
    const existing = this.connections.get(name);
    if (!existing || JSON.stringify(existing.config) !== JSON.stringify(config)) {
      void existing?.close();
      this.connections.set(name, new McpConnection(name, config));
    }
    return { mcp: name, tools: reference.tools };
  }

  /**
   * The tools an agent gets from `{ mcp: name, tools? }`, as a tool source.
   * @throws ConfigError for an unknown server or an agent allow-list the server's own excludes.
   */
  source(reference: NamedMcpReference, path: (string | number)[] = ["tools"]): ToolSource {
    const connection = this.connections.get(reference.mcp);
    if (!connection) {
      throw new ConfigError([
        {
          path: [...path, "mcp"],
          message: `Unknown MCP server "${reference.mcp}". ${this.connections.size > 0 ? `Servers of this team (mcpServers): ${this.names.join(", ")}.` : "Declare it under the team's mcpServers."}`,
        },
      ]);
    }
    const config = connection.config;
    const outside = (reference.tools ?? []).filter(
      (name) => config.tools !== undefined && !config.tools.includes(name),
    );
    if (outside.length > 0) {
      throw new ConfigError([
        {
          path: [...path, "tools"],
          message: `MCP server "${reference.mcp}" offers only ${config.tools!.join(", ")} (its tools allow-list); ${outside.join(", ")} cannot be used.`,
        },
      ]);
    }
    const allow = reference.tools ?? config.tools;
    let definitions: Promise<AnyToolDefinition[]> | undefined;
    return {
      label: `MCP server "${connection.name}"`,
      load: (signal) => {
        definitions ??= connection.listTools(signal).then(
          (listed) =>
            mcpToolDefinitions(connection, listed, {
              prefix: config.prefix,
              allow,
              needsApproval: config.needsApproval,
              timeoutMs: config.timeoutMs,
            }),
          (error: unknown) => {
            definitions = undefined;
            throw error;
          },
        );
        return definitions;
      },
    };
  }

  /**
   * The load-time check of one agent's MCP references: known servers, and no two servers that
   * could give the agent tools of the same name (same prefix, and allow-lists that overlap or
   * are absent), nor an allowed tool named like one of the agent's other tools.
   */
  checkReferences(
    references: readonly { reference: NamedMcpReference; index: number }[],
    localNames: readonly string[],
    path: (string | number)[],
  ): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    const known = references.filter(({ reference }) => this.connections.has(reference.mcp));
    const names = (reference: NamedMcpReference): string[] | undefined => {
      const config = this.connections.get(reference.mcp)!.config;
      const allow = reference.tools ?? config.tools;
      return allow?.map((name) => `${config.prefix ?? ""}${name}`);
    };
    known.forEach(({ reference, index }, position) => {
      const mine = names(reference);
      const prefix = this.connections.get(reference.mcp)!.config.prefix ?? "";
      for (const local of mine ?? []) {
        if (localNames.includes(local))
          issues.push({
            path: [...path, index],
            message: `MCP server "${reference.mcp}" gives this agent a tool "${local}", and the agent has another tool of that name. Give the server a prefix (mcpServers.${reference.mcp}.prefix).`,
          });
      }
      for (const other of known.slice(0, position)) {
        if (other.reference.mcp === reference.mcp) {
          issues.push({
            path: [...path, index],
            message: `MCP server "${reference.mcp}" is listed twice in this agent's tools.`,
          });
          continue;
        }
        const theirs = names(other.reference);
        const otherPrefix = this.connections.get(other.reference.mcp)!.config.prefix ?? "";
        const clash =
          mine && theirs ? mine.some((name) => theirs.includes(name)) : prefix === otherPrefix;
        if (clash)
          issues.push({
            path: [...path, index],
            message: `MCP servers "${other.reference.mcp}" and "${reference.mcp}" may give this agent tools of the same name. Give one a prefix (mcpServers.${reference.mcp}.prefix: "${reference.mcp}_") or allow-lists (tools) that do not overlap.`,
          });
      }
    });
    return issues;
  }

  /** Stops every server that was started; later calls fail with a "closed" error. */
  async close(): Promise<void> {
    await Promise.all([...this.connections.values()].map((connection) => connection.close()));
  }
}
