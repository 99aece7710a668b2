import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { at, cli } from "./support/run-cli.js";
import { ConfigError, LLMTeam, parseTeamText } from "llmteam";
import { ScriptedModel } from "llmteam/testing";
import { startOpenAIWireServer } from "./support/openai-wire-server.js";

async function teamFile(text: string, name = "team.yaml"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "llmteam-check-"));
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

describe("llmteam validate: the load-time check", () => {
  it("reports every problem of the team at once, each at its file:line:col and key", async () => {
    const text = [
      "teamId: t",
      "model: foo/bar",
      "agents:",
      '  - { type: llm, role: a, prompt: "{query} {topic}" }',
      '  - { type: llm, role: b, prompt: "{a.category}", model: gpt4 }',
      "  - type: llm",
      "    role: c",
      '    prompt: "{s.mood} {s.tone}"',
      "  - type: llm",
      "    role: s",
      '    prompt: "{query}"',
      "    outputSchema: { type: object, properties: { tone: { type: string } } }",
      "flow: a -> b -> s -> c",
      "",
    ].join("\n");
    const file = await teamFile(text);
    const { code, stderr } = await cli(["validate", file]);
    expect(code).toBe(2);
    expect(stderr).toContain(
      `${file}:${at(text, 4, "prompt")} agents.0.prompt: Agent "a" reads {topic}, but nothing provides it`,
    );
    expect(stderr).toContain(
      `${file}:${at(text, 5, "prompt")} agents.1.prompt: Agent "b" reads {a.category}, but agent "a" has no outputSchema`,
    );
    expect(stderr).toContain(
      `${file}:8:5 agents.2.prompt: Agent "c" reads {s.mood}, but the outputSchema of "s" has no field "mood" there. Fields: tone.`,
    );
    expect(stderr).not.toContain("{s.tone}");
    expect(stderr).toContain(
      `${file}:2:1 model: Unknown provider "foo" in model "foo/bar". Known providers: openai, anthropic, ollama, local.`,
    );
    expect(stderr).toContain(
      `${file}:${at(text, 5, "model")} agents.1.model: Model "gpt4" is not registered and is not of the form "provider/model".`,
    );
  });

  it("accepts a prompt variable the team declares in inputs, and checks the run input against it", async () => {
    const text = [
      "teamId: t",
      "model: lab/small",
      "inputs: { query: string, topic: string }",
      "providers:",
      "  lab: { type: openai-compatible, baseURL: BASE }",
      "agents:",
      '  - { type: llm, role: a, prompt: "{query} about {topic}" }',
      "",
    ].join("\n");
    const server = await startOpenAIWireServer([{ text: "fine" }]);
    try {
      const file = await teamFile(text.replace("BASE", server.baseURL));
      expect((await cli(["validate", file])).code).toBe(0);
      const missing = await cli(["run", file, "--query", "hi"]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(
        /input\.topic: .*Team "t" declares the inputs: query, topic\./,
      );
      expect(server.requests).toHaveLength(0);
      const ran = await cli(["run", file, "--input", '{"query":"hi","topic":"tea"}']);
      expect(ran.code).toBe(0);
      expect(server.requests).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it("reports a baseURL without a scheme as a config error (exit 2) at its line", async () => {
    const file = await teamFile(
      "teamId: t\nproviders:\n  lab: { type: openai-compatible, baseURL: 'localhost:8080/v1' }\nmodel: lab/x\nagents:\n  - { type: llm, role: a, prompt: '{query}' }\n",
    );
    const { code, stderr } = await cli(["run", file, "--query", "q"]);
    expect(code).toBe(2);
    expect(stderr).toContain(
      `${file}:3:35 providers.lab.baseURL: baseURL must start with http:// or https:// (got "localhost:8080/v1")`,
    );
  });

  it("rejects JSON with a trailing comma at its line and column", async () => {
    const file = await teamFile(
      '{"teamId": "t",\n "agents": [{"type": "llm", "role": "a", "prompt": "{query}"},]\n}\n',
      "team.json",
    );
    const { code, stderr } = await cli(["validate", file]);
    expect(code).toBe(2);
    expect(stderr).toContain(
      `${file}:2:62 Not valid JSON: a trailing comma before a closing bracket.`,
    );
  });

  it("reports a team with no agents, an unpriced model under a budget, a bad retryPolicy value", async () => {
    const empty = await teamFile("teamId: t\nagents: []\n");
    expect((await cli(["validate", empty])).stderr).toContain(
      `${empty}:2:1 agents: Team "t" has no agents.`,
    );
    const unpriced = await teamFile(
      "teamId: t\nmaxCostPerRun: 1\nmodel: ollama/llama3\nagents:\n  - { type: llm, role: a, prompt: '{query}' }\n",
    );
    const priced = await cli(["validate", unpriced]);
    expect(priced.code).toBe(2);
    expect(priced.stderr).toContain(
      `${unpriced}:2:1 maxCostPerRun: Model "ollama/llama3" has no known price`,
    );
    const retry = await teamFile(
      "teamId: t\nagents:\n  - { type: llm, role: a, prompt: '{query}', retryPolicy: { backoff: sometimes } }\n",
    );
    expect((await cli(["validate", retry])).stderr).toContain(
      'agents.0.retryPolicy.backoff: must be one of "exponential", "linear", "constant"; got the string "sometimes".',
    );
  });

  const TEXT =
    "teamId: t\nmodel: openai/gpt-4o-mini\nagents:\n  - { type: llm, role: a, prompt: '{query}' }\n  - { type: llm, role: b, prompt: '{a}', model: local/nowhere.gguf }\n";

  it("warns about a missing API key and a missing local model file; --strict and run fail on them", async () => {
    const file = await teamFile(TEXT);
    const loose = await cli(["validate", file]);
    expect(loose.code).toBe(0);
    expect(loose.stderr).toContain(
      `⚠ ${file}:2:1 model: Model "openai/gpt-4o-mini": The apiKey of the built-in provider "openai" reads the environment variable OPENAI_API_KEY, which is not set.`,
    );
    expect(loose.stderr).toContain(
      `⚠ ${file}:${at(TEXT, 5, "model")} agents.1.model: Local model file not found: nowhere.gguf.`,
    );
    expect(loose.stdout).toContain("is valid (2 warnings");
    expect((await cli(["validate", file, "--strict"])).code).toBe(2);
    const run = await cli(["run", file, "--query", "q"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `✗ ${file}:${at(TEXT, 5, "model")} agents.1.model: Local model file not found`,
    );
    expect((await cli(["validate", file], { OPENAI_API_KEY: "k" })).stderr).not.toContain(
      "OPENAI_API_KEY",
    );
  });

  it("reports an unknown agent in a one-step chain and undefined YAML aliases as config errors", async () => {
    for (const [flow, name] of [
      ["writr", "writr"],
      ["a, ghost", "ghost"],
    ]) {
      const file = await teamFile(
        `teamId: t\nflow: "${flow}"\nagents:\n  - { type: llm, role: a, prompt: "{query}" }\n`,
      );
      const { code, stderr } = await cli(["validate", file]);
      expect(code).toBe(2);
      expect(stderr).toContain(
        `${file}:2:1 flow: flow "${flow}": Unknown agent "${name}" in the flow.`,
      );
    }
    const alias = await teamFile("teamId: *nowhere\nagents: []\n");
    const aliased = await cli(["validate", alias]);
    expect(aliased.code).toBe(2);
    expect(aliased.stderr).toContain("Not valid YAML: Unresolved alias");
    const bomb = await teamFile(
      `a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [${"*a, ".repeat(9)}*a]\nc: &c [${"*b, ".repeat(9)}*b]\nteamId: t\n`,
    );
    const bombed = await cli(["validate", bomb]);
    expect(bombed.code).toBe(2);
    expect(bombed.stderr).toContain("Excessive alias count");
  });
});

describe("the load-time check through the API", () => {
  const models = () => ({ "test/m": new ScriptedModel({ responses: ["x", "y"] }) });

  it("checks new LLMTeam, fromConfig and addAgent the same way", () => {
    const config = {
      teamId: "t",
      agents: [{ type: "llm" as const, role: "a", prompt: "{query}", model: "nowhere/x" }],
    };
    expect(() => new LLMTeam(config)).toThrow(/agents\.0\.model: Unknown provider "nowhere"/);
    expect(() => LLMTeam.fromConfig(config)).toThrow(
      /agents\.0\.model: Unknown provider "nowhere"/,
    );
    const team = new LLMTeam({ teamId: "t", models: models() });
    expect(() => team.addAgent(config.agents[0]!)).toThrow(/agents\.0\.model: Unknown provider/);
    expect(() =>
      team.addAgent({ type: "llm", role: "a", prompt: "{a.x}", model: "test/m" }),
    ).toThrow(/reads \{a\}, but nothing provides it/);
  });

  it("rejects __proto__ keys instead of passing them on unchecked", () => {
    const error = (() => {
      try {
        parseTeamText(
          "teamId: t\nproviders:\n  p: { type: openai, headers: { __proto__: { x: 1 } } }\n",
        );
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as ConfigError).issues[0]).toMatchObject({
      path: ["providers", "p", "headers", "__proto__"],
      line: 3,
    });
  });

  it("rejects a run input that does not match the declared inputs before any call", async () => {
    const scripted = new ScriptedModel({ responses: [] });
    const team = new LLMTeam({
      teamId: "t",
      model: "test/m",
      models: { "test/m": scripted },
      inputs: {
        type: "object",
        properties: { query: { type: "string" }, n: { type: "integer" } },
        required: ["query"],
      },
      agents: [{ type: "llm", role: "a", prompt: "{query} {n?}" }],
    });
    await expect(team.run({ query: "q", n: "three" })).rejects.toThrow(
      /input\.n: .*declares the inputs: query, n/,
    );
    expect(() => team.stream({ query: 1 }).result).not.toThrow();
    await expect(team.stream({ query: 1 }).result).rejects.toThrow(ConfigError);
    expect(scripted.callsMade).toBe(0);
  });

  it("rejects a missing local model file from run() and stream() alike, before any call", async () => {
    const team = new LLMTeam({
      teamId: "t",
      model: "local/no-such-model.gguf",
      agents: [{ type: "llm", role: "a", prompt: "{query}" }],
    });
    await expect(team.run("q")).rejects.toThrow(/Local model file not found: no-such-model\.gguf/);
    const stream = team.stream("q");
    await expect(stream.result).rejects.toThrow(/Local model file not found/);
    await expect(
      (async () => {
        for await (const event of stream) void event;
      })(),
    ).rejects.toThrow(ConfigError);
  });
});
