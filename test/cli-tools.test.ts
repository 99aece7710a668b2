import { describe, expect, it } from "vitest";
import { cli, tempFile } from "./support/run-cli.js";

const NODE = process.execPath;
const FILESYSTEM = `${process.cwd()}/node_modules/@modelcontextprotocol/server-filesystem/dist/index.js`;

describe("llmteam tools list", () => {
  it("lists each agent's tools, MCP ones included, with their schemas", async () => {
    const file = await tempFile(`teamId: docs
model: local/demo
mcpServers:
  files:
    command: ${NODE}
    args: [${FILESYSTEM}, ${process.cwd()}]
    prefix: fs_
    tools: [read_text_file, list_directory]
    needsApproval: [list_directory]
agents:
  - { type: llm, role: reader, prompt: "{query}", tools: [calculator, { mcp: files }] }
  - { type: llm, role: writer, prompt: "Write: {reader}" }
`);
    const text = await cli(["tools", "list", file]);
    expect(text.stderr).toBe("");
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Tools of team "docs":');
    expect(text.stdout).toContain("reader: 3 tools");
    expect(text.stdout).toContain("  calculator  (built-in)");
    expect(text.stdout).toContain('  fs_read_text_file  (MCP server "files")');
    expect(text.stdout).toContain('  fs_list_directory  (MCP server "files", needs approval)');
    expect(text.stdout).toContain("writer: no tools");
    const json = await cli(["tools", "list", file, "--json"]);
    const listed = JSON.parse(json.stdout) as {
      agentPath: string;
      tools: { name: string; parameters: { type: string; required?: string[] } }[];
    }[];
    const read = listed[0]!.tools.find((tool) => tool.name === "fs_read_text_file")!;
    expect(read.parameters).toMatchObject({ type: "object", required: ["path"] });
  });

  it("reports a server that cannot start, naming it, with exit code 1", async () => {
    const file = await tempFile(`teamId: broken
model: local/demo
mcpServers:
  gone: { command: /nonexistent/mcp-server }
agents:
  - { type: llm, role: a, prompt: "{query}", tools: [{ mcp: gone }] }
`);
    const result = await cli(["tools", "list", file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /MCP server "gone" failed to start \(\/nonexistent\/mcp-server\)/,
    );
  });

  it("is a usage error without the list action", async () => {
    const result = await cli(["tools", "show", "x.yaml"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("usage: llmteam tools list <team-file>");
  });
});
