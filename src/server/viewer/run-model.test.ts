import { describe, expect, it } from "vitest";
import { APICallError } from "@ai-sdk/provider";
import { LLMTeam, type StreamEvent } from "llmteam";
import { ScriptedModel } from "llmteam/testing";
import { RunModel, type ViewedEvent } from "./run-model.js";

/** The events of a real run, as JSON (what the server sends). */
async function eventsOf(responses: ConstructorParameters<typeof ScriptedModel>[0]["responses"]) {
  const team = new LLMTeam({
    teamId: "tea",
    model: "openai/gpt-4o-mini",
    models: { "openai/gpt-4o-mini": new ScriptedModel({ responses }) },
    retryPolicy: { maxRetries: 1, baseDelay: 0.001, jitter: 0 },
    maxCostPerRun: 1,
  });
  team.addAgent({ type: "llm", role: "writer", prompt: "Write about {query}", stream: true });
  team.addAgent({ type: "llm", role: "editor", prompt: "Edit: {writer}", stream: true });
  const events: ViewedEvent[] = [];
  for await (const event of team.stream({ query: "tea" }) as AsyncIterable<StreamEvent>)
    events.push(event.toDict());
  return events;
}

describe("RunModel", () => {
  it("folds a run: steps in order with their streamed text, cost, output and report figures", async () => {
    const events = await eventsOf([
      { chunks: ["Green", " tea"], usage: { inputTokens: 100, outputTokens: 1000 } },
      { chunks: ["Green", " tea."], usage: { inputTokens: 100, outputTokens: 1000 } },
    ]);
    const model = new RunModel(events[0]!.runId);
    for (const event of events) expect(model.apply(event)).toBe(true);
    expect(model.status).toBe("completed");
    expect(model.steps.map(({ agentId, status, text }) => ({ agentId, status, text }))).toEqual([
      { agentId: "writer", status: "completed", text: "Green tea" },
      { agentId: "editor", status: "completed", text: "Green tea." },
    ]);
    expect(model.steps[0]!.endedAt).toBeLessThanOrEqual(model.steps[1]!.startedAt);
    // 2 × (100 × $0.15 + 1000 × $0.60) per 1M tokens
    expect(model.costUsd).toBeCloseTo(0.00123, 10);
    expect(model.steps[0]!.costUsd).toBeCloseTo(0.000615, 10);
    expect(model.output).toBe("Green tea.");
    expect(model.usage).toMatchObject({ inputTokens: 200, outputTokens: 2000 });
    expect({ lastSeq: model.lastSeq, duplicates: model.duplicates, gaps: model.gaps }).toEqual({
      lastSeq: events.length,
      duplicates: 0,
      gaps: [],
    });
  });

  it("drops the tokens a retried attempt streamed, and notes the retry on the step", async () => {
    const events = await eventsOf([
      {
        chunks: ["Gre", "en"],
        streamError: new APICallError({
          message: "overloaded",
          url: "scripted://model",
          requestBodyValues: {},
          statusCode: 503,
          isRetryable: true,
        }),
      },
      { chunks: ["Black", " tea"] },
      "Black tea.",
    ]);
    const model = new RunModel(events[0]!.runId);
    for (const event of events) model.apply(event);
    const writer = model.steps[0]!;
    expect(writer.text).toBe("Black tea");
    expect(writer.notes).toEqual([
      expect.objectContaining({ kind: "retry", text: expect.stringContaining("attempt 1 on") }),
    ]);
  });

  it("ignores and counts a repeated event, and records a gap", async () => {
    const events = await eventsOf(["a", "b"]);
    const model = new RunModel(events[0]!.runId);
    model.apply(events[0]!);
    model.apply(events[1]!);
    expect(model.apply(events[1]!)).toBe(false);
    model.apply(events[3]!);
    expect({ duplicates: model.duplicates, gaps: model.gaps, lastSeq: model.lastSeq }).toEqual({
      duplicates: 1,
      gaps: ["3..3"],
      lastSeq: 4,
    });
  });

  it("takes the run budget and status from the store until the events say more", () => {
    const model = new RunModel("run_1");
    model.setStored({ teamId: "tea", status: "interrupted", budgetUsd: 0.5, createdAt: 1000 });
    expect(model).toMatchObject({ teamId: "tea", status: "interrupted", startedAt: 1000 });
    expect(model.budget).toEqual({ maxUsd: 0.5, period: "run" });
    expect(model.ended).toBe(false);
  });
});
