import type { JSONSchema7 } from "@ai-sdk/provider";
import { McpServerError } from "../../errors/mcp-server-error.js";
import { DEFAULT_TOOL_TIMEOUT_MS } from "../tool-executor.js";
import { ToolDefinition, type AnyToolDefinition } from "../tool-definition.js";
import type { ToolInputSchema } from "../tool-input-schema.js";
import type { McpConnection } from "./mcp-connection.js";
import { isValidToolName } from "./mcp-server-config.js";

/** How a server's tools are offered to one agent. */
export interface McpToolOptions {
  /** Prepended to each tool's name. */
  prefix: string | undefined;
  /** Only these tools (server names), when set. */
  allow: readonly string[] | undefined;
  /** `true`: every call asks the approver; a list: calls of those tools (server names). */
  needsApproval: boolean | readonly string[] | undefined;
  /** Time limit of one call (default 30,000 ms). */
  timeoutMs: number | undefined;
}

/**
 * Turns a server's `tools/list` answer into tool definitions: the server's JSON Schema as the
 * arguments schema, calls through the connection. Only allowed tools are checked and kept.
 * @throws McpServerError naming the server and tool: a tool without a valid name or object
 *   schema, or an allowed name the server does not have.
 */
export function mcpToolDefinitions(
  connection: McpConnection,
  listed: readonly unknown[],
  options: McpToolOptions,
): AnyToolDefinition[] {
  const server = connection.name;
  const byName = new Map<string, Record<string, unknown>>();
  for (const item of listed) {
    if (isRecord(item) && typeof item.name === "string") byName.set(item.name, item);
  }
  const wanted = options.allow ?? [...byName.keys()];
  const missing = wanted.filter((name) => !byName.has(name));
  if (missing.length > 0) {
    throw new McpServerError(
      `MCP server "${server}" has no tool ${missing.map((name) => `"${name}"`).join(", ")}. Its tools: ${[...byName.keys()].join(", ") || "(none)"}.`,
      { reason: "invalid_tools", serverName: server, toolName: missing[0]! },
    );
  }
  const unnamed = listed.find((item) => !isRecord(item) || typeof item.name !== "string");
  if (unnamed !== undefined && options.allow === undefined) {
    throw new McpServerError(
      `MCP server "${server}" listed a tool without a name: ${clip(JSON.stringify(unnamed))}`,
      { reason: "invalid_tools", serverName: server },
    );
  }
  return wanted.map((name) => toDefinition(connection, byName.get(name)!, options));
}

function toDefinition(
  connection: McpConnection,
  listed: Record<string, unknown>,
  options: McpToolOptions,
): AnyToolDefinition {
  const server = connection.name;
  const serverToolName = listed.name as string;
  const name = `${options.prefix ?? ""}${serverToolName}`;
  const fail = (problem: string) =>
    new McpServerError(`MCP server "${server}", tool "${serverToolName}": ${problem}`, {
      reason: "invalid_tools",
      serverName: server,
      toolName: serverToolName,
    });
  if (!isValidToolName(name)) {
    throw fail(
      `the name ${JSON.stringify(name)} is not one models accept (1-64 letters, digits, "_" or "-"). Leave the tool out with the server's tools allow-list.`,
    );
  }
  const schema = listed.inputSchema;
  if (!isRecord(schema) || schema.type !== "object") {
    throw fail(
      `its inputSchema is not a JSON Schema of an object (got ${clip(JSON.stringify(schema) ?? "nothing")}). Leave the tool out with the server's tools allow-list.`,
    );
  }
  if (schema.properties !== undefined && !isRecord(schema.properties)) {
    throw fail("its inputSchema's properties is not an object.");
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS;
  const approval = options.needsApproval;
  return new ToolDefinition<Record<string, unknown>, unknown>({
    name,
    description: typeof listed.description === "string" ? listed.description : "",
    parameters: jsonSchemaInput(schema),
    handler: async (args, context) =>
      toolOutput(
        await connection.callTool(serverToolName, args, context.signal, timeoutMs),
        server,
        serverToolName,
      ),
    needsApproval: Array.isArray(approval) ? approval.includes(serverToolName) : approval === true,
    timeoutMs,
  });
}

/**
 * A tool's arguments schema from a server's JSON Schema. The server validates the arguments;
 * here they must be an object with the `required` properties present, so the model hears of a
 * missing argument without a round trip.
 */
function jsonSchemaInput(schema: JSONSchema7): ToolInputSchema<Record<string, unknown>> {
  const required = Array.isArray(schema.required) ? schema.required : [];
  return {
    "~standard": {
      version: 1,
      vendor: "mcp",
      validate: (value) => {
        if (!isRecord(value)) return { issues: [{ message: "expected an object" }] };
        const absent = required.filter((key) => value[key] === undefined);
        if (absent.length === 0) return { value };
        return { issues: absent.map((key) => ({ message: "required", path: [key] })) };
      },
      jsonSchema: { input: () => schema as Record<string, unknown> },
    },
  };
}

/**
 * What the model reads of a `tools/call` result: its structured content when it has one, else
 * its text (images and other content described in brackets).
 * @throws an Error naming the server and tool for an error result or a result that is not one.
 */
export function toolOutput(result: unknown, server: string, tool: string): unknown {
  const where = `MCP server "${server}", tool "${tool}"`;
  if (!isRecord(result) || (!Array.isArray(result.content) && !isRecord(result.structuredContent)))
    throw new Error(
      `${where} returned something that is not a tool result (no content): ${clip(JSON.stringify(result) ?? String(result))}`,
    );
  const content = Array.isArray(result.content) ? result.content : [];
  const text = content.map(describeContent).join("\n");
  if (result.isError === true) throw new Error(`${where}: ${text || "the tool reported an error"}`);
  if (isRecord(result.structuredContent)) return result.structuredContent;
  return text;
}

function describeContent(item: unknown): string {
  if (!isRecord(item)) return clip(JSON.stringify(item) ?? "");
  switch (item.type) {
    case "text":
      return typeof item.text === "string" ? item.text : "";
    case "resource": {
      const resource = isRecord(item.resource) ? item.resource : {};
      if (typeof resource.text === "string") return resource.text;
      return `[resource ${typeof resource.uri === "string" ? resource.uri : ""}]`;
    }
    case "resource_link":
      return `[resource ${typeof item.uri === "string" ? item.uri : ""}${typeof item.name === "string" ? ` (${item.name})` : ""}]`;
    default:
      return `[${String(item.type)}${typeof item.mimeType === "string" ? ` ${item.mimeType}` : ""}]`;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function clip(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
