import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import * as z from "zod";
import { McpServerError } from "../../errors/mcp-server-error.js";
import { interpolateEnv } from "../../providers/interpolate-env.js";
import { DEFAULT_MCP_STARTUP_TIMEOUT_MS, type McpServerConfig } from "./mcp-server-config.js";

/** Most characters of a server's stderr kept for error messages. */
const STDERR_TAIL_CHARS = 2_000;

const listResultSchema = z.looseObject({
  tools: z.array(z.unknown()),
  nextCursor: z.string().optional(),
});
const callResultSchema = z.unknown();

/** The process id of each stdio transport started (kept after the SDK forgets it on close). */
const processIds = new WeakMap<Transport, number>();

/** Pages of `tools/list` read at most (a server that pages forever is an error). */
const MAX_TOOL_PAGES = 100;

/**
 * One MCP server of a team: started on first use, shared by every agent and run of the team,
 * started again once when it dies, closed with the team. Speaks MCP through the SDK's `Client`
 * over stdio (a child process) or Streamable HTTP.
 */
export class McpConnection {
  private client: Client | undefined;
  private transport: Transport | undefined;
  private connecting: Promise<Client> | undefined;
  private listed: Promise<unknown[]> | undefined;
  /** Restarts after the server died (one is allowed). */
  private restarts = 0;
  /** The server died after its one restart. */
  private gone = false;
  private closed = false;
  private closing: Promise<void> | undefined;
  private stderrTail = "";
  private readonly inFlight = new Set<AbortController>();
  /** Process id of the running stdio server (for tests and `llmteam tools list`). */
  pid: number | undefined;

  constructor(
    readonly name: string,
    readonly config: McpServerConfig,
  ) {}

  /** Whether the server is running now. */
  get connected(): boolean {
    return this.client !== undefined;
  }

  /**
   * The server's tools as it lists them (raw MCP tool objects), listed once per connection.
   * @throws McpServerError when the server cannot be started or listing fails.
   */
  listTools(signal?: AbortSignal): Promise<unknown[]> {
    this.listed ??= this.readToolList(signal).catch((error: unknown) => {
      this.listed = undefined;
      throw error;
    });
    return this.listed;
  }

  private async readToolList(signal: AbortSignal | undefined): Promise<unknown[]> {
    const client = await this.connect(signal);
    const tools: unknown[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_TOOL_PAGES; page++) {
      let result: z.infer<typeof listResultSchema>;
      try {
        result = await client.request(
          { method: "tools/list", params: cursor === undefined ? {} : { cursor } },
          listResultSchema,
          { ...(signal ? { signal } : {}), timeout: this.startupTimeoutMs },
        );
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        throw new McpServerError(
          `MCP server "${this.name}" did not list its tools: ${messageOf(error)}${this.stderrNote()}`,
          { reason: "invalid_tools", serverName: this.name, cause: error },
        );
      }
      tools.push(...result.tools);
      cursor = result.nextCursor;
      if (cursor === undefined) return tools;
    }
    throw new McpServerError(
      `MCP server "${this.name}" listed more than ${MAX_TOOL_PAGES} pages of tools.`,
      { reason: "invalid_tools", serverName: this.name },
    );
  }

