import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError, LLMTeam, type TeamConfig } from "llmteam";
import { ScriptedModel } from "llmteam/testing";

const NODE = process.execPath;
const EVERYTHING = "node_modules/@modelcontextprotocol/server-everything/dist/index.js";
const FILESYSTEM = "node_modules/@modelcontextprotocol/server-filesystem/dist/index.js";
const FAULT = "test/support/mcp-fault-server.mjs";

const teams: LLMTeam[] = [];
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "llmteam-mcp-"));
});
afterEach(async () => {
  await Promise.all(teams.splice(0).map((team) => team.close()));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function team(config: Omit<TeamConfig, "teamId">, model: ScriptedModel): LLMTeam {
  const built = LLMTeam.fromConfig(
    { teamId: "mcp", model: "m/x", ...config },
    {
      models: { "m/x": model },
    },
  );
  teams.push(built);
  return built;
}

function fault(mode: string, state?: string) {
  return { command: NODE, args: [FAULT, mode, ...(state ? [state] : [])] };
}

/** Process ids of running processes whose command line contains `text`. */
function processesWith(text: string): number[] {
  const listing = execFileSync("ps", ["-eo", "pid=,args="], { encoding: "utf8" });
  return listing
    .split("\n")
    .filter((line) => line.includes(text) && !line.includes("ps -eo"))
    .map((line) => Number.parseInt(line.trim(), 10));
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("tools from MCP servers", () => {
  it("gives an agent the tools of server-everything over stdio, shared across runs, stopped on close", async () => {
    const model = new ScriptedModel({
      responses: [
        { toolCalls: [{ toolName: "get-sum", input: { a: 2, b: 3 } }] },
        "The sum is 5.",
        { toolCalls: [{ toolName: "echo", input: { message: "again" } }] },
        "Echoed.",
      ],
    });
    const built = team(
      {
        mcpServers: {
          every: { command: NODE, args: [EVERYTHING, "stdio"], tools: ["echo", "get-sum"] },
        },
        agents: [{ type: "llm", role: "solver", prompt: "{query}", tools: [{ mcp: "every" }] }],
      },
      model,
    );
    expect(built.mcpServers.get("every")!.connected).toBe(false);
    const first = await built.run("add 2 and 3");
    expect(first.success).toBe(true);
    const call = first.agentResults[0]!.toolCalls![0]!;
    expect(call).toMatchObject({ name: "get-sum", success: true });
    expect(String(call.output)).toContain("5");
    // The model saw the server's own JSON Schemas, and only the allowed tools.
    const tools = model.calls[0]!.options.tools!;
    expect(tools.map((tool) => tool.name)).toEqual(["echo", "get-sum"]);
    expect(tools[1]).toMatchObject({
      inputSchema: { type: "object", properties: { a: { type: "number" }, b: { type: "number" } } },
    });
    const pid = built.mcpServers.get("every")!.pid!;
    expect(isRunning(pid)).toBe(true);
    const second = await built.run("echo again");
    expect(second.agentResults[0]!.toolCalls![0]!.output).toBe("Echo: again");
    expect(built.mcpServers.get("every")!.pid).toBe(pid);
    await built.close();
    expect(isRunning(pid)).toBe(false);
  });

  it("reads a file through server-filesystem with a name prefix", async () => {
    await writeFile(join(dir, "note.txt"), "The password is swordfish.");
    const model = new ScriptedModel({
      responses: [
        { toolCalls: [{ toolName: "fs_read_text_file", input: { path: join(dir, "note.txt") } }] },
        "It says swordfish.",
      ],
    });
    const built = team(
      {
        mcpServers: {
          files: {
            command: NODE,
            args: [FILESYSTEM, dir],
            prefix: "fs_",
            tools: ["read_text_file"],
          },
        },
        agents: [{ type: "llm", role: "reader", prompt: "{query}", tools: [{ mcp: "files" }] }],
      },
      model,
    );
    const result = await built.run("what does the note say?");
    expect(result.agentResults[0]!.toolCalls![0]).toMatchObject({
      name: "fs_read_text_file",
      success: true,
      // server-filesystem answers with structured content: the model reads that object.
      output: { content: "The password is swordfish." },
    });
  });

  describe("over Streamable HTTP", () => {
    let http: HttpServer;
    let url: string;
    beforeAll(async () => {
      http = createServer((request, response) => {
        const server = new McpServer({ name: "http-test", version: "1.0.0" });
        server.registerTool(
          "shout",
          { description: "Upper-cases text", inputSchema: { text: z.string() } },
          ({ text }) => ({ content: [{ type: "text", text: text.toUpperCase() }] }),
        );
        const transport = new StreamableHTTPServerTransport({});
        response.on("close", () => void transport.close());
        if (request.headers["x-token"] !== "secret") {
          response.writeHead(401).end("no token");
          return;
        }
        void server.connect(transport).then(() => transport.handleRequest(request, response));
      });
      await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
      url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;
    });
    afterAll(() => new Promise<void>((resolve) => http.close(() => resolve())));

    it("calls a tool of a server started in the test, with its headers (${VAR} read from the environment)", async () => {
      process.env.MCP_TEST_TOKEN = "secret";
      const model = new ScriptedModel({
        responses: [{ toolCalls: [{ toolName: "shout", input: { text: "hi" } }] }, "HI"],
      });
      const built = team(
        {
          mcpServers: { remote: { url, headers: { "x-token": "${MCP_TEST_TOKEN}" } } },
          agents: [{ type: "llm", role: "caller", prompt: "{query}", tools: [{ mcp: "remote" }] }],
        },
        model,
      );
      const result = await built.run("shout hi");
      expect(result.agentResults[0]!.toolCalls![0]).toMatchObject({ name: "shout", output: "HI" });
    });
  });

  it("asks the approver for a server marked needsApproval, and refuses without one", async () => {
    const model = new ScriptedModel({
      responses: [{ toolCalls: [{ toolName: "ping", input: {} }] }, "Not allowed."],
    });
    const built = team(
      {
        mcpServers: { guarded: { ...fault("ok"), needsApproval: ["ping"] } },
        agents: [{ type: "llm", role: "caller", prompt: "{query}", tools: [{ mcp: "guarded" }] }],
      },
      model,
    );
    const result = await built.run("ping");
    expect(result.agentResults[0]!.toolCalls![0]).toMatchObject({
      name: "ping",
      success: false,
      errorReason: "denied",
    });
  });
});

describe("MCP configuration errors at load time", () => {
  const model = new ScriptedModel({ responses: [] });

  it("refuses two unprefixed servers for one agent, and accepts them prefixed", () => {
    const agents = [
      { type: "llm", role: "a", prompt: "{query}", tools: [{ mcp: "one" }, { mcp: "two" }] },
    ] as const;
    const config = (prefix: string | undefined) => ({
      mcpServers: {
        one: { command: NODE, args: [EVERYTHING, "stdio"] },
        two: { command: NODE, args: [FILESYSTEM, dir], ...(prefix ? { prefix } : {}) },
      },
      agents: [...agents],
    });
    expect(() => team(config(undefined) as never, model)).toThrow(
      /MCP servers "one" and "two" may give this agent tools of the same name/,
    );
    expect(() => team(config("fs_") as never, model)).not.toThrow();
  });

  it("names an unknown server, and a server with neither command nor url", () => {
    const unknown = LLMTeam.checkConfig({
      teamId: "t",
      model: "m/x",
      mcpServers: { files: { command: "x" } },
      agents: [{ type: "llm", role: "a", prompt: "{query}", tools: [{ mcp: "fils" }] }],
    });
    expect(unknown.errors.map((issue) => issue.message).join("\n")).toMatch(
      /Unknown MCP server "fils"\. Servers of this team \(mcpServers\): files\./,
    );
    let error: unknown;
    try {
      team({ mcpServers: { bad: { args: ["x"] } as never }, agents: [] }, model);
    } catch (caught) {
      error = caught;
    }
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as ConfigError).message).toMatch(/needs command .* or url/);
  });
});

describe("MCP server faults", () => {
  it("a server that fails to start fails the agent with an error naming it and its stderr", async () => {
    const model = new ScriptedModel({ responses: ["unused"] });
    const built = team(
      {
        mcpServers: { db: fault("crash") },
        agents: [{ type: "llm", role: "a", prompt: "{query}", tools: [{ mcp: "db" }] }],
      },
      model,
    );
    const result = await built.run("q");
    expect(result.success).toBe(false);
    expect(result.error?.message).toMatch(/MCP server "db" failed to start/);
    expect(result.error?.message).toContain("cannot open its database");
    expect(model.calls).toHaveLength(0);
  });

  it("a server that hangs on initialise times out and leaves no process", async () => {
    const marker = join(dir, "hang-state");
    const built = team(
      {
        mcpServers: { stuck: { ...fault("hang", marker), startupTimeoutMs: 300 } },
        agents: [{ type: "llm", role: "a", prompt: "{query}", tools: [{ mcp: "stuck" }] }],
      },
      new ScriptedModel({ responses: ["unused"] }),
    );
    const result = await built.run("q");
    expect(result.error?.message).toMatch(/MCP server "stuck" failed to start .*timed out/i);
    expect(processesWith(marker)).toEqual([]);
  });

  it("a malformed schema names the server and tool; an allow-list leaves the tool out", async () => {
    const config = (tools?: string[]) => ({
      mcpServers: { odd: { ...fault("bad-schema"), ...(tools ? { tools } : {}) } },
      agents: [{ type: "llm", role: "a", prompt: "{query}", tools: [{ mcp: "odd" }] }],
    });
    const bad = await team(config() as never, new ScriptedModel({ responses: ["x"] })).run("q");
    expect(bad.error?.message).toMatch(
      /MCP server "odd", tool "broken": its inputSchema is not a JSON Schema of an object/,
    );
    expect((bad.error as { code?: string } | undefined)?.code).toBe("mcp_server_error");
    const good = await team(
      config(["ping"]) as never,
      new ScriptedModel({ responses: [{ toolCalls: [{ toolName: "ping", input: {} }] }, "pong"] }),
    ).run("q");
    expect(good.agentResults[0]!.toolCalls![0]).toMatchObject({ output: "pong", success: true });
  });

  it("a result that is not JSON, or not a tool result, is an error the model reads", async () => {
    for (const mode of ["garbage", "not-result"]) {
      const model = new ScriptedModel({
        responses: [{ toolCalls: [{ toolName: "ping", input: {} }] }, "The tool failed."],
      });
      const built = team(
        {
          mcpServers: { noisy: { ...fault(mode), timeoutMs: 3_000 } },
          agents: [{ type: "llm", role: "a", prompt: "{query}", tools: [{ mcp: "noisy" }] }],
        },
        model,
      );
      const result = await built.run("q");
      expect(result.success).toBe(true);
      const call = result.agentResults[0]!.toolCalls![0]!;
      expect(call.success).toBe(false);
      expect(call.error).toMatch(/MCP server "noisy", tool "ping"/);
      // The error went back to the model as the tool's result.
      expect(JSON.stringify(model.calls[1]!.options.prompt)).toContain('MCP server \\"noisy\\"');
    }
  });

  it("a server that exits mid-call is restarted once, then reported; no process is left", async () => {
    const state = join(dir, "exit-state");
    const model = new ScriptedModel({
      responses: [
        { toolCalls: [{ toolName: "ping", input: { text: "1" } }] },
        { toolCalls: [{ toolName: "ping", input: { text: "2" } }] },
        { toolCalls: [{ toolName: "ping", input: { text: "3" } }] },
        "Gave up.",
      ],
    });
    const built = team(
      {
        mcpServers: { flaky: fault("exit", state) },
        agents: [
          {
            type: "llm",
            role: "a",
            prompt: "{query}",
            tools: [{ mcp: "flaky" }],
            maxToolRounds: 3,
          },
        ],
      },
      model,
    );
    const result = await built.run("q");
    const calls = result.agentResults[0]!.toolCalls!;
    expect(calls.map((call) => call.success)).toEqual([false, false, false]);
    expect(calls[0]!.error).toMatch(/MCP server "flaky", tool "ping": .*closed/i);
    expect(calls[2]!.error).toMatch(/exited again after it was restarted once/);
    const started = (await readFile(state, "utf8")).trim().split("\n");
    expect(started).toHaveLength(2);
    await built.close();
    expect(processesWith(state)).toEqual([]);
  });

  it("a call past the server's timeoutMs fails with a timeout and the run goes on", async () => {
    const model = new ScriptedModel({
      responses: [{ toolCalls: [{ toolName: "ping", input: {} }] }, "Too slow."],
    });
    const built = team(
      {
        mcpServers: { slow: { ...fault("slow"), timeoutMs: 200 } },
        agents: [{ type: "llm", role: "a", prompt: "{query}", tools: [{ mcp: "slow" }] }],
      },
      model,
    );
    const result = await built.run("q");
    expect(result.success).toBe(true);
    expect(result.agentResults[0]!.toolCalls![0]).toMatchObject({ errorReason: "timeout" });
  });
});

describe("an MCP server written in an agent's tools", () => {
  it("belongs to that agent and is stopped with the team", async () => {
    const model = new ScriptedModel({
      responses: [{ toolCalls: [{ toolName: "echo", input: { message: "inline" } }] }, "done"],
    });
    const built = team(
      {
        agents: [
          {
            type: "llm",
            role: "solo",
            prompt: "{query}",
            tools: [{ mcp: { command: NODE, args: [EVERYTHING, "stdio"], tools: ["echo"] } }],
          },
        ],
      },
      model,
    );
    const result = await built.run("echo");
    expect(result.agentResults[0]!.toolCalls![0]).toMatchObject({ output: "Echo: inline" });
    const server = built.mcpServers.get("agents.0.tools.0")!;
    const pid = server.pid!;
    expect(isRunning(pid)).toBe(true);
    await built.close();
    expect(isRunning(pid)).toBe(false);
  });
});
