import { describe, expect, it } from "vitest";
import { LLMTeam, type TeamConfig } from "llmteam";
import { FakeClock, ScriptedModel } from "llmteam/testing";

const STEP_MS = 1_000;

type Mode = Omit<TeamConfig, "teamId" | "model">;

const modes: [string, Mode][] = [
  [
    "chain with fan-out",
    {
      flow: "a -> b, c",
      agents: [
        { type: "llm", role: "a", prompt: "{query}" },
        { type: "llm", role: "b", prompt: "{a}" },
        { type: "llm", role: "c", prompt: "{a}" },
      ],
    },
  ],
  [
    "graph with a condition",
    {
      flow: { edges: [{ from: "a", to: "b", when: "a contains 'x'" }] },
      agents: [
        { type: "llm", role: "a", prompt: "{query}" },
        { type: "llm", role: "b", prompt: "{a}" },
      ],
    },
  ],
  [
    "router",
    {
      orchestration: true,
      orchestrator: { model: "m/boss" },
      agents: [
        { type: "llm", role: "a", prompt: "{query}" },
        { type: "llm", role: "b", prompt: "{query}" },
      ],
    },
  ],
  [
    "team agent",
    {
      agents: [
        { type: "llm", role: "a", prompt: "{query}" },
        {
          type: "team",
          role: "inner",
          team: {
            teamId: "in",
            agents: [
              { type: "llm", role: "b", prompt: "{query}" },
              { type: "llm", role: "c", prompt: "{b}" },
            ],
          },
        },
      ],
    },
  ],
];

describe("pause works in every mode", () => {
  it.each(modes)(
    "%s: pauses at the next step boundary and resumes the same run",
    async (_name, mode) => {
      const clock = new FakeClock();
      const model = new ScriptedModel({ responses: () => "x", delayMs: STEP_MS, clock });
      const decisions = [
        { object: { nextAgent: "a", reason: "r", done: false } },
        { object: { nextAgent: "b", reason: "r", done: false } },
        { object: { nextAgent: "", reason: "r", done: true } },
      ];
      const boss = new ScriptedModel({ responses: decisions, clock });
      const team = new LLMTeam({
        teamId: "t",
        model: "m/x",
        models: { "m/x": model, "m/boss": boss },
        clock,
        ...mode,
      });
      const handle = team.start("go");
      await clock.advance(STEP_MS / 2);
      expect(model.callsMade).toBe(1);
      const pausing = handle.pause();
      await clock.advance(STEP_MS / 2);
      await pausing;
      expect(handle.state).toBe("paused");
      await clock.advance(60 * STEP_MS);
      expect(model.callsMade).toBe(1);
      handle.resume();
      for (let step = 0; step < 10 && handle.state !== "completed"; step++)
        await clock.advance(STEP_MS);
      const result = await handle.result;
      expect(result.success).toBe(true);
      expect(model.callsMade).toBeGreaterThan(1);
    },
  );
});
