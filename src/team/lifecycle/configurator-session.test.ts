import { describe, expect, it } from "vitest";
import { ConfigError, LLMTeam, ProviderError } from "llmteam";
import { ScriptedModel } from "llmteam/testing";

function supportTeam(configurator: ScriptedModel): LLMTeam {
  const team = new LLMTeam({
    teamId: "support",
    model: "m/worker",
    models: { "m/worker": new ScriptedModel({ responses: [] }), "m/configurator": configurator },
    providers: {
      lab: {
        type: "openai-compatible",
        baseURL: "http://127.0.0.1:1/v1",
        apiKey: "sk-live-secret",
      },
    },
  });
  team.addAgent({ type: "llm", role: "triage", prompt: "Classify: {query}" });
  team.addAgent({ type: "llm", role: "writer", prompt: "Reply to {query} ({triage})" });
  return team;
}

const FORMAL = {
  message: "I will make the writer formal.",
  proposals: [
    {
      reason: "A formal tone",
      changes: [{ op: "updateAgent", agentId: "writer", set: { systemPrompt: "Write formally." } }],
    },
  ],
};

function promptText(model: ScriptedModel, call: number): string {
  return JSON.stringify(model.calls[call]!.options.prompt);
}

describe("the configurator chat", () => {
  it("turns a task into validated, pending proposals through structured output; nothing changes until applied", async () => {
    const configurator = new ScriptedModel({ responses: [{ object: FORMAL }] });
    const team = supportTeam(configurator);
    const before = team.toConfig();
    const session = await team.configure("Make the writer more formal", {
      model: "m/configurator",
    });

    expect(session.reply.message).toBe("I will make the writer formal.");
    expect(
      session.reply.proposals.map((proposal) => [
        proposal.proposalId,
        proposal.status,
        proposal.reason,
      ]),
    ).toEqual([["p-1", "pending", "A formal tone"]]);
    expect(team.lifecycle.pendingProposals).toEqual(session.reply.proposals);
    expect(team.toConfig()).toEqual(before);

    const options = configurator.calls[0]!.options;
    expect(configurator.calls[0]!.mode).toBe("generate");
    expect(options.responseFormat).toMatchObject({
      type: "json",
      name: "configuration_proposals",
      schema: { type: "object", required: ["message", "proposals"] },
    });
    expect(options.responseFormat).not.toHaveProperty("schema.$schema");
    const system = options.prompt[0]!;
    expect(system.role).toBe("system");
    expect(JSON.stringify(system.content)).toContain('\\"role\\": \\"writer\\"');
    expect(JSON.stringify(system.content)).not.toContain("sk-live-secret");
    expect(JSON.stringify(options.prompt.at(-1))).toContain("Make the writer more formal");

    team.lifecycle.approveAll("alice");
    team.lifecycle.applyApproved();
    expect(team.getAgent("writer")?.systemPrompt).toBe("Write formally.");
    expect(team.configVersion).toBe(2);
    expect(session.usage.totalTokens).toBeGreaterThan(0);
  });

  it("carries the conversation and the updated configuration into follow-ups", async () => {
    const configurator = new ScriptedModel({
      responses: [
        { object: FORMAL },
        {
          object: {
            message: "Added a reviewer.",
            proposals: [
              {
                reason: "Quality",
                changes: [
                  {
                    op: "addAgent",
                    agent: { type: "llm", role: "reviewer", prompt: "Check: {writer}" },
                  },
                ],
              },
            ],
          },
        },
      ],
    });
    const team = supportTeam(configurator);
    const session = await team.configure("Make the writer more formal", {
      model: "m/configurator",
    });
    session.reply.proposals[0]!.approve().apply();
    const reply = await session.send("now add a reviewer after the writer");
    expect(reply.proposals.map((proposal) => proposal.proposalId)).toEqual(["p-2"]);
    const second = promptText(configurator, 1);
    expect(second).toContain("Make the writer more formal");
    expect(second).toContain("I will make the writer formal.");
    expect(second).toContain("Write formally.");
    expect(second).toContain("version 2");
    expect(session.messages.map((message) => message.role)).toEqual([
      "user",
      "assistant",
      "user",
      "assistant",
    ]);
    expect(session.proposals).toHaveLength(2);
  });

  it("sends invalid answers back with the problems, and accepts the corrected one", async () => {
    const configurator = new ScriptedModel({
      responses: [
        { text: "Sure! I'd make it formal." },
        {
          object: {
            message: "ok",
            proposals: [
              {
                reason: "r",
                changes: [{ op: "updateAgent", agentId: "editor", set: { temperature: 0.2 } }],
              },
            ],
          },
        },
        { text: "```json\n" + JSON.stringify(FORMAL) + "\n```" },
      ],
    });
    const team = supportTeam(configurator);
    const session = await team.configure("formal please", { model: "m/configurator" });
    expect(configurator.callsMade).toBe(3);
    expect(promptText(configurator, 1)).toContain("Not valid JSON");
    expect(promptText(configurator, 2)).toContain(
      'Unknown agent \\"editor\\". Known agents: triage, writer.',
    );
    expect(session.reply.proposals).toHaveLength(1);
    expect(team.lifecycle.proposals).toHaveLength(1);
  });

  it("fails with ConfigError when the answer stays invalid, proposing nothing", async () => {
    const bad = {
      object: {
        message: "x",
        proposals: [{ reason: "r", changes: [{ op: "updateTeam", set: { teamId: "other" } }] }],
      },
    };
    const configurator = new ScriptedModel({ responses: [bad, bad] });
    const team = supportTeam(configurator);
    const attempt = team.configure("rename the team", { model: "m/configurator", maxRepairs: 1 });
    await expect(attempt).rejects.toBeInstanceOf(ConfigError);
    await expect(attempt).rejects.toThrow(/invalid after 1 corrections: Unknown key "teamId"/);
    expect(team.lifecycle.proposals).toHaveLength(0);
  });

  it("uses the team's model by default and reports provider errors as they are", async () => {
    const team = new LLMTeam({
      teamId: "t",
      model: "m/c",
      models: {
        "m/c": new ScriptedModel({
          responses: [{ httpError: { status: 401, message: "bad key" } }],
        }),
      },
    });
    team.addAgent({ type: "llm", role: "writer", prompt: "{query}" });
    await expect(team.configure("anything")).rejects.toBeInstanceOf(ProviderError);
    const modelless = new LLMTeam({ teamId: "none" });
    await expect(modelless.configure("anything")).rejects.toThrow(
      /has no model for the configurator/,
    );
  });
});
