import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import type { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { ConfigError } from "../errors/config-error.js";
import { llmteamPackage } from "../internal/package-root.js";
import type { LLMTeam } from "../team/llm-team.js";
import { loadTeamFile } from "../team/load-team.js";
import { parseCommand, UsageError } from "./cli-options.js";
import type { CliIO } from "./cli-io.js";
import { cliDefaultModel } from "./default-model.js";
import { createTeamMcpServer, teamTools, type TeamTool } from "./team-mcp-server.js";

export const MCP_HELP = `llmteam mcp <team-file>... [--port <n>] [options]

Serves teams as an MCP server: each team is a tool named by its teamId, whose arguments are the
team's inputs (default { query }) and whose result is its final output (also as structured
content when the team ends with an output schema). Progress notifications are sent as agents
finish; a cancelled request cancels the run. Over stdio by default (for editors and assistants
that start the server); with --port, over Streamable HTTP at http://<host>:<port>/mcp.

Options:
  --port <n>          serve Streamable HTTP on this port (0: any free port) instead of stdio
  --host <address>    the address to listen on with --port (default 127.0.0.1)
  --model <name>      default model of the teams' agents (as in llmteam run)
  -h, --help          show this help`;

/** `llmteam mcp <team files…>`. Resolves when the server stops (stdin closed, or Ctrl-C). */
export async function mcpCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommand("mcp", argv, {
    port: { type: "string" },
    host: { type: "string" },
    model: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    io.stdout(`${MCP_HELP}\n`);
    return 0;
  }
  if (positionals.length === 0)
    throw new UsageError("usage: llmteam mcp <team-file>... [--port <n>]. See llmteam mcp --help.");
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port < 65536))
    throw new UsageError(`--port must be a port number 0-65535 (got ${values.port}).`);
  const defaultModel = cliDefaultModel(io.env, values.model);
  const teams: LLMTeam[] = [];
  try {
    for (const file of positionals) {
      const overrides = values.model === undefined ? {} : { model: values.model };
      const { team, locate } = await loadTeamFile(file, { env: io.env, defaultModel }, overrides);
      teams.push(team);
      const { warnings } = team.check();
      if (warnings.length > 0) throw new ConfigError(warnings.map(locate));
    }
    const tools = teamTools(teams);
    const version = llmteamPackage().version;
    if (port === undefined) await serveStdio(tools, version, io);
    else await serveHttp(tools, version, port, values.host ?? "127.0.0.1", io);
  } finally {
    await Promise.all(teams.map((team) => team.close()));
  }
  return 0;
}

async function serveStdio(tools: TeamTool[], version: string, io: CliIO): Promise<void> {
  const { StdioServerTransport } = await import("@modelcontextprotocol/sdk/server/stdio.js");
  const server = await createTeamMcpServer(tools, version);
  const closed = new Promise<void>((resolve) => {
    server.onclose = resolve;
    io.signal?.addEventListener("abort", () => void server.close(), { once: true });
  });
  await server.connect(new StdioServerTransport());
  process.stdin.once("end", () => void server.close());
  io.stderr(`llmteam: serving ${tools.map((tool) => tool.name).join(", ")} over MCP (stdio).\n`);
  await closed;
}

/**
 * Streamable HTTP with sessions: each client session has its own transport and server, so a
 * cancellation notification reaches the request it cancels.
 */
async function serveHttp(
  tools: TeamTool[],
  version: string,
  port: number,
  host: string,
  io: CliIO,
): Promise<void> {
  const { StreamableHTTPServerTransport } =
    await import("@modelcontextprotocol/sdk/server/streamableHttp.js");
  const { isInitializeRequest } = await import("@modelcontextprotocol/sdk/types.js");
  const sessions = new Map<string, { transport: StreamableHTTPServerTransport; server: Server }>();
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    if (!request.url?.startsWith("/mcp")) {
      response
        .writeHead(404, { "content-type": "text/plain" })
        .end("Not found: the MCP endpoint is /mcp.\n");
      return;
    }
    const body = request.method === "POST" ? await readJson(request) : undefined;
    const id = request.headers["mcp-session-id"];
    const session = typeof id === "string" ? sessions.get(id) : undefined;
    if (session) return session.transport.handleRequest(request, response, body);
    if (request.method !== "POST" || !isInitializeRequest(body)) {
      response.writeHead(400, { "content-type": "application/json" }).end(
        JSON.stringify({
          jsonrpc: "2.0",
          error: { code: -32000, message: "No valid session: start with an initialize request." },
          id: null,
        }),
      );
      return;
    }
    const server = await createTeamMcpServer(tools, version);
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (sessionId) => void sessions.set(sessionId, { transport, server }),
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    await transport.handleRequest(request, response, body);
  };
  const http = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(port, host, resolve);
  });
  const address = http.address() as AddressInfo;
  io.stdout(
    `llmteam: serving ${tools.map((tool) => tool.name).join(", ")} over MCP at http://${host}:${address.port}/mcp (Ctrl-C stops).\n`,
  );
  await new Promise<void>((resolve) => {
    if (io.signal?.aborted) resolve();
    io.signal?.addEventListener("abort", () => resolve(), { once: true });
  });
  await Promise.all([...sessions.values()].map(({ server }) => server.close()));
  http.closeAllConnections();
  await new Promise<void>((resolve) => http.close(() => resolve()));
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 4 * 1024 * 1024) throw new Error("request body over 4 MiB");
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  try {
    return text === "" ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}
