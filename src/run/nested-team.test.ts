import { describe, expect, it } from "vitest";
import { LLMTeam, parseTeamText, type TeamConfig } from "llmteam";
import { FakeClock, ScriptedModel, type ScriptedResponse } from "llmteam/testing";
import { LLMGroup } from "../groups/index.js";
import { byPrompt, lastUserText } from "../../test/support/orchestration-helpers.js";
import { withoutEventCount } from "../../test/support/same-run.js";
import { collect } from "../../test/support/collect-events.js";

const config: TeamConfig = {
  teamId: "desk",
  model: "test/model",
  agents: [
    { type: "llm", role: "triage", prompt: "triage: {query}" },
    {
      type: "team",
      role: "research",
      prompt: "Research {triage} for {query}",
      team: {
        teamId: "lab",
        agents: [
          { type: "llm", role: "searcher", prompt: "searcher: {query}" },
          { type: "llm", role: "summarizer", prompt: "summarizer: {searcher}" },
        ],
      },
    },
    { type: "llm", role: "writer", prompt: "writer: {research}" },
  ],
};

const answers = (overrides: Record<string, ScriptedResponse> = {}) => ({
  triage: { text: "billing", usage: { inputTokens: 10, outputTokens: 1 } },
  searcher: { text: "found", usage: { inputTokens: 20, outputTokens: 2 } },
  summarizer: { text: "summary", usage: { inputTokens: 30, outputTokens: 3 } },
  writer: { text: "reply", usage: { inputTokens: 40, outputTokens: 4 } },
  Research: { text: "never" },
  ...overrides,
});

function deskTeam(overrides: Record<string, ScriptedResponse> = {}) {
  const model = new ScriptedModel({ responses: byPrompt(answers(overrides)) });
  return {
    model,
    team: LLMTeam.fromConfig(config, { models: { "test/model": model }, clock: new FakeClock() }),
  };
}

