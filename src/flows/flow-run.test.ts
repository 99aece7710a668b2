import { describe, expect, it } from "vitest";
import * as z from "zod";
import { LLMTeam, type AgentConfig, type RunResult, type TeamConfig } from "llmteam";
import { FakeClock, ScriptedModel, type ScriptedResponse } from "llmteam/testing";
import { byPrompt, lastUserText, settle } from "../../test/support/orchestration-helpers.js";
import { withoutEventCount } from "../../test/support/same-run.js";
import { collect } from "../../test/support/collect-events.js";

const llm = (role: string, prompt: string, extra: Partial<AgentConfig> = {}): AgentConfig => ({
  type: "llm",
  role,
  prompt,
  ...extra,
});

function makeTeam(
  config: Omit<TeamConfig, "teamId"> & { teamId?: string },
  answers: Record<string, ScriptedResponse | ScriptedResponse[]>,
  clock = new FakeClock(),
) {
  const model = new ScriptedModel({ responses: byPrompt(answers), clock });
  const team = new LLMTeam({
    teamId: "t",
    model: "test/model",
    models: { "test/model": model },
    clock,
    ...config,
  });
  return { team, model, clock };
}

function comparable(result: RunResult): Omit<RunResult, "report" | "eventCount"> {
  return { ...withoutEventCount(result), runId: "" };
}

describe("chains", () => {
  it("runs a -> b -> c in order, each prompt reading the earlier outputs", async () => {
    const { team, model } = makeTeam(
      {
        flow: "a -> b -> c",
        agents: [llm("c", "c: {b}"), llm("a", "a: {query}"), llm("b", "b: {a}")],
      },
      { a: "A-out", b: "B-out", c: "C-out" },
    );
    const result = await team.run("go");
    expect(result.success).toBe(true);
    expect(result.agentsCalled).toEqual(["a", "b", "c"]);
    expect(model.calls.map((call) => lastUserText(call.options))).toEqual([
      "a: go",
      "b: A-out",
      "c: B-out",
    ]);
    expect(result.finalOutput).toBe("C-out");
  });

  it('runs every agent of "a, b -> c": b is not skipped', async () => {
    const { team } = makeTeam(
      {
        flow: "a, b -> c",
        agents: [llm("a", "a: {query}"), llm("b", "b: {query}"), llm("c", "c: {a} + {b}")],
      },
      { a: "A", b: "B", c: "C" },
    );
    const result = await team.run("go");
    expect(result.agentsCalled.slice(0, 2).sort()).toEqual(["a", "b"]);
    expect(result.agentsCalled[2]).toBe("c");
    expect(result.output).toEqual({ a: "A", b: "B", c: "C" });
  });
});

