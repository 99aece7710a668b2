import { describe, expect, it } from "vitest";
import { ConfigError, ConfigurationProposal, LLMTeam } from "llmteam";
import { ScriptedModel } from "llmteam/testing";

function team(configurator: ScriptedModel): LLMTeam {
  return new LLMTeam({
    teamId: "support",
    model: "m/worker",
    models: { "m/worker": new ScriptedModel({ responses: [] }), "m/configurator": configurator },
    agents: [{ type: "llm", role: "writer", prompt: "Reply to {query}" }],
  });
}

const addResearcher = (tool: string) => ({
  message: "A researcher with a tool.",
  proposals: [
    {
      reason: "Look things up first",
      changes: [
        {
          op: "addAgent",
          position: 0,
          agent: { type: "llm", role: "researcher", prompt: "Research {query}", tools: [tool] },
        },
      ],
    },
  ],
});

describe("proposals naming tools", () => {
  it("catches an unknown tool at proposal validation and has the configurator repair it", async () => {
    const configurator = new ScriptedModel({
      responses: [{ object: addResearcher("web_search") }, { object: addResearcher("calculator") }],
    });
    const built = team(configurator);
    const session = await built.configure("Add a researcher", { model: "m/configurator" });
    // The model was told which tool is unknown and which exist.
    const feedback = JSON.stringify(configurator.calls[1]!.options.prompt);
    expect(feedback).toContain("Your answer was invalid");
    expect(feedback).toMatch(/Unknown tool \\"web_search\\"\. Known tools: [^"]*calculator/);
    const [proposal] = session.reply.proposals;
    expect(proposal!.changes[0]).toMatchObject({ agent: { tools: ["calculator"] } });
    proposal!.approve();
    proposal!.apply();
    expect(built.getAgent("researcher")?.tools).toEqual(["calculator"]);
  });

  it("adds no proposal when the tool stays unknown after the repairs", async () => {
    const configurator = new ScriptedModel({
      responses: Array.from({ length: 2 }, () => ({ object: addResearcher("web_search") })),
    });
    const built = team(configurator);
    const failure = await built
      .configure("Add a researcher", { model: "m/configurator", maxRepairs: 1 })
      .catch((error: unknown) => error);
    expect(ConfigError.isInstance(failure)).toBe(true);
    expect(String(failure)).toMatch(/after 1 corrections: Unknown tool "web_search"/);
    expect(built.lifecycle.proposals).toHaveLength(0);
    expect(configurator.calls).toHaveLength(2);
  });

  it("refuses a hand-made proposal with an unknown tool when it is added, not when applied", () => {
    const built = team(new ScriptedModel({ responses: [] }));
    const proposal = new ConfigurationProposal({
      proposalId: "p-1",
      reason: "tools",
      changes: [{ op: "updateAgent", agentId: "writer", set: { tools: ["calculatr"] } }],
    });
    expect(() => built.lifecycle.addProposal(proposal)).toThrow(
      /Unknown tool "calculatr"\. Known tools: .*calculator/,
    );
    expect(built.lifecycle.proposals).toHaveLength(0);
  });
});
