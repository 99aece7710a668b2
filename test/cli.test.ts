import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { parse as parseYaml } from "yaml";
import { afterEach, describe, expect, it } from "vitest";
import { cli } from "./support/run-cli.js";
import { startOpenAIWireServer } from "./support/openai-wire-server.js";

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

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
    const server = await startOpenAIWireServer([
      { chunks: ["bill", "ing"] },
      { chunks: ["We", " fixed", " it."] },
    ]);
    close = server.close;
    const { code, stdout } = await cli([
      "run",
      await teamFile(TEAM(server.baseURL)),
      "--query",
      "invoice wrong",
    ]);
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
    const { code, stdout } = await cli([
      "run",
      await teamFile(TEAM(server.baseURL)),
      "--input",
      '{"query":"q"}',
      "--json",
    ]);
    expect(code).toBe(0);
    const events = stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { type: string; seq: number });
    expect(events[0]!.type).toBe("run_started");
    expect(events.at(-1)!.type).toBe("run_completed");
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
  });

  it("exits 1 with a one-line reason when the run fails", async () => {
    const server = await startOpenAIWireServer([{ status: 400, error: "context length exceeded" }]);
    close = server.close;
    const { code, stderr } = await cli([
      "run",
      await teamFile(TEAM(server.baseURL)),
      "--query",
      "q",
    ]);
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
    const file = await teamFile(
      "teamId: t\nagents:\n  - type: llm\n    role: a\n    prompt: p\n    modle: x\n  - type: lm\n    role: b\n    prompt: q\n",
    );
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
    expect(
      validate({ teamId: "t", agents: [{ type: "llm", role: "a", prompt: "p", bogus: 1 }] }),
    ).toBe(false);
  });
});

const PRICED_TEAM = (baseURL: string, extra = "") => `
teamId: billing
providers:
  openai: { type: openai-compatible, baseURL: "${baseURL}" }
model: openai/gpt-4o-mini
maxTokens: 100
${extra}
agents:
  - { type: llm, role: triage, prompt: "Classify: {query}" }
  - { type: llm, role: writer, prompt: "Reply to {query} ({triage})" }
`;

describe("llmteam run: cost", () => {
  it("prints the cost of each agent and the total at real prices, and marks unpriced models", async () => {
    // 10 in + 5 out tokens per call at $0.15 / $0.60 per 1M = 4.5 µ$
    const server = await startOpenAIWireServer([{ text: "billing" }, { text: "done" }]);
    close = server.close;
    const { code, stdout } = await cli([
      "run",
      await teamFile(PRICED_TEAM(server.baseURL)),
      "--query",
      "q",
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/triage\s+openai\/gpt-4o-mini\s+10 in \+ 5 out tokens\s+\$0\.0000045/);
    expect(stdout).toMatch(/total\s+20 in \+ 10 out tokens\s+\$0\.000009/);
    const unpriced = await startOpenAIWireServer([{ text: "billing" }, { text: "done" }]);
    const local = await cli(["run", await teamFile(TEAM(unpriced.baseURL)), "--query", "q"]);
    await unpriced.close();
    expect(local.stdout).toMatch(/triage\s+lab\/small\s+10 in \+ 5 out tokens\s+unpriced/);
    expect(local.stdout).toContain("no price known for lab/small: not in the total");
    // Unknown, never $0.
    expect(local.stdout).toMatch(/total\s+20 in \+ 10 out tokens\s+unpriced/);
    expect(local.stdout).not.toMatch(/\$0\b/);
  });
});

describe("llmteam budget status", () => {
  it("shows a day budget's spend kept in SQLite across runs, and stops a run that would pass it", async () => {
    const server = await startOpenAIWireServer(Array.from({ length: 6 }, () => ({ text: "ok" })));
    close = server.close;
    // Each call reserves ~100 output tokens × $0.60/1M + input ≈ 62 µ$ and really costs 4.5 µ$.
    const file = await teamFile(
      PRICED_TEAM(server.baseURL, "budgets:\n  - { maxCost: 0.000075, period: day }"),
    );
    const database = join(await mkdtemp(join(tmpdir(), "llmteam-budget-")), "budgets.db");
    expect((await cli(["run", file, "--query", "q", "--budget-db", database])).code).toBe(0);
    const status = await cli(["budget", "status", file, "--budget-db", database]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(
      /day \[billing\]\s+\$0\.000009 of \$0\.000075 \(12\.0%\), \$0\.000066 left — ok, resets/,
    );
    // The second run's first call still fits (9 + ~62.4 ≤ 75 µ$), its second does not (13.5 + ~62.6 > 75).
    const second = await cli(["run", file, "--query", "q", "--budget-db", database]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain("run budget_exceeded");
    const json = await cli(["budget", "status", file, "--budget-db", database, "--json"]);
    expect(JSON.parse(json.stdout)).toEqual([
      expect.objectContaining({ period: "day", spentUsd: 0.0000135, reservedUsd: 0 }),
    ]);
  });

  it("says when a team has no period budget", async () => {
    const { code, stdout } = await cli([
      "budget",
      "status",
      await teamFile(TEAM("http://127.0.0.1:9")),
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain("has no hour, day or month budget");
  });
});