describe("fan-out and fan-in", () => {
  const fanOut = (clock: FakeClock) =>
    makeTeam(
      {
        flow: "a -> b, c -> d",
        agents: [
          llm("a", "a: {query}"),
          llm("b", "b: {a}"),
          llm("c", "c: {a}"),
          llm("d", "d: {b} | {c}"),
        ],
      },
      { a: "A", b: { text: "B", delayMs: 1_000 }, c: { text: "C", delayMs: 1_000 }, d: "D" },
      clock,
    );

  it("runs b and c concurrently after a, and d after both, seeing both outputs", async () => {
    const clock = new FakeClock();
    const { team, model } = fanOut(clock);
    const result = await settle(team.run("go"), clock);
    expect(result.success).toBe(true);
    // Two 1 s agents in parallel: the run takes 1 s, not 2 s.
    expect(result.durationMs).toBe(1_000);
    const byAgent = Object.fromEntries(
      result.agentResults.map((agent) => [agent.agentId, agent.latencyMs]),
    );
    expect(byAgent).toEqual({ a: 0, b: 1_000, c: 1_000, d: 0 });
    expect(result.agentsCalled[3]).toBe("d");
    expect(model.calls.length).toBeGreaterThan(0);
  });

  it("starts both branches before either finishes, numbers events without gaps, and folds interleaved agents", async () => {
    const clock = new FakeClock();
    const { team, model } = fanOut(clock);
    const stream = team.stream("go");
    const events = await settle(collect(stream), clock);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    const order = events
      .filter((event) => event.type === "agent_started" || event.type === "agent_completed")
      .map((event) => `${event.type === "agent_started" ? "start" : "end"}:${event.agentId}`);
    expect(order).toEqual([
      "start:a",
      "end:a",
      "start:b",
      "start:c",
      "end:b",
      "end:c",
      "start:d",
      "end:d",
    ]);
    expect(lastUserText(model.calls[3]!.options)).toBe("d: B | C");
    const result = await stream.result;
    expect(result.output).toEqual({ a: "A", b: "B", c: "C", d: "D" });
    expect(result.agentResults.map((agent) => agent.agentId)).toEqual(["a", "b", "c", "d"]);
  });

  it("gives the same result from run() and stream()", async () => {
    const clockA = new FakeClock();
    const ran = await settle(fanOut(clockA).team.run("go", { runId: "r" }), clockA);
    const clockB = new FakeClock();
    const stream = fanOut(clockB).team.stream("go", { runId: "r" });
    await settle(collect(stream), clockB);
    expect(comparable(await stream.result)).toEqual(comparable(ran));
    expect((await stream.result).report.toJSON()).toEqual(ran.report.toJSON());
  });

  it("stops the other branch when one fails, and fails the run naming the failed agent", async () => {
    const clock = new FakeClock();
    const { team } = makeTeam(
      {
        flow: "a -> b, c -> d",
        agents: [
          llm("a", "a: {query}"),
          llm("b", "b: {a}"),
          llm("c", "c: {a}"),
          llm("d", "d: {b} {c}"),
        ],
      },
      {
        a: "A",
        b: { httpError: { status: 400, message: "bad request" }, delayMs: 10 },
        c: { text: "C", delayMs: 60_000 },
        d: "D",
      },
      clock,
    );
    const result = await settle(team.run("go"), clock);
    expect(result.status).toBe("failed");
    expect(result.failedAgent).toBe("b");
    expect(result.durationMs).toBeLessThan(1_000);
    const c = result.agentResults.find((agent) => agent.agentId === "c")!;
    expect(c.success).toBe(false);
    expect(c.error?.message).toContain('agent "b" failed');
    expect(result.agentsCalled).not.toContain("d");
  });
});

