import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, LLMTeam, loadTeam, parseTeamText } from "llmteam";
import { ScriptedModel } from "llmteam/testing";

function configError(action: () => unknown): ConfigError {
  try {
    action();
  } catch (error) {
    if (ConfigError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("agent validation at addAgent time", () => {
  const team = () => new LLMTeam({ teamId: "t" });

  it("rejects an unknown key and lists the valid ones", () => {
    const error = configError(() =>
      team().addAgent({ type: "llm", role: "a", prompt: "p", promt: "typo" } as never),
    );
    expect(error.message).toContain('Unknown key "promt"');
    expect(error.message).toContain("Valid keys: type, role, id");
    expect(error.issues[0]!.path).toEqual(["agents", 0, "promt"]);
  });

  it("rejects a duplicate role", () => {
    const error = configError(() =>
      team()
        .addAgent({ type: "llm", role: "a", prompt: "p" })
        .addAgent({ type: "llm", role: "a", prompt: "q" }),
    );
    expect(error.message).toContain('Duplicate role "a"');
  });

  it("rejects roles starting with an underscore as reserved", () => {
    expect(
      configError(() => team().addAgent({ type: "llm", role: "_internal", prompt: "p" })).message,
    ).toContain("reserved");
  });

  it("rejects an unknown agent type, naming the valid ones", () => {
    const error = configError(() =>
      team().addAgent({ type: "vision", role: "a", prompt: "p" } as never),
    );
    expect(error.message).toContain(
      'Unknown agent type "vision". Valid types: llm, team, rag, kag, transform, http, human, switch.',
    );
  });

  it("rejects wrong value types with the path", () => {
    const error = configError(() =>
      team().addAgent({ type: "llm", role: "a", prompt: "p", temperature: "hot" } as never),
    );
    expect(error.issues[0]!.path).toEqual(["agents", 0, "temperature"]);
    expect(error.message).toContain('Expected number, got the string "hot"');
  });

  it("rejects unknown team keys", () => {
    expect(configError(() => new LLMTeam({ teamId: "t", modle: "x" } as never)).message).toContain(
      'Unknown key "modle" in a team',
    );
  });
});

describe("run-time checks before any model is called", () => {
  const model = () => new ScriptedModel({ responses: [] });

  it("refuses to run an empty team", async () => {
    await expect(new LLMTeam({ teamId: "t" }).run({ query: "q" })).rejects.toThrow(/has no agents/);
  });

  it("names a prompt variable that nothing provides when the agent is added", () => {
    const scripted = model();
    const team = new LLMTeam({ teamId: "t", model: "m/x", models: { "m/x": scripted } });
    expect(() =>
      team.addAgent({ type: "llm", role: "writer", prompt: "Reply to {query} about {topic}" }),
    ).toThrow(/reads \{topic\}, but nothing provides it.*Available here: query/);
    expect(team.agents).toHaveLength(0);
    expect(scripted.callsMade).toBe(0);
  });

  it("does not treat escaped or JSON braces as variables", async () => {
    const scripted = new ScriptedModel({ responses: ["ok"] });
    const team = new LLMTeam({ teamId: "t", model: "m/x", models: { "m/x": scripted } });
    team.addAgent({
      type: "llm",
      role: "a",
      prompt: 'Answer {query} as {"category": "x"}, literally {{query}}',
    });
    await team.run({ query: "why" });
    expect(JSON.stringify(scripted.calls[0]!.options.prompt)).toContain(
      'Answer why as {\\"category\\": \\"x\\"}, literally {query}',
    );
  });

  it("names the environment variable to set when an API key is missing", async () => {
    const team = new LLMTeam({ teamId: "t", model: "openai/gpt-4o-mini", env: {} });
    team.addAgent({ type: "llm", role: "a", prompt: "{query}" });
    await expect(team.run({ query: "q" })).rejects.toThrow(/OPENAI_API_KEY/);
  });

  it("names the known providers when a provider is unknown, when the agent is added", () => {
    const team = new LLMTeam({ teamId: "t", model: "nowhere/model" });
    expect(() => team.addAgent({ type: "llm", role: "a", prompt: "{query}" })).toThrow(
      /model: Unknown provider "nowhere".*Known providers: openai, anthropic, ollama/,
    );
  });

  it("asks for a model when neither team nor agent has one", async () => {
    const team = new LLMTeam({ teamId: "t" });
    team.addAgent({ type: "llm", role: "a", prompt: "{query}" });
    await expect(team.run({ query: "q" })).rejects.toThrow(/Agent "a" has no model/);
  });
});

describe("team files", () => {
  it("round-trips everything through toConfig", () => {
    const team = new LLMTeam({
      teamId: "support",
      model: "lab/qwen",
      temperature: 0.3,
      providers: {
        lab: {
          type: "openai-compatible",
          baseURL: "http://127.0.0.1:8080/v1",
          apiKey: "${LAB_KEY}",
        },
      },
    });
    team.addAgent({
      type: "llm",
      role: "triage",
      prompt: "Classify: {query}",
      systemPrompt: "Be brief.",
      model: "openai/gpt-4o-mini",
      maxTokens: 20,
    });
    const config = team.toConfig();
    expect(config.agents?.[0]).toEqual({
      type: "llm",
      role: "triage",
      prompt: "Classify: {query}",
      systemPrompt: "Be brief.",
      model: "openai/gpt-4o-mini",
      maxTokens: 20,
    });
    expect(config.providers?.lab?.apiKey).toBe("${LAB_KEY}");
    expect(LLMTeam.fromConfig(config).toConfig()).toEqual(config);
  });

  it("reports every YAML problem with its line and column", () => {
    const yaml = [
      "teamId: support", //           line 1
      "model: openai/gpt-4o-mini", // line 2
      "agents:", //                   line 3
      "  - type: llm", //             line 4
      "    role: triage", //          line 5
      "    prompt: 'Classify {query}'",
      "    temprature: 0.2", //       line 7
      "  - type: llm", //             line 8
      "    role: triage", //          line 9
      "    prompt: 'Reply'",
    ].join("\n");
    const error = configError(() => parseTeamText(yaml, "support.yaml"));
    expect(error.issues).toHaveLength(2);
    expect(error.issues[0]).toMatchObject({
      file: "support.yaml",
      line: 7,
      path: ["agents", 0, "temprature"],
    });
    expect(error.issues[1]).toMatchObject({
      file: "support.yaml",
      line: 9,
      path: ["agents", 1, "role"],
    });
    expect(error.message).toContain("support.yaml:7:5 agents.0.temprature: Unknown key");
  });

  it("reports YAML syntax errors with the line", () => {
    const error = configError(() => parseTeamText("teamId: t\nagents: [\n", "bad.yaml"));
    expect(error.issues[0]!.file).toBe("bad.yaml");
    expect(error.issues[0]!.line).toBeGreaterThan(1);
  });

  it("loads a JSON team file and runs it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "llmteam-"));
    const file = join(dir, "team.json");
    await writeFile(
      file,
      JSON.stringify({
        teamId: "t",
        model: "m/x",
        agents: [{ type: "llm", role: "a", prompt: "{query}" }],
      }),
    );
    const team = await loadTeam(file, {
      models: { "m/x": new ScriptedModel({ responses: ["done"] }) },
    });
    expect((await team.run("hi")).finalOutput).toBe("done");
  });

  it("names a missing file", async () => {
    await expect(loadTeam("/nonexistent/team.yaml")).rejects.toThrow(
      /team.yaml.*Cannot read team file: no such file/,
    );
  });
});
