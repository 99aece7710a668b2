// A misbehaving MCP server for llmteam's tests, on the SDK's low-level Server over stdio.
// Usage: node mcp-fault-server.mjs <mode> [state-file]
//   hang        reads stdin and never answers the MCP handshake
//   crash       exits with an error message before the handshake
//   bad-schema  lists a tool "broken" whose inputSchema is not an object schema, and a good "ping"
//   garbage     answers a call to "ping" with a line that is not JSON
//   exit        exits in the middle of every call to "ping" (each start appends to state-file)
//   not-result  answers a call to "ping" with a result that is not a tool result
//   slow        "ping" answers after 10 s
import { appendFileSync } from "node:fs";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";

const [mode, stateFile] = process.argv.slice(2);
if (stateFile) appendFileSync(stateFile, `${process.pid}\n`);
if (mode === "crash") {
  process.stderr.write("fault server: cannot open its database\n");
  process.exit(3);
}
if (mode === "hang") {
  process.stdin.resume();
  setInterval(() => {}, 1 << 30);
} else {
  const server = new Server({ name: "fault", version: "1.0.0" }, { capabilities: { tools: {} } });
  const ping = {
    name: "ping",
    description: "Answers pong.",
    inputSchema: { type: "object", properties: { text: { type: "string" } } },
  };
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools:
      mode === "bad-schema"
        ? [ping, { name: "broken", description: "Bad schema", inputSchema: { type: "string" } }]
        : [ping],
  }));
  server.setRequestHandler(CallToolRequestSchema, async (_request, extra) => {
    if (mode === "garbage") {
      process.stdout.write("this is not json\n");
      return new Promise(() => {});
    }
    if (mode === "exit") process.exit(1);
    if (mode === "not-result") {
      // A JSON-RPC answer whose result is a string, written past the SDK (which would fix it up).
      const answer = { jsonrpc: "2.0", id: extra.requestId, result: "pong, as plain text" };
      process.stdout.write(`${JSON.stringify(answer)}\n`);
      return new Promise(() => {});
    }
    if (mode === "slow") await new Promise((resolve) => setTimeout(resolve, 10_000));
    return { content: [{ type: "text", text: "pong" }] };
  });
  await server.connect(new StdioServerTransport());
}
