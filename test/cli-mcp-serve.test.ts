import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempFile } from "./support/run-cli.js";

const ENTRY = join(import.meta.dirname, "support", "cli-entry.ts");

/**
 * A model server on 127.0.0.1 in the OpenAI wire format: answers by the prompt's last words,
 * and never answers a prompt containing "FREEZE" (recording when the caller gives up on it).
 */
let model: HttpServer;
let baseURL: string;
let frozenClosed: Promise<void>;
let onFrozenClosed: () => void;

beforeAll(async () => {
  frozenClosed = new Promise((resolve) => (onFrozenClosed = resolve));
  model = createServer((request, response) => {
    let raw = "";
    request.on("data", (chunk: Buffer) => (raw += chunk.toString()));
    request.on("end", () => {
      const body = JSON.parse(raw) as { messages: { content: string }[] };
      const prompt = body.messages.at(-1)!.content;
      if (prompt.includes("FREEZE")) {
        response.on("close", () => onFrozenClosed());
        return;
      }
      const text = prompt.startsWith("Describe")
        ? JSON.stringify({ title: "Cats", words: 2 })
        : `answer to ${prompt}`;
      response.writeHead(200, { "content-type": "application/json" });
      response.end(
        JSON.stringify({
          id: "c1",
          object: "chat.completion",
          created: 1,
          model: "m",
          choices: [
            { index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" },
          ],
          usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => model.listen(0, "127.0.0.1", resolve));
  baseURL = `http://127.0.0.1:${(model.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((resolve) => model.close(() => resolve())));

function teamFiles(): Promise<string[]> {
  const common = `model: lab/m
stream: false
providers:
  lab: { type: openai-compatible, baseURL: "${baseURL}", apiKey: none }
pricing: { "lab/m": { inputPer1M: 1, outputPer1M: 2 } }`;
  return Promise.all([
    tempFile(
      `teamId: writer
description: Plans, then writes an answer.
${common}
agents:
  - { type: llm, role: planner, prompt: "Plan {query}" }
  - { type: llm, role: author, prompt: "Write {planner}" }
`,
      "writer.yaml",
    ),
    tempFile(
      `teamId: describer
${common}
inputs: { topic: string, words: integer }
agents:
  - type: llm
    role: describe
    prompt: "Describe {topic} in {words} words"
    outputSchema:
      type: object
      properties: { title: { type: string }, words: { type: integer } }
      required: [title, words]
`,
      "describer.yaml",
    ),
  ]);
}

describe("llmteam mcp over stdio, with the SDK's client", () => {
  let client: Client;
  beforeAll(async () => {
    client = new Client({ name: "test", version: "1" });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: ["--import", "tsx", ENTRY, "mcp", ...(await teamFiles())],
        env: { PATH: process.env.PATH ?? "" },
        stderr: "ignore",
      }),
    );
  });
  afterAll(() => client.close());

  it("lists each team as a tool with its input (and output) schema", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(["writer", "describer"]);
    expect(tools[0]).toMatchObject({
      description: "Plans, then writes an answer.",
      inputSchema: {
        type: "object",
        properties: { query: { type: "string" } },
        required: ["query"],
      },
    });
    expect(tools[0]!.outputSchema).toBeUndefined();
    expect(tools[1]).toMatchObject({
      inputSchema: { properties: { topic: { type: "string" }, words: { type: "integer" } } },
      outputSchema: { type: "object", required: ["title", "words"] },
    });
  });

  it("runs a team, sending progress as its agents finish", async () => {
    const progress: {
      progress: number;
      total?: number | undefined;
      message?: string | undefined;
    }[] = [];
    const result = await client.callTool(
      { name: "writer", arguments: { query: "tea" } },
      undefined,
      {
        onprogress: (update) => progress.push(update),
      },
    );
    expect(result.isError).toBeFalsy();
    expect(result.content).toEqual([{ type: "text", text: "answer to Write answer to Plan tea" }]);
    // The last notification and the result can arrive in one read; the SDK's client handles
    // notifications a tick later than responses and may drop that one: the first must be there.
    expect(progress[0]).toEqual({ progress: 1, total: 2, message: "planner done" });
    expect(progress.slice(1)).toEqual(
      progress.length > 1 ? [{ progress: 2, total: 2, message: "author done" }] : [],
    );
  });

  it("returns structured content for a team with an output schema", async () => {
    const result = await client.callTool({
      name: "describer",
      arguments: { topic: "cats", words: 2 },
    });
    expect(result.structuredContent).toEqual({ title: "Cats", words: 2 });
  });

  it("answers a run that cannot start with an error result naming the problem", async () => {
    const result = await client.callTool({ name: "describer", arguments: { topic: "cats" } });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toContain("words");
  });
});

describe("llmteam mcp --port (Streamable HTTP), with the SDK's client", () => {
  let server: ChildProcess;
  let url: URL;
  beforeAll(async () => {
    server = spawn(
      process.execPath,
      ["--import", "tsx", ENTRY, "mcp", "--port", "0", ...(await teamFiles())],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    url = await new Promise<URL>((resolve, reject) => {
      let out = "";
      server.stdout!.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const found = /at (http:\/\/\S+\/mcp)/.exec(out);
        if (found) resolve(new URL(found[1]!));
      });
      server.on("exit", (code) => reject(new Error(`llmteam mcp exited with ${code}`)));
    });
  });
  afterAll(async () => {
    server.kill("SIGINT");
    await new Promise((resolve) => server.once("exit", resolve));
  });

  async function connect(): Promise<Client> {
    const client = new Client({ name: "test", version: "1" });
    await client.connect(new StreamableHTTPClientTransport(url));
    return client;
  }

  it("runs a team over HTTP with progress", async () => {
    const client = await connect();
    const progress: number[] = [];
    const result = await client.callTool(
      { name: "writer", arguments: { query: "coffee" } },
      undefined,
      {
        onprogress: (update) => progress.push(update.progress),
      },
    );
    expect(result.content).toEqual([
      { type: "text", text: "answer to Write answer to Plan coffee" },
    ]);
    expect(progress[0]).toBe(1);
    await client.close();
  });

  it("cancels the run when the client cancels the request", async () => {
    const client = await connect();
    const controller = new AbortController();
    const call = client.callTool({ name: "writer", arguments: { query: "FREEZE" } }, undefined, {
      signal: controller.signal,
    });
    // Wait until the run's model call is in flight, then cancel.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    controller.abort(new Error("user cancelled"));
    await expect(call).rejects.toThrow(/user cancelled/);
    // The run was cancelled: its model call was aborted.
    await frozenClosed;
    const after = await client.callTool({ name: "writer", arguments: { query: "more" } });
    expect(after.isError).toBeFalsy();
    await client.close();
  });
});
