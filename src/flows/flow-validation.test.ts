import { describe, expect, it } from "vitest";
import { ConfigError, LLMTeam, parseTeamText, type AgentConfig, type TeamConfig } from "llmteam";
import { ScriptedModel } from "llmteam/testing";

const llm = (
  role: string,
  prompt = `${role}: {query}`,
  extra: Partial<AgentConfig> = {},
): AgentConfig => ({ type: "llm", role, prompt, ...extra });

function configError(action: () => unknown): ConfigError {
  try {
    action();
  } catch (error) {
    if (ConfigError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

const build = (config: Omit<TeamConfig, "teamId">) => () => new LLMTeam({ teamId: "t", ...config });
const abc = [llm("a"), llm("b"), llm("c")];

describe("chain validation", () => {
  it("rejects an unknown agent, naming the known ones", () => {
    const error = configError(build({ flow: "a -> x -> c", agents: abc }));
    expect(error.issues).toContainEqual({
      path: ["flow"],
      message: 'flow "a -> x -> c": Unknown agent "x" in the flow. Known agents: a, b, c.',
    });
  });

  it.each([
    ["a -> -> b", 'an empty step between two "->" at column 6'],
    ["a,, b -> c", "an empty name between commas at column 3"],
    ["a -> b,", "an empty name between commas at column 8"],
    ["a ->", 'nothing after the last "->" at column 5'],
    ["a > b", '"a > b" at column 1 is not an agent id'],
    ["a -> b -> a", 'agent "a" appears twice (columns 1 and 11)'],
  ])("reports %s with its column", (flow, message) => {
    expect(configError(build({ flow, agents: abc })).message).toContain(message);
  });

  it("reports an agent missing from the flow as never running, at the agent's path", () => {
    const error = configError(build({ flow: "a -> b", agents: abc }));
    expect(error.issues).toEqual([
      {
        path: ["agents", 2],
        message:
          'Agent "c" is not in the flow, so it would never run. Add it to the flow or remove the agent.',
      },
    ]);
  });
});

describe("graph validation", () => {
  it("rejects unknown agents at the edge's path", () => {
    const error = configError(
      build({
        flow: {
          edges: [
            { from: "a", to: "b" },
            { from: "b", to: "cc" },
          ],
        },
        agents: abc,
      }),
    );
    expect(error.issues[0]).toEqual({
      path: ["flow", "edges", 1, "to"],
      message: 'Unknown agent "cc" in the flow. Known agents: a, b, c.',
    });
  });

  it("rejects a cycle unless the edge back declares maxIterations", () => {
    const edges = [
      { from: "a", to: "b" },
      { from: "b", to: "c" },
      { from: "c", to: "b" },
    ];
    const error = configError(build({ flow: { edges }, agents: abc }));
    expect(error.issues[0]!.path).toEqual(["flow", "edges", 2]);
    expect(error.message).toContain(
      "The flow has a cycle: b -> c -> b. A loop needs maxIterations",
    );
    expect(
      () =>
        new LLMTeam({
          teamId: "t",
          flow: { edges: [edges[0]!, edges[1]!, { ...edges[2]!, maxIterations: 2 }] },
          agents: abc,
        }),
    ).not.toThrow();
  });

  it("rejects maxIterations on an edge that does not go back", () => {
    const error = configError(
      build({
        flow: {
          edges: [
            { from: "a", to: "b" },
            { from: "b", to: "c", maxIterations: 2 },
          ],
        },
        agents: abc,
      }),
    );
    expect(error.issues).toContainEqual({
      path: ["flow", "edges", 1, "maxIterations"],
      message:
        'Edge b -> c has maxIterations, but "c" does not come before "b": only an edge back to an earlier agent is a loop. Remove maxIterations.',
    });
  });

  it("rejects an ambiguous entry and accepts it once declared", () => {
    const edges = [
      { from: "a", to: "c" },
      { from: "b", to: "c" },
    ];
    const error = configError(build({ flow: { edges }, agents: abc }));
    expect(error.issues[0]!.message).toContain(
      "The flow's entry is ambiguous: a, b have no incoming edge. Set flow.entry",
    );
    expect(
      () => new LLMTeam({ teamId: "t", flow: { edges, entry: ["a", "b"] }, agents: abc }),
    ).not.toThrow();
    const partial = configError(build({ flow: { edges, entry: "a" }, agents: abc }));
    expect(partial.message).toContain('Agent "b" is unreachable');
  });

  it("rejects unknown keys in an edge, listing the valid ones", () => {
    const error = configError(
      build({
        flow: { edges: [{ from: "a", to: "b", if: "x" } as never] },
        agents: [llm("a"), llm("b")],
      }),
    );
    expect(error.issues[0]).toMatchObject({ path: ["flow", "edges", 0, "if"] });
    expect(error.message).toContain("Valid keys: from, to, when, maxIterations");
  });
});

describe("condition validation", () => {
  const schema = {
    type: "object",
    properties: { category: { type: "string" }, score: { type: "number" } },
  };
  const branchTeam = (when: unknown, triage: Partial<AgentConfig> = { outputSchema: schema }) =>
    build({
      flow: { edges: [{ from: "triage", to: "reply", when: when as string }] },
      agents: [llm("triage", "triage: {query}", triage), llm("reply")],
    });

  it("reports a syntax error with its column and the valid syntax", () => {
    const error = configError(branchTeam('triage.category = "billing"'));
    expect(error.issues[0]!.path).toEqual(["flow", "edges", 0, "when"]);
    expect(error.message).toContain(
      'unexpected "=" at column 17 ("=" is not an operator: write ==)',
    );
    expect(error.message).toContain("Valid: paths");
  });

  it("rejects a field of an agent whose output is text", () => {
    expect(configError(branchTeam('triage.category == "billing"', {})).message).toContain(
      'agent "triage" has no outputSchema: its output is text',
    );
  });

  it("rejects a field the output schema does not have, listing those it has", () => {
    expect(configError(branchTeam('triage.categry == "billing"')).message).toContain(
      'has no field "categry" there. Fields: category, score.',
    );
  });

  it("rejects a condition reading an agent that may not have run", () => {
    const error = configError(
      build({
        flow: {
          edges: [
            { from: "a", to: "b", when: "a contains 'x'" },
            { from: "a", to: "c", when: "b contains 'y'" },
          ],
        },
        agents: abc,
      }),
    );
    expect(error.message).toContain('reads b, but agent "b" may not have run when "a" finishes');
  });

  it("checks structured conditions' keys and operators", () => {
    expect(configError(branchTeam({ path: "triage.category", equal: "x" })).message).toContain(
      'Unknown key "equal" in a condition',
    );
    expect(configError(branchTeam({ path: "triage.score", greaterThan: "5" })).message).toContain(
      '"greaterThan" must be a number',
    );
    expect(configError(branchTeam({ any: [] })).message).toContain(
      '"any" must be a non-empty list',
    );
  });

  it("checks when the team is built that conditions read declared input", async () => {
    const model = new ScriptedModel({ responses: ["x", "y"] });
    const config = {
      teamId: "t",
      model: "m/x",
      models: { "m/x": model },
      flow: { edges: [{ from: "a", to: "b", when: 'tier == "gold"' }] },
      agents: [llm("a"), llm("b")],
    };
    expect(() => new LLMTeam(config)).toThrow(
      /reads tier, which is neither an agent's output nor in the run input \(input: query\)/,
    );
    const team = new LLMTeam({ ...config, inputs: { query: "string", tier: "string" } });
    await expect(team.run({ query: "q" })).rejects.toThrow(/input: .*tier/);
    expect(model.callsMade).toBe(0);
    expect((await team.run({ query: "q", tier: "gold" })).agentsCalled).toEqual(["a", "b"]);
  });
});

describe("prompt variables against the graph", () => {
  const branches = (replyPrompt: string) =>
    new LLMTeam({
      teamId: "t",
      flow: {
        edges: [
          { from: "a", to: "b", when: "a contains 'b'" },
          { from: "a", to: "c" },
          { from: ["b", "c"], to: "d" },
        ],
      },
      agents: [llm("a"), llm("b"), llm("c"), llm("d", replyPrompt)],
    });

  it("lets an agent read what certainly ran before it, and asks for {x?} when it may not have", () => {
    expect(() => branches("d: {a} {c} {b?}").validate(["query"])).not.toThrow();
    const error = configError(() => branches("d: {b}").validate(["query"]));
    expect(error.issues).toEqual([
      {
        path: ["agents", 3, "prompt"],
        message:
          'Agent "d" reads {b}, but "b" may not have run before "d" (a branch whose condition may not hold, or a loop\'s next turn). Read it as {b?} to get an empty value when it has not run.',
      },
    ]);
  });

  it("rejects reading an agent that runs after", () => {
    expect(
      configError(build({ flow: "a -> b", agents: [llm("a", "a: {b}"), llm("b")] })).message,
    ).toContain('Agent "a" reads {b}, but nothing provides it');
  });
});

describe("router settings", () => {
  it("rejects orchestrator without orchestration, and flow with it", () => {
    expect(
      configError(build({ orchestrator: { maxIterations: 3 }, agents: abc })).issues[0]!.path,
    ).toEqual(["orchestrator"]);
    expect(
      configError(build({ orchestration: true, flow: "a -> b -> c", agents: abc })).issues[0]!.path,
    ).toEqual(["flow"]);
  });

  it("checks termination conditions, including agent names", () => {
    const error = configError(
      build({
        orchestration: true,
        orchestrator: { terminateWhen: { any: [{ textMention: "" }, { agentCalled: "zz" }] } },
        agents: abc,
      }),
    );
    expect(error.issues.map((issue) => issue.path.join("."))).toEqual([
      "orchestrator.terminateWhen.any.0.textMention",
      "orchestrator.terminateWhen.any.1.agentCalled",
    ]);
    expect(error.message).toContain('agentCalled names unknown agent "zz"');
  });
});

describe("team files", () => {
  it("points flow errors at their line and column", () => {
    const text = [
      "teamId: t",
      "flow:",
      "  edges:",
      "    - from: a",
      "      to: b",
      "      when: a.category == 1",
      "agents:",
      "  - { type: llm, role: a, prompt: 'a: {query}' }",
      "  - { type: llm, role: b, prompt: 'b: {a}' }",
    ].join("\n");
    const error = configError(() => parseTeamText(text, "team.yaml"));
    expect(error.issues[0]).toMatchObject({
      path: ["flow", "edges", 0, "when"],
      file: "team.yaml",
      line: 6,
      column: 7,
    });
  });

  it("validates nested teams at their path", () => {
    const text =
      "teamId: t\nagents:\n  - type: team\n    role: research\n    team:\n      teamId: r\n      agents:\n        - { type: llm, role: x, promt: 'p' }\n";
    const error = configError(() => parseTeamText(text, "team.yaml"));
    expect(error.issues[0]).toMatchObject({
      path: ["agents", 0, "team", "agents", 0, "promt"],
      line: 8,
    });
  });
});
