import { describe, expect, it } from "vitest";
import { ConfigError, LLMTeam, parseTeamText, type StreamEvent } from "llmteam";
import { FakeClock, ScriptedModel } from "llmteam/testing";

describe("resilience configured in a team", () => {
  it("retries a 429 after the provider's Retry-After, from team defaults, and reports the metrics", async () => {
    const clock = new FakeClock();
    const model = new ScriptedModel({
      responses: [{ httpError: { status: 429, headers: { "retry-after": "7" } } }, "recovered"],
    });
    const team = new LLMTeam({
      teamId: "t",
      model: "m/x",
      clock,
      models: { "m/x": model },
      retryPolicy: { maxRetries: 2, jitter: 0 },
    });
    team.addAgent({ type: "llm", role: "a", prompt: "{query}" });
    const stream = team.stream("q");
    const events: StreamEvent[] = [];
    const reading = (async () => {
      for await (const event of stream) events.push(event);
    })();
    while (model.callsMade < 1 || clock.pendingSleeps === 0) await clock.advance(0);
    await clock.advance(6_999);
    expect(model.callsMade).toBe(1);
    await clock.advance(1);
    await reading;
    const result = await stream.result;
    expect(result.success).toBe(true);
    expect(model.callsMade).toBe(2);
    const retry = events.find((event) => event.type === "retry");
    expect(retry?.type === "retry" && retry.data.delayMs).toBe(7_000);
    expect(result.agentResults[0]).toMatchObject({
      modelCalls: 2,
      retryMetrics: { attempts: 2, retries: 1, totalDelayMs: 7_000 },
    });
  });

  it("falls back to the next model in the list when the first fails for good", async () => {
    const broken = new ScriptedModel({
      responses: [{ httpError: { status: 500 } }, { httpError: { status: 500 } }],
    });
    const backup = new ScriptedModel({ responses: ["from backup"] });
    const team = new LLMTeam({
      teamId: "t",
      clock: new FakeClock(),
      models: { "p/broken": broken, "p/backup": backup },
    });
    team.addAgent({
      type: "llm",
      role: "a",
      prompt: "{query}",
      model: ["p/broken", "p/backup"],
      retryPolicy: { maxRetries: 1, baseDelay: 0 },
    });
    const result = await team.run("q");
    expect(result.success).toBe(true);
    expect(result.finalOutput).toBe("from backup");
    expect(result.agentResults[0]!.model).toBe("p/backup");
    expect(broken.callsMade).toBe(2);
  });

  it("does not retry a 401 and fails the agent at once", async () => {
    const model = new ScriptedModel({ responses: [{ httpError: { status: 401 } }] });
    const team = new LLMTeam({ teamId: "t", model: "m/x", models: { "m/x": model } });
    team.addAgent({ type: "llm", role: "a", prompt: "{query}" });
    const result = await team.run("q");
    expect(result.status).toBe("failed");
    expect(model.callsMade).toBe(1);
  });

  it("opens the agent's breaker, fails the next run at once and sets shouldEscalate", async () => {
    const model = new ScriptedModel({
      responses: [{ httpError: { status: 503 } }, { httpError: { status: 503 } }],
    });
    const team = new LLMTeam({
      teamId: "t",
      model: "m/x",
      clock: new FakeClock(),
      models: { "m/x": model },
      retryPolicy: false,
    });
    team.addAgent({
      type: "llm",
      role: "a",
      prompt: "{query}",
      circuitBreaker: { failureThreshold: 2 },
    });
    await team.run("1");
    await team.run("2");
    const third = await team.run("3");
    expect(model.callsMade).toBe(2);
    expect(third.error?.name).toBe("CircuitOpenError");
    expect(third.agentResults[0]!.shouldEscalate).toBe(true);
  });

  it("validates policies in team files with the line of the bad key", () => {
    const yaml = "teamId: t\nretryPolicy:\n  maxRetry: 3\nagents: []\n";
    expect(() => parseTeamText(yaml, "t.yaml")).toThrow(ConfigError);
    expect(() => parseTeamText(yaml, "t.yaml")).toThrow(
      /t\.yaml:3:3 retryPolicy\.maxRetry: Unknown key "maxRetry"/,
    );
  });
});
