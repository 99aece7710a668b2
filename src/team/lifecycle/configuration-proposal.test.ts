import { describe, expect, it } from "vitest";
import { ConfigError, LifecycleError, LLMTeam } from "llmteam";
import { FakeClock, ScriptedModel } from "llmteam/testing";
import { ConfigurationProposal, formatConfigDiff, type ConfigChange } from "./index.js";

function supportTeam(
  model = new ScriptedModel({ responses: [] }),
  enforceLifecycle = false,
): LLMTeam {
  const team = new LLMTeam({
    teamId: "support",
    enforceLifecycle,
    model: "m/x",
    models: { "m/x": model, "m/big": model },
    clock: new FakeClock(),
  });
  team.addAgent({ type: "llm", role: "triage", prompt: "Classify: {query}" });
  team.addAgent({ type: "llm", role: "writer", prompt: "Reply to {query} ({triage})" });
  return team;
}

function proposal(changes: ConfigChange[], proposalId = "p-1"): ConfigurationProposal {
  return new ConfigurationProposal({ proposalId, changes, reason: "test" });
}

describe("ConfigurationProposal validation", () => {
  it("checks each change against the config schema when created, naming the change", () => {
    const bad = () =>
      proposal([
        { op: "updateAgent", agentId: "writer", set: { temperature: 7 } },
        { op: "addAgent", agent: { type: "llm", role: "x", prompt: "" } },
        { op: "updateTeam", set: { teamId: "other" } as never },
        { op: "rename" } as never,
      ]);
    expect(bad).toThrow(ConfigError);
    try {
      bad();
    } catch (error) {
      const issues = (error as ConfigError).issues.map(
        (issue) => `${issue.path.join(".")}: ${issue.message}`,
      );
      expect(issues).toContainEqual(expect.stringMatching(/^changes\.0\.set\.temperature: /));
      expect(issues).toContainEqual("changes.1.agent.prompt: prompt must not be empty.");
      expect(issues).toContainEqual(
        expect.stringMatching(
          /^changes\.2\.set\.teamId: Unknown key "teamId" in the team's settings \(teamId cannot change\)/,
        ),
      );
      expect(issues).toContainEqual(
        expect.stringMatching(
          /^changes\.3\.op: Unknown change op "rename"\. Valid ops: addAgent, updateAgent/,
        ),
      );
    }
    expect(() => proposal([])).toThrow(/non-empty list/);
    expect(() => proposal([{ op: "updateAgent", agentId: "writer" }])).toThrow(
      /needs "set" or "unset"/,
    );
  });

  it("checks the changes against the team when added: unknown agents, duplicate roles, missing keys", () => {
    const team = supportTeam();
    expect(() =>
      team.lifecycle.addProposal(proposal([{ op: "removeAgent", agentId: "editr" }])),
    ).toThrow('Unknown agent "editr". Known agents: triage, writer.');
    expect(() =>
      team.lifecycle.addProposal(
        proposal([{ op: "addAgent", agent: { type: "llm", role: "writer", prompt: "x" } }]),
      ),
    ).toThrow(/Duplicate role "writer"/);
    expect(() =>
      team.lifecycle.addProposal(
        proposal([{ op: "updateAgent", agentId: "writer", unset: ["prompt"] }]),
      ),
    ).toThrow(/agents\.1\.prompt/);
    expect(() =>
      team.lifecycle.addProposal(proposal([{ op: "moveAgent", agentId: "writer", position: 5 }])),
    ).toThrow(/position 5 is past the end/);
    expect(team.lifecycle.proposals).toHaveLength(0);
  });
});

