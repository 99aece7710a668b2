import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { at, cli } from "./support/run-cli.js";
import { ConfigError, LLMTeam, loadGroup, loadTeam } from "llmteam";

async function files(entries: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "llmteam-all-"));
  for (const [name, text] of Object.entries(entries)) await writeFile(join(dir, name), text);
  return dir;
}

/** Agent 0 fails the schema; agents 1 to 3 parse, with problems of their own. */
const MIXED = [
  "teamId: t",
  "model: openai/gpt-4o-mini",
  "agents:",
  '  - { type: llm, role: a, prompt: "{query}", temprature: 0.2 }',
  '  - { type: llm, role: b, prompt: "{a} {a.category}" }',
  '  - { type: llm, role: c, prompt: "{b}", model: foo/bar }',
  '  - { type: llm, role: d, prompt: "{c} {topic}" }',
  "",
].join("\n");

describe("validate reports every problem, not only the schema's", () => {
  it("lists a schema error, an unknown provider and an unknown variable in one run, each at its line:col", async () => {
    const file = join(await files({ "team.yaml": MIXED }), "team.yaml");
    const { code, stderr } = await cli(["validate", file]);
    expect(code).toBe(2);
    const lines = stderr.trim().split("\n");
    expect(lines[0]).toBe(
      `✗ ${file}:${at(MIXED, 4, "temprature")} agents.0.temprature: Unknown key "temprature" in an agent. Valid keys: type, role, id, name, description, prompt, systemPrompt, model, fallbackModels, timeoutMs, firstTokenTimeoutMs, retryPolicy, circuitBreaker, temperature, maxTokens, outputKey, stream, outputSchema, team, transform, http, human, switch, tools, maxToolRounds, requiresApproval, escalation, knowledgeBase, query, topK, scoreThreshold, filters, includeSources, includeScores, retrievalMode, maxHops, maxEntities, includeRelations, entityTypes.`,
    );
    expect(lines[1]).toMatch(
      `✗ ${file}:${at(MIXED, 6, "model")} agents.2.model: Unknown provider "foo" in model "foo/bar".`,
    );
    expect(lines[2]).toMatch(
      `✗ ${file}:${at(MIXED, 7, "prompt")} agents.3.prompt: Agent "d" reads {topic}, but nothing provides it`,
    );
    // The missing API key is reported in the same run.
    expect(lines[3]).toMatch(
      `✗ ${file}:2:1 model: Model "openai/gpt-4o-mini": The apiKey of the built-in provider "openai" reads the environment variable OPENAI_API_KEY`,
    );
    // Agent "b" reads the broken agent's output and a field of it: no cascade is reported.
    expect(lines).toHaveLength(4);
    expect(stderr).not.toContain("agents.1");
  });

  it("throws the same problems from the API: LLMTeam.fromConfig, new LLMTeam and loadTeam", async () => {
    const file = join(await files({ "team.yaml": MIXED }), "team.yaml");
    const config = {
      teamId: "t",
      agents: [
        { type: "llm", role: "a", prompt: "{query}", temprature: 0.2 },
        { type: "llm", role: "b", prompt: "{a.category}" },
        { type: "llm", role: "c", prompt: "{b}", model: "foo/bar" },
        { type: "llm", role: "d", prompt: "{c} {topic}", model: "gpt4" },
      ],
    };
    for (const build of [
      () => LLMTeam.fromConfig(config as never),
      () => new LLMTeam(config as never),
    ]) {
      const error = catchConfigError(build);
      expect(error.issues.map((issue) => issue.path.join("."))).toEqual([
        "agents.0.temprature",
        "agents.3.prompt",
        "agents.2.model",
        "agents.3.model",
      ]);
    }
    const loaded = await loadTeam(file).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(ConfigError.isInstance(loaded)).toBe(true);
    const located = (loaded as ConfigError).issues.map(
      (issue) => `${issue.line}:${issue.column} ${issue.path.join(".")}`,
    );
    expect(located).toEqual([
      `${at(MIXED, 4, "temprature")} agents.0.temprature`,
      `${at(MIXED, 6, "model")} agents.2.model`,
      `${at(MIXED, 7, "prompt")} agents.3.prompt`,
    ]);
  });

  it("LLMTeam.checkConfig returns every error and warning without throwing", () => {
    const { team, errors, warnings } = LLMTeam.checkConfig({
      teamId: "t",
      model: "openai/gpt-4o-mini",
      env: {},
      agents: [
        { type: "llm", role: "a", prompt: "{query}", tools: ["no_such_tool"] },
        { type: "llm", role: "b", prompt: "{a} {mood}", tools: ["calculator", "nor_this"] },
      ],
    });
    expect(team).toBeUndefined();
    expect(errors.map((issue) => issue.path.join("."))).toEqual([
      "agents.0.tools.0",
      "agents.1.tools.1",
      "agents.1.prompt",
    ]);
    expect(warnings.map((issue) => issue.message)).toEqual([
      expect.stringContaining("OPENAI_API_KEY"),
    ]);
    const valid = LLMTeam.checkConfig({
      teamId: "t",
      model: "openai/gpt-4o-mini",
      env: { OPENAI_API_KEY: "k" },
      agents: [{ type: "llm", role: "a", prompt: "{query}" }],
    });
    expect(valid.errors).toEqual([]);
    expect(valid.team?.agents).toHaveLength(1);
  });

  it("reports flow errors and an unpriced model under a budget beside a broken agent", async () => {
    const text = [
      "teamId: t",
      "maxCostPerRun: 1",
      "agents:",
      '  - { type: llm, role: a, prompt: "{query}", model: openai/gpt-4o-mini, maxTokens: -1 }',
      '  - { type: llm, role: b, prompt: "{a}", model: ollama/llama3 }',
      "flow: a -> b -> ghost",
      "",
    ].join("\n");
    const file = join(await files({ "team.yaml": text }), "team.yaml");
    const { code, stderr } = await cli(["validate", file], { OPENAI_API_KEY: "k" });
    expect(code).toBe(2);
    expect(stderr).toContain(`${file}:${at(text, 4, "maxTokens")} agents.0.maxTokens:`);
    expect(stderr).toMatch(new RegExp(`${file}:6:\\d+ flow: .*"ghost"`));
    expect(stderr).toContain(`${file}:2:1 maxCostPerRun: Model "ollama/llama3" has no known price`);
  });

  it("leaves out the models of a provider that did not parse, and checks the others", async () => {
    const text = [
      "teamId: t",
      "providers:",
      '  lab: { type: openai-compatible, baseURL: "localhost:8080/v1" }',
      "agents:",
      '  - { type: llm, role: a, prompt: "{query}", model: lab/small }',
      '  - { type: llm, role: b, prompt: "{a}", model: foo/bar }',
      "",
    ].join("\n");
    const file = join(await files({ "team.yaml": text }), "team.yaml");
    const { code, stderr } = await cli(["validate", file]);
    expect(code).toBe(2);
    expect(stderr).toContain(
      `${file}:${at(text, 3, "baseURL")} providers.lab.baseURL: baseURL must start with http:// or https://`,
    );
    expect(stderr).toContain(
      `${file}:${at(text, 6, "model")} agents.1.model: Unknown provider "foo"`,
    );
    expect(stderr).not.toContain('Unknown provider "lab"');
  });

  it("skips the checks that read a part that did not parse: inputs, an agent without a readable id", async () => {
    const badInputs = [
      "teamId: t",
      "inputs: 12",
      "agents:",
      '  - { type: llm, role: a, prompt: "{topic}", model: gpt4 }',
      "",
    ].join("\n");
    const dir = await files({
      "inputs.yaml": badInputs,
      "role.yaml": [
        "teamId: t",
        "agents:",
        '  - { type: llm, role: 7, prompt: "{query}" }',
        '  - { type: llm, role: b, prompt: "{whatever}", model: gpt4 }',
        "",
      ].join("\n"),
      "top.yaml": [
        "teamId: t",
        "provider: { lab: { type: openai-compatible, baseURL: 'http://127.0.0.1:1/v1' } }",
        "agents:",
        '  - { type: llm, role: b, prompt: "{whatever}", model: lab/x }',
        "",
      ].join("\n"),
    });
    const inputs = await cli(["validate", join(dir, "inputs.yaml")]);
    expect(inputs.stderr).toContain("inputs:");
    expect(inputs.stderr).toContain(`agents.0.model: Model "gpt4" is not registered`);
    expect(inputs.stderr).not.toContain("{topic}");
    const role = await cli(["validate", join(dir, "role.yaml")]);
    expect(role.stderr).toContain("agents.0.role: role must be a string.");
    expect(role.stderr).toContain(`agents.1.model: Model "gpt4" is not registered`);
    expect(role.stderr).not.toContain("{whatever}");
    // An unknown top-level key may be a misspelt setting: only the schema error is reported.
    const top = await cli(["validate", join(dir, "top.yaml")]);
    expect(top.code).toBe(2);
    expect(top.stderr.trim().split("\n")).toEqual([
      expect.stringContaining('provider: Unknown key "provider" in a team.'),
    ]);
  });
});

