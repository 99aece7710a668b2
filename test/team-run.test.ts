import { describe, expect, it } from "vitest";
import { ConfigError, LLMTeam, type StreamEvent } from "llmteam";
import { FakeClock, ScriptedModel } from "llmteam/testing";
import { withoutEventCount } from "./support/same-run.js";

function supportTeam(model: ScriptedModel): LLMTeam {
  const team = new LLMTeam({
    teamId: "support",
    model: "test/model",
    models: { "test/model": model },
    clock: new FakeClock(),
  });
  team.addAgent({ type: "llm", role: "triage", prompt: "Classify this request: {query}" });
  team.addAgent({ type: "llm", role: "writer", prompt: "Reply to {query}. Category: {triage}" });
  return team;
}

describe("a sequential team run", () => {
  it("feeds the input and earlier outputs into later prompts and returns every output", async () => {
    const model = new ScriptedModel({
      responses: [
        { text: "billing", usage: { inputTokens: 12, outputTokens: 1 } },
        {
          text: "We are fixing your invoice.",
          usage: { inputTokens: 20, outputTokens: 6, cachedInputTokens: 8 },
        },
      ],
    });
    const result = await supportTeam(model).run({ query: "My invoice is wrong" });

    expect(result.success).toBe(true);
    expect(result.status).toBe("completed");
    expect(result.output).toEqual({ triage: "billing", writer: "We are fixing your invoice." });
    expect(result.finalOutput).toBe("We are fixing your invoice.");
    expect(result.agentsCalled).toEqual(["triage", "writer"]);
    const secondPrompt = model.calls[1]!.options.prompt.at(-1)!;
    expect(JSON.stringify(secondPrompt.content)).toContain(
      "Reply to My invoice is wrong. Category: billing",
    );
    expect(result.usage).toEqual({
      inputTokens: 32,
      outputTokens: 7,
      totalTokens: 39,
      cachedInputTokens: 8,
    });
    expect(
      result.agentResults.map((agent) => [agent.agentId, agent.usage.totalTokens, agent.model]),
    ).toEqual([
      ["triage", 13, "test/model"],
      ["writer", 26, "test/model"],
    ]);
    expect(result.error).toBeUndefined();
  });

  it("fails the run truthfully when an agent fails, naming the agent", async () => {
    const model = new ScriptedModel({
      responses: ["billing", { httpError: { status: 401, message: "Invalid API key" } }],
    });
    const result = await supportTeam(model).run({ query: "q" });
    expect(result.success).toBe(false);
    expect(result.status).toBe("failed");
    expect(result.failedAgent).toBe("writer");
    expect(result.error?.message).toContain("Invalid API key");
    expect(result.output).toEqual({ triage: "billing" });
    expect(result.agentResults[1]).toMatchObject({
      agentId: "writer",
      success: false,
      error: { code: "provider_error", status: 401 },
    });
  });

  it("treats an empty answer as a failure, not an empty success", async () => {
    const model = new ScriptedModel({ responses: ["billing", ""] });
    const result = await supportTeam(model).run({ query: "q" });
    expect(result.success).toBe(false);
    expect(result.error?.name).toBe("EmptyAnswerError");
  });

  it("marks usage as estimated when the provider reports none", async () => {
    const model = new ScriptedModel({ responses: [{ text: "billing", omitUsage: true }, "ok"] });
    const result = await supportTeam(model).run({ query: "q" });
    expect(result.agentResults[0]!.usage.estimated).toBe(true);
    expect(result.agentResults[0]!.usage.outputTokens).toBeGreaterThan(0);
    expect(result.agentResults[1]!.usage.estimated).toBeUndefined();
  });

  it("uses doGenerate when streaming is off and doStream otherwise", async () => {
    const model = new ScriptedModel({ responses: ["a", "b"] });
    const team = new LLMTeam({
      teamId: "t",
      model: "m/x",
      stream: false,
      models: { "m/x": model },
    });
    team.addAgent({ type: "llm", role: "one", prompt: "{query}" });
    team.addAgent({ type: "llm", role: "two", prompt: "{one}", stream: true });
    await team.run("hi");
    expect(model.calls.map((call) => call.mode)).toEqual(["generate", "stream"]);
  });

  it("passes temperature, maxTokens and the system prompt to the model", async () => {
    const model = new ScriptedModel({ responses: ["x"] });
    const team = new LLMTeam({
      teamId: "t",
      model: "m/x",
      temperature: 0.2,
      maxTokens: 100,
      models: { "m/x": model },
    });
    team.addAgent({
      type: "llm",
      role: "one",
      prompt: "{query}",
      systemPrompt: "You help with {query}.",
      maxTokens: 50,
    });
    await team.run({ query: "taxes" });
    const options = model.calls[0]!.options;
    expect(options.temperature).toBe(0.2);
    expect(options.maxOutputTokens).toBe(50);
    expect(options.prompt[0]).toEqual({ role: "system", content: "You help with taxes." });
  });
});

