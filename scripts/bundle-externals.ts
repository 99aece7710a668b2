/**
 * The packages the bundle leaves out (loaded from node_modules, most of them lazily): the
 * build (`scripts/build.ts`) and the tests that bundle the CLI the same way use this one list.
 */
export const EXTERNAL = [
  "@ai-sdk/openai",
  "@ai-sdk/anthropic",
  "@ai-sdk/openai-compatible",
  "ioredis",
  "pg",
  "yaml",
  "node-llama-cpp",
  "gpt-tokenizer",
  "unpdf",
  // MCP is loaded when a team uses an MCP server or `llmteam mcp` runs; the OpenTelemetry API
  // must be the application's own copy, where its tracer provider is registered.
  "@modelcontextprotocol/sdk",
  "@modelcontextprotocol/sdk/*",
  "@opentelemetry/api",
  // The server's framework: an application that mounts `server.app` shares its copy.
  "hono",
  "hono/*",
  "@hono/node-server",
  // The queue engine of llmteam/worker, loaded only by workers and what enqueues runs.
  "bullmq",
];
