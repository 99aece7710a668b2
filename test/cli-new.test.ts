import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";
import { startOpenAIWireServer, type WireReply } from "./support/openai-wire-server.js";

let close: (() => Promise<void>) | undefined;
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "llmteam-new-"));
});
afterEach(async () => {
  await close?.();
  close = undefined;
  await rm(dir, { recursive: true, force: true });
});

const TEAM = {
  teamId: "billing_desk",
  description: "Answers billing questions.",
  agents: [
    { role: "triage", prompt: "Classify this billing question: {query}", maxTokens: 100 },
    { role: "writer", prompt: "Answer {query} politely. Category: {triage}", maxTokens: 300 },
  ],
};
const design = (team: unknown, questions: string[] = []): WireReply => ({
  text: JSON.stringify({ questions, team }),
});

/** Runs the CLI in process against a local OpenAI wire server, with `input` as stdin lines. */
async function llmteam(argv: string[], replies: WireReply[], input: string[] = []) {
  const server = await startOpenAIWireServer(replies);
  close = server.close;
  let stdout = "";
  let stderr = "";
  const env = { OPENAI_API_KEY: "sk-test", OPENAI_BASE_URL: server.baseURL };
  const code = await main(argv, {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    env,
    stdin: Readable.from(input.map((line) => `${line}\n`)),
  });
  return { code, stdout, stderr, requests: server.requests, env };
}

describe("llmteam new", () => {
  it("designs a team, shows it and writes a file llmteam validate accepts", async () => {
    const file = join(dir, "team.yaml");
    const { code, stdout, requests, env } = await llmteam(
      ["new", "Answer billing questions", "--yes", "-o", file],
      [design(TEAM)],
    );
    expect(code).toBe(0);
    expect(requests).toHaveLength(1);
    expect(requests[0]!.body.response_format).toMatchObject({ type: "json_schema" });
    expect(stdout).toContain('Team "billing_desk": Answers billing questions.');
    expect(stdout).toMatch(/• writer \(maxTokens: 300\)/);
    const text = await readFile(file, "utf8");
    expect(text).toMatch(/^# Designed by `llmteam new` for: Answer billing questions/);
    let validated = "";
    const check = await main(["validate", file], {
      stdout: (out) => (validated += out),
      stderr: () => undefined,
      env,
    });
    expect([check, validated]).toEqual([0, expect.stringContaining("with 2 agents is valid")]);
  });

  it("asks the designer's questions in the terminal, then asks before writing", async () => {
    const file = join(dir, "team.yaml");
    const { code, stdout, requests } = await llmteam(
      ["new", "Help customers", "-o", file],
      [design(null, ["Which product?"]), design(TEAM)],
      ["Our SaaS billing", "y"],
    );
    expect(code).toBe(0);
    expect(stdout).toContain("? Which product?");
    expect(stdout).toContain(`Write ${file}? [Y/n]`);
    expect(JSON.stringify(requests[1]!.body.messages)).toContain("Which product? Our SaaS billing");
    expect(existsSync(file)).toBe(true);
  });

  it("writes nothing when the answer is no", async () => {
    const file = join(dir, "team.yaml");
    const { code, stdout } = await llmteam(["new", "Help", "-o", file], [design(TEAM)], ["n"]);
    expect([code, existsSync(file)]).toEqual([0, false]);
    expect(stdout).toContain("Nothing written.");
  });

  it("writes nothing and exits 1 when the designs stay invalid, saying why", async () => {
    const file = join(dir, "team.yaml");
    const bad = design({ ...TEAM, agents: [{ role: "poet", prompt: "A poem about {topic}" }] });
    const { code, stdout, stderr, requests } = await llmteam(
      ["new", "Poems", "--yes", "-o", file, "--max-repairs", "1"],
      [bad, bad],
    );
    expect([code, requests.length, existsSync(file)]).toEqual([1, 2, false]);
    expect(stdout).toMatch(/✗ design 1 refused/);
    expect(stderr).toMatch(/No team written: The model did not design a valid team in 2 answers/);
    expect(stderr).toContain("{topic}");
  });

  it("never overwrites a file and calls no model then (exit code 2)", async () => {
    const file = join(dir, "team.yaml");
    await writeFile(file, "mine");
    const { code, stderr, requests } = await llmteam(["new", "Help", "--yes", "-o", file], []);
    expect([code, requests.length]).toEqual([2, 0]);
    expect(stderr).toContain("the file exists");
    expect(await readFile(file, "utf8")).toBe("mine");
  });

  it("runs the team at once with --run", async () => {
    const file = join(dir, "team.yaml");
    const { code, stdout, requests } = await llmteam(
      [
        "new",
        "Answer billing questions",
        "--yes",
        "-o",
        file,
        "--run",
        "--query",
        "Charged twice?",
      ],
      [design(TEAM), { text: "duplicate charge" }, { text: "We refunded the second charge." }],
    );
    expect([code, requests.length]).toEqual([0, 3]);
    expect(JSON.stringify(requests[1]!.body.messages)).toContain("Charged twice?");
    expect(stdout).toContain("We refunded the second charge.");
  });
});