describe("conditions", () => {
  const triageSchema = {
    type: "object",
    properties: { category: { type: "string", enum: ["billing", "tech"] } },
    required: ["category"],
    additionalProperties: false,
  };
  const routed = (category: string) =>
    makeTeam(
      {
        flow: {
          edges: [
            { from: "triage", to: "billing", when: 'triage.category == "billing"' },
            { from: "triage", to: "tech", when: { path: "triage.category", equals: "tech" } },
            { from: ["billing", "tech"], to: "reply" },
          ],
        },
        agents: [
          llm("triage", "triage: {query}", { outputSchema: triageSchema }),
          llm("billing", "billing: {query}"),
          llm("tech", "tech: {query}"),
          llm("reply", "reply: {billing?}{tech?}"),
        ],
      },
      {
        triage: { object: { category } },
        billing: "refund issued",
        tech: "reboot it",
        reply: "done",
      },
    );

  it("runs exactly the branch whose condition holds", async () => {
    const tech = await routed("tech").team.run("my router is down");
    expect(tech.agentsCalled).toEqual(["triage", "tech", "reply"]);
    expect(tech.output.triage).toEqual({ category: "tech" });
    const billing = routed("billing");
    const result = await billing.team.run("invoice");
    expect(result.agentsCalled).toEqual(["triage", "billing", "reply"]);
    expect(lastUserText(billing.model.calls[2]!.options)).toBe("reply: refund issued");
  });

  it("asks the provider for JSON with the agent's schema", async () => {
    const { team, model } = routed("tech");
    await team.run("q");
    expect(model.calls[0]!.options.responseFormat).toEqual({
      type: "json",
      schema: triageSchema,
      name: "triage",
    });
    expect(model.calls[1]!.options.responseFormat).toBeUndefined();
  });

  const boundedSchema = {
    type: "object",
    properties: { confidence: { type: "number", minimum: 0, maximum: 1 } },
    required: ["confidence"],
  };
  const structuredTeam = (responses: ScriptedResponse[]) => {
    const model = new ScriptedModel({ responses });
    const team = new LLMTeam({
      teamId: "t",
      model: "test/model",
      models: { "test/model": model },
      agents: [llm("triage", "triage: {query}", { outputSchema: boundedSchema })],
    });
    return { team, model };
  };

  it("asks once more with what was wrong when the answer breaks a limit the grammar cannot enforce", async () => {
    const { team, model } = structuredTeam([
      { object: { confidence: 8.9e11 }, usage: { inputTokens: 10, outputTokens: 5 } },
      { object: { confidence: 0.9 }, usage: { inputTokens: 30, outputTokens: 5 } },
    ]);
    const stream = team.stream("q");
    const events = await collect(stream);
    const result = await stream.result;
    expect(result.success).toBe(true);
    expect(result.finalOutput).toEqual({ confidence: 0.9 });
    const repair = model.calls[1]!.options;
    expect(repair.prompt.at(-2)).toMatchObject({ role: "assistant" });
    expect(lastUserText(repair)).toContain("confidence: Too big: expected number to be <=1");
    expect(repair.responseFormat).toMatchObject({ type: "json", schema: boundedSchema });
    expect(result.usage.totalTokens).toBe(50);
    expect(result.agentResults[0]!.modelCalls).toBe(2);
    expect(
      events.some((event) => event.type === "warning" && event.data.code === "output_repair"),
    ).toBe(true);
  });

  it("fails the agent clearly when the repaired answer does not match either", async () => {
    const { team, model } = structuredTeam([
      { object: { confidence: 7 } },
      { object: { confidence: 3 } },
    ]);
    const result = await team.run("q");
    expect(model.callsMade).toBe(2);
    expect(result.status).toBe("failed");
    expect(result.failedAgent).toBe("triage");
    expect(result.error?.name).toBe("OutputValidationError");
    expect(result.error?.message).toContain("confidence");
    expect(result.usage.totalTokens).toBeGreaterThan(0);
    const notJson = await structuredTeam([
      { text: "billing" },
      { text: "still not json" },
    ]).team.run("q");
    expect(notJson.error?.message).toMatch(/not JSON/);
  });

  it("accepts a zod schema in TypeScript", async () => {
    const { team, model } = makeTeam(
      {
        agents: [
          llm("triage", "triage: {query}", {
            outputSchema: z.object({ category: z.enum(["billing", "tech"]), urgent: z.boolean() }),
          }),
        ],
      },
      { triage: { text: '```json\n{"category":"tech","urgent":true}\n```' } },
    );
    const result = await team.run("q");
    expect(result.finalOutput).toEqual({ category: "tech", urgent: true });
    expect(
      (model.calls[0]!.options.responseFormat as { schema: { required: string[] } }).schema
        .required,
    ).toEqual(["category", "urgent"]);
  });
});

