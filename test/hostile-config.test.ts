import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConfigError, LLMTeam, parseTeamText, readTeamFile } from "llmteam";
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

const agent = (role: string, prompt = "{query}") =>
  `  - { type: llm, role: ${role}, prompt: "${prompt}" }`;

describe("templates read own properties only", () => {
  it.each([
    "{constructor?}",
    "{toString?}",
    "{__proto__?}",
    "{query.constructor?}",
    "{query.length?}",
  ])("renders %s empty", async (read) => {
    const model = new ScriptedModel({ responses: ["ok"] });
    const team = new LLMTeam({
      teamId: "t",
      model: "test/m",
      models: { "test/m": model },
      agents: [{ type: "llm", role: "a", prompt: `[${read}]` }],
    });
    await team.run({ query: "q" });
    expect(JSON.stringify(model.calls[0]!.options.prompt)).toContain('"text":"[]"');
  });

  it("fails a required read of an inherited member instead of rendering it", async () => {
    const model = new ScriptedModel({ responses: ["ok"] });
    const team = new LLMTeam({
      teamId: "t",
      model: "test/m",
      models: { "test/m": model },
      inputs: { query: "object" },
      agents: [{ type: "llm", role: "a", prompt: "{query.constructor}" }],
    });
    const result = await team.run({ query: {} });
    expect(result.success).toBe(false);
    expect(result.error?.message).toContain("reads {query.constructor}, which has no value");
    expect(model.callsMade).toBe(0);
  });
});

describe("hostile sizes", () => {
  it("bounds the nesting and length of conditions with a clear error", () => {
    const team = (when: string) =>
      parseTeamText(
        `teamId: t\nflow:\n  edges: [{ from: a, to: b, when: '${when}' }]\nagents:\n${agent("a")}\n${agent("b")}\n`,
      );
    expect(
      configError(() => team(`${"(".repeat(10_000)}a${")".repeat(10_000)}`)).message,
    ).toContain("is 20001 characters long; the limit is 2000");
    expect(configError(() => team(`${"(".repeat(500)}a${")".repeat(500)}`)).message).toContain(
      "nesting deeper than 32 levels",
    );
    expect(configError(() => team(`${"not ".repeat(400)}a`)).message).toContain(
      "nesting deeper than 32 levels",
    );
    expect(() => team(`${"(".repeat(30)}a == "x"${")".repeat(30)}`)).not.toThrow();
  });

  it("refuses more agents, longer strings, larger enums and deeper nesting than the limits", () => {
    const agents = Array.from({ length: 1_001 }, (_, index) => ({
      type: "llm" as const,
      role: `a${index}`,
      prompt: "{query}",
    }));
    expect(configError(() => new LLMTeam({ teamId: "t", agents })).message).toContain(
      "at most 1000 agents",
    );
    expect(
      configError(() => new LLMTeam({ teamId: "t", description: "x".repeat(200_001) })).issues[0],
    ).toMatchObject({
      path: ["description"],
      message: expect.stringContaining("the limit is 200000"),
    });
    const outputSchema = {
      type: "object",
      properties: {
        pick: { type: "string", enum: Array.from({ length: 100_000 }, (_, i) => `v${i}`) },
      },
    };
    const started = performance.now();
    const error = configError(
      () =>
        new LLMTeam({
          teamId: "t",
          agents: [{ type: "llm", role: "a", prompt: "{query}", outputSchema }],
        }),
    );
    expect(error.issues[0]!.path).toEqual([
      "agents",
      0,
      "outputSchema",
      "properties",
      "pick",
      "enum",
    ]);
    expect(performance.now() - started).toBeLessThan(500);
    let deep: Record<string, unknown> = { type: "string" };
    for (let depth = 0; depth < 5_000; depth++) deep = { type: "object", properties: { x: deep } };
    expect(
      configError(
        () =>
          new LLMTeam({
            teamId: "t",
            agents: [{ type: "llm", role: "a", prompt: "{query}", outputSchema: deep }],
          }),
      ).message,
    ).toContain("nested deeper than 64 levels");
  });

  it("refuses a team file over 1 MiB", async () => {
    const file = join(await mkdtemp(join(tmpdir(), "llmteam-big-")), "team.yaml");
    await writeFile(file, `teamId: t\ndescription: "${"x".repeat(1024 * 1024)}"\n`);
    await expect(readTeamFile(file)).rejects.toThrow(/bytes; the limit is 1048576 bytes/);
  });

  it("analyses a chain of 1,000 agents in near-linear time and memory", () => {
    const roles = Array.from({ length: 1_000 }, (_, index) => `a${index}`);
    const text = `teamId: t\nflow: "${roles.join(" -> ")}"\nagents:\n${roles
      .map((role, index) => agent(role, index === 0 ? "{query}" : `{${roles[index - 1]}} {query}`))
      .join("\n")}\n`;
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    const team = new LLMTeam({
      ...parseTeamText(text),
      model: "test/m",
      models: { "test/m": new ScriptedModel({ responses: [] }) },
    });
    team.validate();
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(200 * 1024 * 1024);
  });
});