describe("validate on a group file", () => {
  const MEMBER = [
    "teamId: writers",
    "agents:",
    '  - { type: llm, role: writer, prompt: "{query}", model: local/missing-model.gguf }',
    "",
  ].join("\n");
  const GROUP = [
    "groupId: desk",
    "role: report_collector",
    "teams:",
    "  - file: writers.yaml",
    "  - team:",
    "      teamId: planners",
    "      agents:",
    '        - { type: llm, role: planner, prompt: "{query}", model: openai/gpt-4o-mini }',
    "",
  ].join("\n");

  it("shows the teams' environment warnings, each in the file that holds the team", async () => {
    const dir = await files({ "writers.yaml": MEMBER, "group.yaml": GROUP });
    const group = join(dir, "group.yaml");
    const loose = await cli(["validate", group]);
    expect(loose.code).toBe(0);
    expect(loose.stderr).toContain(
      `⚠ ${join(dir, "writers.yaml")}:${at(MEMBER, 3, "model")} agents.0.model: Local model file not found: missing-model.gguf.`,
    );
    expect(loose.stderr).toContain(
      `⚠ ${group}:${at(GROUP, 8, "model")} teams.1.team.agents.0.model: Model "openai/gpt-4o-mini": The apiKey of the built-in provider "openai" reads the environment variable OPENAI_API_KEY`,
    );
    expect(loose.stdout).toContain(
      'group "desk" (report_collector) with 2 teams is valid (2 warnings',
    );
    const strict = await cli(["validate", group, "--strict"]);
    expect(strict.code).toBe(2);
    expect(strict.stderr).toContain(`✗ ${join(dir, "writers.yaml")}:${at(MEMBER, 3, "model")}`);
    const keyed = await cli(["validate", group], { OPENAI_API_KEY: "k" });
    expect(keyed.stderr).not.toContain("OPENAI_API_KEY");
    expect(keyed.stdout).toContain("is valid (1 warning:");
  });

  it("locates a member team's error in the team's own file", async () => {
    const broken = MEMBER.replace("local/missing-model.gguf", "foo/bar");
    const dir = await files({ "writers.yaml": broken, "group.yaml": GROUP });
    const { code, stderr } = await cli(["validate", join(dir, "group.yaml")]);
    expect(code).toBe(2);
    expect(stderr).toContain(
      `✗ ${join(dir, "writers.yaml")}:${at(broken, 3, "model")} agents.0.model: Unknown provider "foo"`,
    );
    await expect(loadGroup(join(dir, "group.yaml"))).rejects.toThrow(/writers\.yaml:3:\d+/);
  });
});

function catchConfigError(build: () => unknown): ConfigError {
  try {
    build();
  } catch (error) {
    if (ConfigError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}