  /**
   * Calls one tool; resolves with the raw `tools/call` result. A server that died since the
   * last call is started again, once in the connection's life.
   * @throws an Error naming the server and tool when the call fails (the tool loop feeds it back).
   */
  async callTool(
    toolName: string,
    args: Record<string, unknown>,
    signal: AbortSignal | undefined,
    timeoutMs: number,
  ): Promise<unknown> {
    const client = await this.connect(signal);
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal?.reason);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
    this.inFlight.add(controller);
    try {
      return await client.request(
        { method: "tools/call", params: { name: toolName, arguments: args } },
        callResultSchema,
        // The executor's time limit ends the call first; this one only backs it up.
        { signal: controller.signal, timeout: timeoutMs + 1_000 },
      );
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      const reason = controller.signal.aborted ? controller.signal.reason : error;
      throw new Error(`MCP server "${this.name}", tool "${toolName}": ${messageOf(reason)}`, {
        cause: reason,
      });
    } finally {
      this.inFlight.delete(controller);
      signal?.removeEventListener("abort", onAbort);
    }
  }

  /** Stops the server (a stdio server's process ends: stdin closed, then SIGTERM, then SIGKILL). */
  close(): Promise<void> {
    this.closed = true;
    this.closing ??= this.disconnect();
    return this.closing;
  }

  private get startupTimeoutMs(): number {
    return this.config.startupTimeoutMs ?? DEFAULT_MCP_STARTUP_TIMEOUT_MS;
  }

  private connect(signal: AbortSignal | undefined): Promise<Client> {
    if (this.client) return Promise.resolve(this.client);
    if (this.closed) {
      return Promise.reject(
        new McpServerError(`MCP server "${this.name}" is closed: its team was closed.`, {
          reason: "closed",
          serverName: this.name,
        }),
      );
    }
    if (this.gone) {
      return Promise.reject(
        new McpServerError(
          `MCP server "${this.name}" exited again after it was restarted once; it is not started again.${this.stderrNote()}`,
          { reason: "server_exited", serverName: this.name },
        ),
      );
    }
    this.connecting ??= this.start(signal).finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async start(signal: AbortSignal | undefined): Promise<Client> {
    const { Client } = await import("@modelcontextprotocol/sdk/client/index.js");
    let transport: Transport;
    try {
      transport = await this.createTransport();
    } catch (error) {
      throw new McpServerError(`MCP server "${this.name}" failed to start: ${messageOf(error)}`, {
        reason: "start_failed",
        serverName: this.name,
        cause: error,
      });
    }
    const client = new Client({ name: "llmteam", version: "1" }, { capabilities: {} });
    let started = false;
    client.onclose = () => {
      if (this.client === client) this.client = undefined;
      this.pid = undefined;
      if (!started || this.closed) return;
      // Died: the next call starts it again, once.
      if (this.restarts >= 1) this.gone = true;
      else this.restarts++;
    };
    client.onerror = (error: Error) => {
      // A message that is not JSON-RPC (a server printing to stdout): fail the calls waiting for an answer.
      const problem = clip(error.message.replace(/\s+/g, " "));
      for (const controller of this.inFlight)
        controller.abort(
          new Error(`the server sent a message that is not valid JSON-RPC (${problem})`),
        );
    };
    try {
      await client.connect(transport, {
        timeout: this.startupTimeoutMs,
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      await this.stopTransport(transport);
      if (signal?.aborted) throw signal.reason;
      throw new McpServerError(
        `MCP server "${this.name}" failed to start (${this.describe()}): ${messageOf(error)}${this.stderrNote()}`,
        { reason: "start_failed", serverName: this.name, cause: error },
      );
    }
    if (this.closed) {
      await this.stopTransport(transport);
      throw new McpServerError(`MCP server "${this.name}" is closed: its team was closed.`, {
        reason: "closed",
        serverName: this.name,
      });
    }
    started = true;
    this.client = client;
    this.transport = transport;
    return client;
  }

  private async createTransport(): Promise<Transport> {
    const config = this.config;
    const where = `mcpServers.${this.name}`;
    const fill = (values: Record<string, string> | undefined) =>
      values &&
      Object.fromEntries(
        Object.entries(values).map(([key, value]) => [
          key,
          interpolateEnv(value, `${where}.${key}`),
        ]),
      );
    if ("url" in config) {
      const { StreamableHTTPClientTransport } =
        await import("@modelcontextprotocol/sdk/client/streamableHttp.js");
      const headers = fill(config.headers);
      return new StreamableHTTPClientTransport(
        new URL(interpolateEnv(config.url, `${where}.url`)),
        {
          ...(headers ? { requestInit: { headers } } : {}),
        },
      );
    }
    const { StdioClientTransport } = await import("@modelcontextprotocol/sdk/client/stdio.js");
    const env = fill(config.env);
    const transport = new StdioClientTransport({
      command: config.command,
      ...(config.args
        ? { args: config.args.map((arg) => interpolateEnv(arg, `${where}.args`)) }
        : {}),
      ...(env ? { env } : {}),
      ...(config.cwd ? { cwd: config.cwd } : {}),
      stderr: "pipe",
    });
    transport.stderr?.on("data", (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString("utf8")).slice(-STDERR_TAIL_CHARS);
    });
    const start = transport.start.bind(transport);
    transport.start = async () => {
      await start();
      this.pid = transport.pid ?? undefined;
      if (this.pid !== undefined) processIds.set(transport, this.pid);
    };
    return transport;
  }

  private async disconnect(): Promise<void> {
    await this.connecting?.catch(() => undefined);
    const client = this.client;
    this.client = undefined;
    this.pid = undefined;
    for (const controller of this.inFlight)
      controller.abort(new Error("the team was closed during the call"));
    const transport = this.transport;
    this.transport = undefined;
    if (client) await client.close().catch(() => undefined);
    if (transport) await this.stopTransport(transport);
  }

  /**
   * Closes a transport and, for a stdio server, waits until its process is gone (the SDK closes
   * stdin, then sends SIGTERM, then SIGKILL): no server outlives its team.
   */
  private async stopTransport(transport: Transport): Promise<void> {
    const pid = processIds.get(transport);
    await transport.close().catch(() => undefined);
    if (!pid) return;
    for (let waited = 0; isAlive(pid); waited += 50) {
      if (waited === 4_500) process.kill(pid, "SIGKILL");
      if (waited > 6_000) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  private describe(): string {
    const config = this.config;
    if ("url" in config) return config.url;
    return [config.command, ...(config.args ?? [])].join(" ");
  }

  private stderrNote(): string {
    const tail = this.stderrTail.trim();
    if (tail === "") return "";
    const lines = tail.split("\n").slice(-5).join("\n");
    return `\nServer stderr (last lines):\n${lines}`;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function clip(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