describe("loops", () => {
  const reviewSchema = {
    type: "object",
    properties: { approved: { type: "boolean" }, notes: { type: "string" } },
    required: ["approved"],
  };
  const loopTeam = (reviews: ScriptedResponse[]) =>
    makeTeam(
      {
        flow: {
          edges: [
            { from: "writer", to: "review" },
            { from: "review", to: "writer", when: "not review.approved", maxIterations: 3 },
            { from: "review", to: "publish", when: "review.approved" },
          ],
        },
        agents: [
          llm("writer", "writer: {query} {review.notes?}"),
          llm("review", "review: {writer}", { outputSchema: reviewSchema }),
          llm("publish", "publish: {writer}"),
        ],
      },
      { writer: ["draft 1", "draft 2", "draft 3"], review: reviews, publish: "published" },
    );

  it("loops back while the condition holds, reading the previous turn's output", async () => {
    const { team, model } = loopTeam([
      { object: { approved: false, notes: "shorter" } },
      { object: { approved: true } },
    ]);
    const result = await team.run("essay");
    expect(result.agentsCalled).toEqual(["writer", "review", "writer", "review", "publish"]);
    expect(lastUserText(model.calls[0]!.options)).toBe("writer: essay ");
    expect(lastUserText(model.calls[2]!.options)).toBe("writer: essay shorter");
    expect(result.finalOutput).toBe("published");
  });

  it("stops looping at maxIterations with a warning and goes on", async () => {
    const { team } = loopTeam([{ object: { approved: false, notes: "no" } }]);
    const stream = team.stream("essay");
    const events = await collect(stream);
    const result = await stream.result;
    expect(result.agentsCalled).toEqual([
      "writer",
      "review",
      "writer",
      "review",
      "writer",
      "review",
    ]);
    expect(result.success).toBe(true);
    expect(result.finalOutput).toEqual({ approved: false, notes: "no" });
    expect(
      events.some((event) => event.type === "warning" && event.data.code === "loop_limit"),
    ).toBe(true);
    expect(result.report.warnings.some((warning) => warning.includes("maxIterations (3)"))).toBe(
      true,
    );
  });
});

describe("run() and stream() agree", () => {
  it.each([
    ["a linear chain", { flow: "a -> b", agents: [llm("a", "a: {query}"), llm("b", "b: {a}")] }],
    [
      "a conditional graph with a loop",
      {
        flow: {
          edges: [
            { from: "a", to: "b" },
            { from: "b", to: "a", when: "b contains 'again'", maxIterations: 2 },
            { from: "b", to: "c", when: "not (b contains 'again')" },
          ],
        },
        agents: [llm("a", "a: {query}"), llm("b", "b: {a}"), llm("c", "c: {b}")],
      },
    ],
  ] as [string, Omit<TeamConfig, "teamId">][])("for %s", async (_name, config) => {
    const answers = { a: { text: "A", delayMs: 500 }, b: ["again", "fine"], c: "C" };
    const clockA = new FakeClock();
    const ran = await settle(
      makeTeam(config, answers, clockA).team.run("go", { runId: "r" }),
      clockA,
    );
    const clockB = new FakeClock();
    const stream = makeTeam(config, answers, clockB).team.stream("go", { runId: "r" });
    await settle(collect(stream), clockB);
    const streamed = await stream.result;
    expect(streamed.success).toBe(true);
    expect(withoutEventCount(streamed)).toEqual(withoutEventCount(ran));
    expect(streamed.report.toJSON()).toEqual(ran.report.toJSON());
  });
});

describe("team timeout", () => {
  it("stops the run at timeoutMs, aborting the model call, with status timeout", async () => {
    const clock = new FakeClock();
    const { team } = makeTeam(
      { timeoutMs: 5_000, agents: [llm("a", "a: {query}"), llm("b", "b: {a}")] },
      { a: "A", b: { text: "B", delayMs: 60_000 } },
      clock,
    );
    const started = clock.now();
    const result = await settle(team.run("go"), clock, 1_000);
    expect(result.status).toBe("timeout");
    expect(result.success).toBe(false);
    expect(result.error?.name).toBe("RunTimeoutError");
    expect(result.failedAgent).toBe("b");
    expect(clock.now() - started).toBeLessThan(10_000);
    expect(result.durationMs).toBe(5_000);
  });

  it("does not fire when the run finishes in time", async () => {
    const clock = new FakeClock();
    const { team } = makeTeam(
      { timeoutMs: 5_000, agents: [llm("a", "a: {query}")] },
      { a: { text: "A", delayMs: 1_000 } },
      clock,
    );
    const result = await settle(team.run("go"), clock);
    expect(result.status).toBe("completed");
    expect(clock.pendingSleeps).toBe(0);
  });
});
