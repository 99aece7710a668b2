import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startOpenAIWireServer, type WireReply } from "./support/openai-wire-server.js";
import { cli, tempFile } from "./support/run-cli.js";

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function server(replies: WireReply[]) {
  const started = await startOpenAIWireServer(replies);
  close = started.close;
  return started;
}

const team = (baseURL: string, agents: string, extra = "") => `
teamId: desk
providers:
  lab: { type: openai-compatible, baseURL: "${baseURL}" }
model: lab/small
${extra}
agents:
${agents}
`;

const decision = (nextAgent: string, reason: string): WireReply => ({
  text: JSON.stringify({ nextAgent, reason, done: nextAgent === "" }),
});

describe("llmteam run: groups", () => {
  it("runs a group on --model, the orchestrator using a provider its teams declare", async () => {
    const { baseURL, requests } = await server([
      decision("ops", "ops knows"),
      { text: "restart it" },
      decision("", "answered"),
    ]);
    const group = await tempFile(`
groupId: escalation
role: router
model: openai/gpt-4o-mini
teams:
  - team:
      teamId: ops
      providers: { lab: { type: openai-compatible, baseURL: "${baseURL}" } }
      agents: [{ type: llm, role: engineer, prompt: "Fix: {query}" }]
`);
    const { code, stdout, stderr } = await cli(["run", group, "--model", "lab/small", "-q", "x"]);
    expect(stderr).toContain("unknown option -q");
    expect(code).toBe(2);
    const run = await cli(["run", group, "--model", "lab/small", "--query", "site down"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("◆ router 1: → ops — ops knows");
    expect(run.stdout).toMatch(/Final output:\nrestart it/);
    expect(requests.map((request) => request.body.model)).toEqual(["small", "small", "small"]);
    expect(stdout).toBe("");
  });

  it("shows agents running at the same time one block each, never mixed", async () => {
    const words = (prefix: string) => [1, 2, 3, 4, 5].map((index) => `${prefix}${index} `);
    const { baseURL } = await server([
      { chunks: words("a"), chunkDelayMs: 15 },
      { chunks: words("b"), chunkDelayMs: 15 },
    ]);
    const member = (id: string) => `
  - team:
      teamId: ${id}
      providers: { lab: { type: openai-compatible, baseURL: "${baseURL}" } }
      model: lab/small
      stream: true
      agents: [{ type: llm, role: ${id}writer, prompt: "${id}: {query}" }]`;
    const group = await tempFile(
      `groupId: both\nrole: aggregator\nteams:${member("left")}${member("right")}\n`,
    );
    const { code, stdout } = await cli(["run", group, "--query", "q"]);
    expect(code).toBe(0);
    expect(stdout).toContain("a1 a2 a3 a4 a5 ");
    expect(stdout).toContain("b1 b2 b3 b4 b5 ");
    // Each agent's header comes right before its own text.
    expect(stdout).toMatch(/● (left|right)writer \[lab\/small\]\n[ab]1 [ab]2/);
  });
});

describe("llmteam run: live reasons", () => {
  it("shows a retry with the error and the wait, then the answer", async () => {
    const { baseURL } = await server([
      { status: 503, error: "overloaded", headers: { "retry-after-ms": "1" } },
      { text: "fine" },
    ]);
    const file = await tempFile(
      team(baseURL, '  - { type: llm, role: writer, prompt: "{query}" }'),
    );
    const { code, stdout } = await cli(["run", file, "--query", "q"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/↻ lab\/small attempt 1 failed: .*overloaded.*; retry in \d+ ms/);
  });
});

describe("llmteam run: checks before the run", () => {
  it("refuses a --report path it cannot write before calling any model", async () => {
    const { baseURL, requests } = await server([{ text: "x" }]);
    const file = await tempFile(team(baseURL, '  - { type: llm, role: w, prompt: "{query}" }'));
    const missing = join(dirname(file), "no-such-dir", "report.md");
    const { code, stderr } = await cli(["run", file, "--query", "q", "--report", missing]);
    expect(code).toBe(2);
    expect(stderr).toContain(`--report ${missing}: the directory`);
    expect(stderr).toContain("does not exist");
    const directory = await cli(["run", file, "--query", "q", "--report", dirname(file)]);
    expect(directory.code).toBe(2);
    expect(directory.stderr).toContain("is a directory");
    expect(requests).toHaveLength(0);
    expect(existsSync(missing)).toBe(false);
  });

  it("answers an unknown option in one line with the closest known one", async () => {
    const { code, stderr } = await cli(["run", "team.yaml", "--modle", "x/y"]);
    expect(code).toBe(2);
    expect(stderr).toBe(
      "llmteam: unknown option --modle for run. Did you mean --model? See llmteam run --help.\n",
    );
    expect((await cli(["valdate"])).stderr).toContain("Did you mean validate?");
    expect((await cli(["run", "t.yaml", "--query"])).stderr).toBe(
      "llmteam: --query needs a value. See llmteam run --help.\n",
    );
  });

  it("lists every option of every command in --help", async () => {
    const { code, stdout } = await cli(["--help"]);
    expect(code).toBe(0);
    for (const option of [
      "--query",
      "--input",
      "--model",
      "--json",
      "--report",
      "--budget-db",
      "--task",
      "--output",
      "--yes",
      "--version",
    ])
      expect(stdout).toContain(option);
    expect(stdout).toContain("130 the run was cancelled");
  });

  it("says one agent, and speaks of the file rather than of API calls", async () => {
    const file = await tempFile(
      team("http://127.0.0.1:1/v1", '  - { type: llm, role: w, prompt: "{query}" }'),
    );
    expect((await cli(["validate", file])).stdout).toContain('team "desk" with 1 agent is valid');
    const empty = await tempFile("teamId: empty\nmodel: local/demo\nagents: []\n");
    const { code, stderr } = await cli(["run", empty, "--query", "q"]);
    expect(code).toBe(2);
    expect(stderr).toContain("has no agents. Add at least one under agents:");
    expect(stderr).not.toContain("addAgent");
  });
});

describe("Ctrl-C on the built-in local model", () => {
  it('ends with "run cancelled", the usage so far and exit code 130', async () => {
    const entry = join(import.meta.dirname, "support", "cli-entry.ts");
    const child = spawn(
      process.execPath,
      ["--import", "tsx", entry, "run", "examples/quickstart.yaml", "--query", "coffee"],
      { env: { ...process.env, OPENAI_API_KEY: "" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const started = new Promise<void>((resolve) =>
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes("● planner")) resolve();
      }),
    );
    await started;
    child.kill("SIGINT");
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(stderr).toContain("run cancelled");
    expect(stdout).toMatch(/Usage \(\d+ agents?, \d+ ms\):/);
    expect(code).toBe(130);
  }, 60_000);
});
