import { describe, expect, it, vi } from "vitest";
import { LLMTeam, type StreamEvent } from "llmteam";
import { FakeClock, ScriptedModel } from "llmteam/testing";
import { createResiliencePipeline } from "./index.js";

describe("resilience in a team run", () => {
  it("retries a rate-limited agent as Retry-After asks and tells the stream", async () => {
    const clock = new FakeClock();
    const model = new ScriptedModel({
      responses: [
        { httpError: { status: 429, headers: { "retry-after": "2" } } },
        "billing",
        "We fixed it.",
      ],
      clock,
    });
    const team = new LLMTeam({
      teamId: "support",
      model: "test/model",
      models: { "test/model": model },
      clock,
      middleware: [createResiliencePipeline({ retryPolicy: { maxRetries: 2 } })],
    });
    team.addAgent({ type: "llm", role: "triage", prompt: "Classify: {query}" });
    team.addAgent({ type: "llm", role: "writer", prompt: "Reply to {query} ({triage})" });

    const stream = team.stream({ query: "My invoice is wrong" });
    const events: StreamEvent[] = [];
    const consumed = (async () => {
      for await (const event of stream as AsyncIterable<StreamEvent>) events.push(event);
    })();
    await vi.waitFor(() => expect(clock.pendingSleeps).toBe(1));
    await clock.advance(2_000);
    await consumed;
    const result = await stream.result;

    expect(result.success).toBe(true);
    expect(result.finalOutput).toBe("We fixed it.");
    expect(model.callsMade).toBe(3);
    const retry = events.find((event) => event.type === "retry");
    expect(retry).toMatchObject({
      agentId: "triage",
      data: { attempt: 1, delayMs: 2_000, model: "test/model", error: { status: 429 } },
    });
    expect(events.map((event) => event.type).slice(0, 4)).toEqual([
      "run_started",
      "agent_started",
      "retry",
      "token",
    ]); // streams by default
  });
});
