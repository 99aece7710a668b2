import * as z from "zod";
import { strictObject } from "../../config/strict-object.js";

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** Default time an MCP server has to start and answer the MCP handshake: 30 s. */
export const DEFAULT_MCP_STARTUP_TIMEOUT_MS = 30_000;

const commonShape = {
  /** Only these of the server's tools (default: all of them). */
  tools: z.array(z.string().min(1)).min(1, "tools must list at least one tool name.").optional(),
  /**
   * Prepended to the server's tool names as the agent sees them (`fs_` makes `read_file`
   * `fs_read_file`); needed when two servers of one agent could have tools of the same name.
   */
  prefix: z
    .string()
    .regex(/^[a-zA-Z0-9_-]{1,32}$/, 'prefix may contain letters, digits, "_" and "-" (1-32).')
    .optional(),
  /** Ask the run's approver before calls: `true` for every tool, or a list of tool names (default false). */
  needsApproval: z.union([z.boolean(), z.array(z.string().min(1))]).optional(),
  /** Time limit of one tool call in ms (default: the tool executor's, 30,000). */
  timeoutMs: z.number().int().positive().optional(),
  /** Time the server has to start and answer the MCP handshake, in ms (default 30,000). */
  startupTimeoutMs: z.number().int().positive().optional(),
};

/** An MCP server run as a child process, spoken to over its stdin/stdout. */
export const mcpStdioServerSchema = strictObject(
  {
    /** The program to run (`node`, `npx`, `uvx`, a path). */
    command: z.string().min(1, "command must not be empty."),
    /** Its arguments. */
    args: z.array(z.string()).optional(),
    /** Environment variables for it, on top of a safe default set (PATH, HOME, …). */
    env: z.record(z.string(), z.string()).optional(),
    /** Its working directory (default: the current one). */
    cwd: z.string().optional(),
    ...commonShape,
  },
  "an MCP server (stdio)",
);

/** An MCP server reached over Streamable HTTP. */
export const mcpHttpServerSchema = strictObject(
  {
    /** The server's MCP endpoint, `http://` or `https://`. */
    url: z
      .string()
      .refine(
        (value) => /^https?:\/\/[^\s]+$/.test(value),
        "url must be an http:// or https:// URL.",
      ),
    /** Headers sent with every request (e.g. `Authorization`). */
    headers: z.record(z.string(), z.string()).optional(),
    ...commonShape,
  },
  "an MCP server (Streamable HTTP)",
);

/** An MCP server: `{ command, args, env }` (stdio) or `{ url, headers }` (Streamable HTTP). */
export const mcpServerConfigSchema = z.union([mcpStdioServerSchema, mcpHttpServerSchema], {
  error: (issue) => {
    const value = issue.input as Record<string, unknown> | undefined;
    if (typeof value === "object" && value !== null && ("command" in value || "url" in value))
      return undefined;
    return "An MCP server needs command (stdio: { command, args, env }) or url (Streamable HTTP: { url, headers }).";
  },
});

/** The team's MCP servers by name. */
export const mcpServersSchema = z.record(
  z
    .string()
    .regex(
      /^[A-Za-z][A-Za-z0-9_-]*$/,
      'An MCP server name may contain letters, digits, "_" and "-", and starts with a letter.',
    ),
  mcpServerConfigSchema,
);

/** An MCP server's configuration, as written. */
export type McpServerConfig = z.input<typeof mcpServerConfigSchema>;

/** An agent's reference to a team MCP server in its `tools`: `{ mcp: "files" }`, optionally narrowed. */
export const mcpToolReferenceSchema = strictObject(
  {
    /**
     * The server's name under the team's `mcpServers`, or the server itself (`{ command, args,
     * env }` or `{ url, headers }`), which then belongs to this agent alone.
     */
    mcp: z.union([z.string().min(1), mcpServerConfigSchema], {
      error: (issue) =>
        typeof issue.input === "object"
          ? undefined
          : "mcp must name one of the team's mcpServers, or be a server: { command, args, env } or { url, headers }.",
    }),
    /** Only these of the server's tools (names as the server gives them, before the prefix). */
    tools: z.array(z.string().min(1)).min(1).optional(),
  },
  "an MCP tool reference",
);

/** `{ mcp: "files" }` (or `{ mcp: { command, … } }`) in an agent's `tools`. */
export type McpToolReference = z.input<typeof mcpToolReferenceSchema>;

/** An MCP reference by server name. */
export interface NamedMcpReference {
  mcp: string;
  tools?: string[] | undefined;
}

/** Whether a tool name is one a provider accepts. */
export function isValidToolName(name: string): boolean {
  return TOOL_NAME.test(name);
}
