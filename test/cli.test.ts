import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { parse as parseYaml } from "yaml";
import { afterEach, describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";
import { startOpenAIWireServer } from "./support/openai-wire-server.js";

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function cli(argv: string[], env: Record<string, string> = {}) {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), env });
  return { code, stdout, stderr };
}

async function teamFile(text: string, name = "team.yaml"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "llmteam-cli-"));
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

const TEAM = (baseURL: string) => `
teamId: support
providers:
  lab: { type: openai-compatible, baseURL: "${baseURL}" }
model: lab/small
agents:
  - { type: llm, role: triage, prompt: "Classify: {query}" }
  - { type: llm, role: writer, prompt: "Reply to {query} ({triage})" }
`;

describe("llmteam run", () => {
  it("shows each agent and its tokens as they come, then the final output and usage", async () => {
    const server = await startOpenAIWireServer([{ chunks: ["bill", "ing"] }, { chunks: ["We", " fixed", " it."] }]);
    close = server.close;
    const { code, stdout } = await cli(["run", await teamFile(TEAM(server.baseURL)), "--query", "invoice wrong"]);
    expect(code).toBe(0);
    expect(stdout).toContain("● triage [lab/small]");
    expect(stdout).toContain("billing");
    expect(stdout.indexOf("● writer")).toBeGreaterThan(stdout.indexOf("billing"));
    expect(stdout).toMatch(/Final output:\nWe fixed it\./);
    expect(stdout).toMatch(/total\s+20 in \+ 10 out tokens/);
  });

  it("prints one JSON event per line with --json", async () => {
    const server = await startOpenAIWireServer([{ text: "billing" }, { text: "done" }]);
    close = server.close;
    const { code, stdout } = await cli(["run", await teamFile(TEAM(server.baseURL)), "--input", '{"query":"q"}', "--json"]);
    expect(code).toBe(0);
    const events = stdout.trim().split("\n").map((line) => JSON.parse(line) as { type: string; seq: number });
    expect(events[0]!.type).toBe("run_started");
    expect(events.at(-1)!.type).toBe("run_completed");
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
  });

  it("exits 1 with a one-line reason when the run fails", async () => {
    const server = await startOpenAIWireServer([{ status: 400, error: "context length exceeded" }]);
    close = server.close;
    const { code, stderr } = await cli(["run", await teamFile(TEAM(server.baseURL)), "--query", "q"]);
    expect(code).toBe(1);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toContain('run failed at agent "triage"');
    expect(stderr).toContain("context length exceeded");
  });

  it("exits 2 on bad usage", async () => {
    expect((await cli(["run"])).code).toBe(2);
    const both = await cli(["run", "x.yaml", "--query", "a", "--input", "{}"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("either --query or --input");
    expect((await cli(["frobnicate"])).stderr).toContain('unknown command "frobnicate"');
  });

  it("has --help on every command", async () => {
    for (const command of ["run", "validate", "schema"]) {
      const { code, stdout } = await cli([command, "--help"]);
      expect(code).toBe(0);
      expect(stdout).toContain(`llmteam ${command}`);
    }
  });
});

describe("llmteam validate", () => {
  it("prints every error with file, line and key, and exits 2", async () => {
    const file = await teamFile("teamId: t\nagents:\n  - type: llm\n    role: a\n    prompt: p\n    modle: x\n  - type: lm\n    role: b\n    prompt: q\n");
    const { code, stderr } = await cli(["validate", file]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${file}:6:5 agents.0.modle: Unknown key "modle"`);
    expect(stderr).toContain(`${file}:7:5 agents.1.type: Unknown agent type "lm"`);
  });

  it("accepts a valid file", async () => {
    const { code, stdout } = await cli(["validate", await teamFile(TEAM("http://127.0.0.1:1/v1"))]);
    expect(code).toBe(0);
    expect(stdout).toContain('team "support" with 2 agents is valid');
  });
});

describe("llmteam schema", () => {
  it("prints a JSON Schema that accepts a valid team file and rejects a bad one", async () => {
    const { code, stdout } = await cli(["schema"]);
    expect(code).toBe(0);
    const validate = new Ajv2020({ strict: false }).compile(JSON.parse(stdout) as object);
    expect(validate(parseYaml(TEAM("http://x/v1")))).toBe(true);
    expect(validate({ teamId: "t", agents: [{ type: "llm", role: "a", prompt: "p", bogus: 1 }] })).toBe(false);
  });
});