describe("fuzzing the team loader", () => {
  const names = fc.constantFrom(
    "a",
    "b",
    "c",
    "writer",
    "ghost",
    "query",
    "__proto__",
    "constructor",
  );
  const prompt = fc.oneof(
    fc.string({ maxLength: 20 }),
    fc
      .tuple(names, fc.constantFrom("", ".category", "?", ".x?"))
      .map(([name, tail]) => `{${name}${tail}}`),
  );
  const agentValue = fc.record(
    {
      type: fc.constantFrom("llm", "team", "tool", 3),
      role: names,
      prompt,
      model: fc.constantFrom("openai/gpt-4o-mini", "foo/bar", "gpt4", "local/demo", ""),
      outputSchema: fc.constantFrom(
        { type: "object", properties: { category: { type: "string" } } },
        { type: "string" },
        "object",
      ),
      retryPolicy: fc.constantFrom(false, { backoff: "sometimes" }, { maxRetries: 2 }, "yes"),
    },
    { requiredKeys: ["type", "role"] },
  );
  const flow = fc.oneof(
    fc.constantFrom("sequential", "writr", "a, ghost", "a -> b", "a -> -> b", "a -> b -> a"),
    fc.record({
      edges: fc.array(
        fc.record({
          from: names,
          to: names,
          when: fc.constantFrom("a == 1", "((", `${"not ".repeat(40)}a`, "b.category"),
        }),
        {
          maxLength: 4,
        },
      ),
    }),
  );
  const team = fc.record(
    {
      teamId: fc.oneof(names, fc.constant(""), fc.integer()),
      agents: fc.oneof(fc.array(agentValue, { maxLength: 5 }), fc.constant("x")),
      flow,
      inputs: fc.constantFrom(
        { query: "string" },
        { topic: "text" },
        { query: "string", a: "number" },
        [],
      ),
      providers: fc.constantFrom(
        { lab: { type: "openai-compatible", baseURL: "localhost" } },
        { lab: { type: "openai", headers: JSON.parse('{"__proto__": {"x": "y"}}') as object } },
        {},
      ),
      maxCostPerRun: fc.constantFrom(1, -1, "a lot"),
      unknownKey: fc.constant(true),
    },
    { requiredKeys: [] },
  );

  it("gives every input a valid team or a ConfigError with a key path, quickly and within memory", () => {
    const heapBefore = process.memoryUsage().heapUsed;
    fc.assert(
      fc.property(fc.oneof(team, fc.anything()), fc.boolean(), (value, asText) => {
        const started = performance.now();
        try {
          const loaded = asText
            ? LLMTeam.fromConfig(parseTeamText(JSON.stringify(value) ?? "null", "fuzz.json"))
            : LLMTeam.fromConfig(value as never);
          expect(loaded.teamId).toBeTypeOf("string");
        } catch (error) {
          if (!ConfigError.isInstance(error)) throw error;
          expect(error.issues.length).toBeGreaterThan(0);
          for (const issue of error.issues) {
            expect(Array.isArray(issue.path)).toBe(true);
            expect(issue.message.length).toBeGreaterThan(10);
          }
        }
        expect(performance.now() - started).toBeLessThan(1_000);
      }),
      { numRuns: 400, seed: 20_240_615 },
    );
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(300 * 1024 * 1024);
  });
});
