import { describe, expect, it } from "vitest";
import { LLMTeam, type TeamConfig } from "llmteam";
import { ScriptedModel } from "llmteam/testing";
import { collect } from "./support/collect-events.js";

/** With `stream` unset, providers stream only when someone reads the run's events live. */
function team(model: ScriptedModel, settings: Partial<TeamConfig> = {}): LLMTeam {
  return new LLMTeam({
    teamId: "t",
    model: "test/model",
    models: { "test/model": model },
    agents: [
      { type: "llm", role: "first", prompt: "Do {query}" },
      { type: "llm", role: "second", prompt: "Then {first}" },
    ],
    ...settings,
  });
}

function answers(): ScriptedModel {
  return new ScriptedModel({ responses: () => "two words" });
}

describe("streaming mode", () => {
  it("run() with default settings makes one non-streamed call per step, with the same result", async () => {
    const plain = answers();
    const result = await team(plain).run({ query: "q" });
    expect(plain.calls.map((call) => call.mode)).toEqual(["generate", "generate"]);

    const streamed = answers();
    const stream = team(streamed).stream({ query: "q" });
    const events = await collect(stream);
    expect(streamed.calls.map((call) => call.mode)).toEqual(["stream", "stream"]);
    expect(events.filter((event) => event.type === "token").map((event) => event.data)).toEqual([
      { token: "two " },
      { token: "words" },
      { token: "two " },
      { token: "words" },
    ]);
    const fromStream = await stream.result;
    expect(result.output).toEqual(fromStream.output);
    expect(result.usage).toEqual(fromStream.usage);
    // The run() log has the same events but the four token events.
    expect(result.eventCount).toBe(fromStream.eventCount - 4);
  });

  it("team.start() streams: its handle reads the events live", async () => {
    const model = answers();
    const handle = team(model).start({ query: "q" });
    const result = await handle.result;
    expect(result.success).toBe(true);
    expect(model.calls.map((call) => call.mode)).toEqual(["stream", "stream"]);
  });

  it("stream: true streams in run(); stream: false does not stream in stream()", async () => {
    const always = answers();
    await team(always, { stream: true }).run({ query: "q" });
    expect(always.calls.map((call) => call.mode)).toEqual(["stream", "stream"]);

    const never = answers();
    const events = await collect(team(never, { stream: false }).stream({ query: "q" }));
    expect(never.calls.map((call) => call.mode)).toEqual(["generate", "generate"]);
    expect(events.some((event) => event.type === "token")).toBe(false);
    expect(events.filter((event) => event.type === "agent_completed")).toHaveLength(2);
  });

  it("an agent's own setting wins over the team's and over the default", async () => {
    const model = answers();
    const mixed = new LLMTeam({
      teamId: "t",
      model: "test/model",
      models: { "test/model": model },
      agents: [
        { type: "llm", role: "first", prompt: "Do {query}", stream: true },
        { type: "llm", role: "second", prompt: "Then {first}" },
      ],
    });
    await mixed.run({ query: "q" });
    expect(model.calls.map((call) => call.mode)).toEqual(["stream", "generate"]);
  });

  it("a nested team streams when its parent's events are read live", async () => {
    const nested = (model: ScriptedModel): LLMTeam =>
      new LLMTeam({
        teamId: "outer",
        model: "test/model",
        models: { "test/model": model },
        agents: [
          {
            type: "team",
            role: "inner",
            team: {
              teamId: "inner",
              agents: [{ type: "llm", role: "worker", prompt: "Work on {query}" }],
            },
          },
        ],
      });
    const live = answers();
    const events = await collect(nested(live).stream({ query: "q" }));
    expect(live.calls.map((call) => call.mode)).toEqual(["stream"]);
    expect(events.find((event) => event.type === "token")?.agentPath).toBe("outer/inner/worker");

    const plain = answers();
    await nested(plain).run({ query: "q" });
    expect(plain.calls.map((call) => call.mode)).toEqual(["generate"]);
  });
});