describe("approving, rejecting and applying", () => {
  it("applies real edits of agents, models, prompts and flow, bumps configVersion and records a diff", async () => {
    const model = new ScriptedModel({ responses: ["billing", "Dear customer", "Reviewed"] });
    const team = supportTeam(model);
    const added = team.lifecycle.addProposal(
      proposal([
        {
          op: "updateAgent",
          agentId: "writer",
          set: { prompt: "Write a formal reply to {query} ({triage})", model: "m/big" },
        },
        { op: "addAgent", agent: { type: "llm", role: "reviewer", prompt: "Review: {writer}" } },
        { op: "updateTeam", set: { temperature: 0.1, flow: "sequential" } },
      ]),
    );
    expect(team.configVersion).toBe(1);
    expect(team.getAgent("writer")?.prompt).toBe("Reply to {query} ({triage})");
    added.approve("alice");
    expect(added).toMatchObject({ status: "approved", approvedBy: "alice" });
    const version = added.apply();
    expect(added.status).toBe("applied");
    expect(team.configVersion).toBe(2);
    expect(version).toMatchObject({ version: 2, proposalIds: ["p-1"] });
    expect(formatConfigDiff(version.diff).split("\n")).toEqual([
      "+ temperature: 0.1",
      '+ flow: "sequential"',
      '~ agents.writer.prompt: "Reply to {query} ({triage})" → "Write a formal reply to {query} ({triage})"',
      '+ agents.writer.model: "m/big"',
      '+ agents.reviewer: {"type":"llm","role":"reviewer","prompt":"Review: {writer}"}',
    ]);
    const result = await team.run("my invoice");
    expect(result.agentsCalled).toEqual(["triage", "writer", "reviewer"]);
    expect(JSON.stringify(model.calls[1]!.options.prompt)).toContain(
      "Write a formal reply to my invoice (billing)",
    );
    expect(model.calls[1]!.options.temperature).toBe(0.1);
    expect(team.toConfig().agents?.map((agent) => agent.role)).toEqual([
      "triage",
      "writer",
      "reviewer",
    ]);
  });

  it("removes and moves agents", () => {
    const team = supportTeam();
    team.lifecycle
      .addProposal(
        proposal([
          { op: "moveAgent", agentId: "writer", position: 0 },
          { op: "removeAgent", agentId: "triage" },
        ]),
      )
      .approve()
      .apply();
    expect(team.agents.map((agent) => agent.role)).toEqual(["writer"]);
    expect(team.lifecycle.versions[0]!.diff.map((entry) => entry.kind)).toEqual(["removed"]);
  });

  it("changes nothing until applied, and never applies a rejected proposal", () => {
    const team = supportTeam();
    const rejected = team.lifecycle.addProposal(
      proposal([{ op: "removeAgent", agentId: "writer" }]),
    );
    rejected.reject("we need the writer");
    expect(rejected).toMatchObject({ status: "rejected", rejectionReason: "we need the writer" });
    expect(() => rejected.apply()).toThrow(LifecycleError);
    expect(() => rejected.approve()).toThrow(
      /is rejected; only a pending proposal can be approved/,
    );
    expect(team.lifecycle.applyApproved()).toBeUndefined();
    expect(team.agents).toHaveLength(2);
    expect(team.configVersion).toBe(1);
    const pending = team.lifecycle.addProposal(
      proposal([{ op: "removeAgent", agentId: "triage" }], "p-2"),
    );
    expect(() => pending.apply()).toThrow(
      /is pending; only an approved proposal can be applied\. Call proposal\.approve\(\) first/,
    );
  });

  it("applies approved proposals all or nothing: one bad one leaves the team untouched", () => {
    const team = supportTeam();
    const first = team.lifecycle.addProposal(
      proposal(
        [{ op: "updateAgent", agentId: "writer", set: { prompt: "Short reply to {query}" } }],
        "p-1",
      ),
    );
    const second = team.lifecycle.addProposal(
      proposal([{ op: "removeAgent", agentId: "writer" }], "p-2"),
    );
    const third = team.lifecycle.addProposal(
      proposal([{ op: "updateAgent", agentId: "writer", set: { temperature: 0 } }], "p-3"),
    );
    team.lifecycle.approveAll("bob");
    const before = team.toConfig();
    expect(() => team.lifecycle.applyApproved()).toThrow(/Proposal "p-3": Unknown agent "writer"/);
    expect(team.toConfig()).toEqual(before);
    expect([first.status, second.status, third.status]).toEqual([
      "approved",
      "approved",
      "approved",
    ]);
    expect(team.configVersion).toBe(1);
    third.reject("conflicts with p-2");
    const version = team.lifecycle.applyApproved()!;
    expect(version.proposalIds).toEqual(["p-1", "p-2"]);
    expect(team.agents.map((agent) => agent.role)).toEqual(["triage"]);
    expect([first.status, second.status]).toEqual(["applied", "applied"]);
  });

  it("refuses duplicate proposal ids and proposals of another team", () => {
    const team = supportTeam();
    const one = team.lifecycle.addProposal(
      proposal([{ op: "updateTeam", set: { temperature: 1 } }]),
    );
    expect(() =>
      team.lifecycle.addProposal(proposal([{ op: "updateTeam", set: { temperature: 1 } }])),
    ).toThrow(/has a proposal "p-1" already/);
    expect(() => supportTeam().lifecycle.addProposal(one)).toThrow(/belongs to another team/);
    expect(() =>
      proposal([{ op: "updateTeam", set: { temperature: 1 } }])
        .approve()
        .apply(),
    ).toThrow(/belongs to no team/);
  });
});

describe("proposals under an enforced lifecycle", () => {
  it("blocks markReady() while proposals are open, and applying outside CONFIGURING", () => {
    const team = supportTeam(new ScriptedModel({ responses: [] }), true).markConfiguring();
    const open = team.lifecycle.addProposal(
      proposal([{ op: "updateTeam", set: { maxTokens: 300 } }]),
    );
    expect(() => team.markReady()).toThrow(/open configuration proposals: "p-1" \(pending\)/);
    open.approve();
    expect(() => team.markReady()).toThrow(/"p-1" \(approved\).*applyApproved/);
    open.apply();
    team.markReady();
    expect(team.state).toBe("ready");
    const late = team.lifecycle
      .addProposal(proposal([{ op: "updateTeam", set: { maxTokens: 10 } }], "p-2"))
      .approve();
    expect(() => late.apply()).toThrow(
      /Cannot apply proposals "p-2": team "support" is ready\. Call team\.markConfiguring\(\) first/,
    );
    expect(team.toConfig().maxTokens).toBe(300);
  });
});
