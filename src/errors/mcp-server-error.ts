import { LLMTeamError, errorMarker, hasMarker } from "./llmteam-error.js";

const MARKER = errorMarker("McpServerError");

/**
 * What went wrong with an MCP server:
 * - `start_failed`: the server could not be started or did not finish the MCP handshake in time;
 * - `invalid_tools`: its tool list is malformed (a tool without a valid name or object schema);
 * - `duplicate_tool`: two servers (or a server and a local tool) give an agent the same tool name;
 * - `server_exited`: it stopped and was already restarted once;
 * - `closed`: the team was closed.
 */
export type McpServerFailureReason =
  "start_failed" | "invalid_tools" | "duplicate_tool" | "server_exited" | "closed";

/** Options of {@link McpServerError}. */
export interface McpServerErrorOptions {
  reason: McpServerFailureReason;
  /** The server's name under `mcpServers`. */
  serverName: string;
  /** The tool concerned, when there is one. */
  toolName?: string;
  cause?: unknown;
}

/** An MCP server an agent uses could not give it its tools. The message names the server (and tool). */
export class McpServerError extends LLMTeamError {
  readonly [MARKER] = true;
  override readonly code = "mcp_server_error";
  readonly reason: McpServerFailureReason;
  readonly serverName: string;
  readonly toolName: string | undefined;

  constructor(message: string, options: McpServerErrorOptions) {
    super(message, options);
    this.reason = options.reason;
    this.serverName = options.serverName;
    this.toolName = options.toolName;
  }

  static override isInstance(error: unknown): error is McpServerError {
    return hasMarker(error, MARKER);
  }
}