describe("a team used as an agent", () => {
  it("runs the nested team as one step: its final output and total usage are the step's", async () => {
    const { team, model } = deskTeam();
    const result = await team.run("invoice wrong");
    expect(result.success).toBe(true);
    expect(result.agentsCalled).toEqual(["triage", "research", "writer"]);
    expect(result.output).toEqual({ triage: "billing", research: "summary", writer: "reply" });
    expect(model.calls.map((call) => lastUserText(call.options))).toEqual([
      "triage: invoice wrong",
      "searcher: Research billing for invoice wrong",
      "summarizer: found",
      "writer: summary",
    ]);
    const research = result.agentResults.find((agent) => agent.agentId === "research")!;
    expect(research.usage.totalTokens).toBe(55);
    expect(research.modelCalls).toBe(2);
    expect(research.team).toEqual({
      teamId: "lab",
      status: "completed",
      agentsCalled: ["searcher", "summarizer"],
    });
    expect(result.usage.totalTokens).toBe(11 + 55 + 44);
  });

  it("streams the nested team's events in the same log, with their agent path", async () => {
    const { team } = deskTeam();
    const stream = team.stream("invoice wrong");
    const events = await collect(stream);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(events.filter((event) => event.type === "run_started")).toHaveLength(1);
    expect(events.filter((event) => event.type === "run_completed")).toHaveLength(1);
    const started = events
      .filter((event) => event.type === "agent_started")
      .map((event) => event.agentPath);
    expect(started).toEqual([
      "desk/triage",
      "desk/research",
      "desk/research/searcher",
      "desk/research/summarizer",
      "desk/writer",
    ]);
    expect(events.every((event) => event.runId === stream.runId)).toBe(true);
    const ran = await deskTeam().team.run("invoice wrong", { runId: stream.runId });
    expect(withoutEventCount(await stream.result)).toEqual(withoutEventCount(ran));
    expect((await stream.result).eventCount - ran.eventCount).toBe(
      events.filter((event) => event.type === "token").length,
    );
  });

  it("fails the step, and the run, when the nested team fails", async () => {
    const { team } = deskTeam({ summarizer: { httpError: { status: 401, message: "bad key" } } });
    const result = await team.run("q");
    expect(result.status).toBe("failed");
    expect(result.failedAgent).toBe("research");
    expect(result.error?.message).toContain("bad key");
    expect(result.agentResults.find((agent) => agent.agentId === "research")).toMatchObject({
      success: false,
      team: { status: "failed" },
    });
    expect(result.usage.totalTokens).toBe(11 + 22);
  });

  it("checks the nested team's prompts against what it will get, before anything runs", async () => {
    const model = new ScriptedModel({ responses: [] });
    const team = new LLMTeam({ teamId: "t", model: "test/model", models: { "test/model": model } });
    expect(() =>
      team.addAgent({
        type: "team",
        role: "inner",
        team: { teamId: "in", agents: [{ type: "llm", role: "a", prompt: "{topic}" }] },
      }),
    ).toThrow(/agents\.0\.team\.agents\.0\.prompt: Agent "a" reads \{topic\}/);
    // Declared, {topic} must come with the input the parent gives: it does not.
    team.addAgent({
      type: "team",
      role: "inner",
      team: {
        teamId: "in",
        inputs: { query: "string", topic: "string" },
        agents: [{ type: "llm", role: "a", prompt: "{topic}" }],
      },
    });
    await expect(team.run("q")).rejects.toThrow(
      /agents\.0\.team\.agents\.0\.prompt: Agent "a" reads \{topic\}/,
    );
    expect(model.callsMade).toBe(0);
  });

  it("takes an LLMTeam in TypeScript and writes it back as configuration", () => {
    const inner = new LLMTeam({
      teamId: "in",
      agents: [{ type: "llm", role: "a", prompt: "{query}" }],
    });
    const outer = new LLMTeam({
      teamId: "out",
      agents: [{ type: "team", role: "inner", team: inner }],
    });
    expect((outer.toConfig().agents![0] as { team: TeamConfig }).team.teamId).toBe("in");
  });

  it("rejects keys that do not apply to team agents", () => {
    const text =
      "teamId: t\nagents:\n  - { type: team, role: r, model: x/y, team: { teamId: n, agents: [] } }\n";
    expect(() => parseTeamText(text)).toThrow(/model does not apply to an agent of type "team"/);
  });

  it("nests inside groups: paths read group/team/agent/…", async () => {
    const model = new ScriptedModel({ responses: byPrompt(answers()) });
    const desk = LLMTeam.fromConfig(config, { models: { "test/model": model } });
    const stream = new LLMGroup({ groupId: "org", teams: [desk] }).stream("q");
    const events = await collect(stream);
    expect(
      events.filter((event) => event.type === "agent_started").map((event) => event.agentPath),
    ).toEqual([
      "org/desk",
      "org/desk/triage",
      "org/desk/research",
      "org/desk/research/searcher",
      "org/desk/research/summarizer",
      "org/desk/writer",
    ]);
    const result = await stream.result;
    expect(result.output).toEqual({ desk: "reply" });
    expect(result.cost.usage.totalTokens).toBe(110);
  });
});

describe("cost tracking of nested runs", () => {
  it("ends the run in a nested team's own tracker, and leaves a shared one to the parent", async () => {
    const model = new ScriptedModel({ responses: byPrompt(answers()) });
    const inner = new LLMTeam({
      teamId: "in",
      model: "test/model",
      models: { "test/model": model },
      agents: [{ type: "llm", role: "searcher", prompt: "searcher: {query}" }],
    });
    const outer = new LLMTeam({
      teamId: "out",
      model: "test/model",
      models: { "test/model": model },
      agents: [{ type: "team", role: "research", team: inner }],
    });
    const result = await outer.run("q");
    expect(result.success).toBe(true);
    expect(inner.costTracker.costOf(result.runId)).toBeUndefined();
    expect(inner.costTracker.history.map((cost) => cost.runId)).toEqual([result.runId]);
    const { team } = deskTeam();
    const shared = await team.run("q");
    expect(team.costTracker.costOf(shared.runId)).toBeUndefined();
    expect(team.costTracker.history.at(-1)!.calls).toBe(4);
  });
});