describe("cancellation", () => {
  it("aborts the model call in flight and ends with status cancelled", async () => {
    const model = new ScriptedModel({ responses: ["slow answer"], delayMs: 60_000 });
    const team = new LLMTeam({ teamId: "t", model: "m/x", models: { "m/x": model } });
    team.addAgent({ type: "llm", role: "one", prompt: "{query}" });
    const controller = new AbortController();
    const running = team.run("q", { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("user pressed stop")), 20);
    const started = Date.now();
    const result = await running;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.status).toBe("cancelled");
    expect(result.success).toBe(false);
    expect(result.error?.message).toBe("user pressed stop");
  });
});

describe("the event stream", () => {
  it("yields gap-free numbered events ending in exactly one terminal event, and the same result as run()", async () => {
    const responses = [{ chunks: ["bil", "ling"] }, { chunks: ["Hello", " there"] }];
    const stream = supportTeam(new ScriptedModel({ responses })).stream({ query: "q" });
    const events: StreamEvent[] = [];
    for await (const event of stream) events.push(event);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(events.map((event) => event.type)).toEqual([
      "run_started",
      "agent_started",
      "token",
      "token",
      "cost_update",
      "warning",
      "agent_completed",
      "progress",
      "agent_started",
      "token",
      "token",
      "cost_update",
      "agent_completed",
      "progress",
      "run_completed",
    ]);
    expect(
      events
        .filter((event) => event.type === "token")
        .map((event) => event.type === "token" && event.data.token),
    ).toEqual(["bil", "ling", "Hello", " there"]);
    expect(events[2]!.agentPath).toBe("support/triage");
    const streamed = await stream.result;
    const ran = await supportTeam(new ScriptedModel({ responses })).run({ query: "q" });
    const fixed = { runId: "", startedAt: "", completedAt: "", durationMs: 0 };
    const fixedCost = { runId: "", startedAt: 0, endedAt: 0 };
    expect({
      ...withoutEventCount(streamed),
      ...fixed,
      cost: { ...streamed.cost, ...fixedCost },
    }).toEqual({ ...withoutEventCount(ran), ...fixed, cost: { ...ran.cost, ...fixedCost } });
    // run() made the same calls without streaming: the same log without the four token events.
    expect(streamed.eventCount - ran.eventCount).toBe(4);
  });

  it("ends with run_failed, not run_completed, when an agent fails", async () => {
    const stream = supportTeam(
      new ScriptedModel({ responses: ["a", { error: new Error("boom") }] }),
    ).stream({ query: "q" });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types.slice(-2)).toEqual(["agent_failed", "run_failed"]);
    expect(types).not.toContain("run_completed");
    expect((await stream.result).status).toBe("failed");
  });

  it("cancels the run when the consumer stops early", async () => {
    const model = new ScriptedModel({ responses: [{ chunks: ["a", "b", "c"], delayMs: 60_000 }] });
    const stream = supportTeam(model).stream({ query: "q" });
    let seen = 0;
    for await (const event of stream) if (event.type === "agent_started" && ++seen === 1) break;
    const result = await stream.result;
    expect(result.status).toBe("cancelled");
    expect(result.agentsCalled).toEqual(["triage"]);
    expect(result.output).toEqual({});
  });

  it("surfaces configuration errors from the iterator and from result", async () => {
    const team = new LLMTeam({
      teamId: "t",
      model: "m/x",
      models: { "m/x": new ScriptedModel({ responses: [] }) },
    });
    const stream = team.stream({ query: "q" });
    await expect(stream[Symbol.asyncIterator]().next()).rejects.toBeInstanceOf(ConfigError);
    await expect(stream.result).rejects.toThrow(/has no agents/);
  });
});
