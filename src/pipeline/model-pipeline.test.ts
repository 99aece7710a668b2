import { APICallError } from "@ai-sdk/provider";
import { describe, expect, it } from "vitest";
import {
  LLMTeam,
  ModelPricing,
  PricingRegistry,
  type ModelCallMiddleware,
  type RunResult,
  type StreamEvent,
} from "llmteam";
import { FakeClock, ScriptedModel, type ScriptedResponse } from "llmteam/testing";

interface Outcome {
  result: RunResult;
  events: unknown[];
  calls: string[];
}

/** A two-agent team on a scripted model (retries: 2, 10 ms apart), run to its end. */
async function runWith(
  responses: ScriptedResponse[],
  options: { stream: boolean; budget?: number },
): Promise<Outcome> {
  const clock = new FakeClock();
  const model = new ScriptedModel({ responses, clock });
  const pricing = new PricingRegistry({ clock });
  pricing.register("test/model", new ModelPricing({ inputPer1M: 1, outputPer1M: 2 }));
  const team = new LLMTeam({
    teamId: "t",
    model: "test/model",
    models: { "test/model": model },
    clock,
    pricing,
    stream: options.stream,
    retryPolicy: { maxRetries: 2, baseDelay: 0.01, jitter: 0 },
    ...(options.budget === undefined ? {} : { maxCostPerRun: options.budget }),
    agents: [
      { type: "llm", role: "first", prompt: "Do {query}" },
      { type: "llm", role: "second", prompt: "Then {first}" },
    ],
  });
  const events: unknown[] = [];
  const stream = team.stream({ query: "q" });
  let done = false;
  const driving = (async () => {
    for await (const event of stream) events.push(comparable(event));
    done = true;
  })();
  // The fake clock drives the retry waits.
  while (!done) await clock.advance(1_000);
  await driving;
  return { result: await stream.result, events, calls: model.calls.map((call) => call.mode) };
}

/** An event without what differs between two runs (ids, times). */
function comparable(event: StreamEvent): unknown {
  const data = JSON.parse(JSON.stringify(event.data)) as Record<string, unknown>;
  delete data.latencyMs;
  delete data.durationMs;
  return { type: event.type, agentId: event.agentId, data };
}

/** What the AI SDK throws when the server drops the connection mid-response: status 200, socket cause. */
function connectionCut(): APICallError {
  const socket = Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" });
  return new APICallError({
    message: "Failed to process successful response",
    url: "http://127.0.0.1/v1/chat/completions",
    requestBodyValues: {},
    statusCode: 200,
    cause: new TypeError("terminated", { cause: socket }),
  });
}

/** Not streamed, the scripted model ignores `streamError`: the cut comes before the answer. */
function script(responses: ScriptedResponse[], stream: boolean): ScriptedResponse[] {
  if (stream) return responses;
  return responses.map((response) =>
    typeof response === "object" && response.streamError !== undefined
      ? { error: response.streamError }
      : response,
  );
}

function eventsOf(outcome: Outcome, type: string): { agentId?: string; data: unknown }[] {
  return (outcome.events as { type: string; agentId?: string; data: unknown }[]).filter(
    (event) => event.type === type,
  );
}

describe("the model pipeline (retry, cost, provider call) of every agent", () => {
  for (const stream of [false, true]) {
    const mode = stream ? "streamed" : "not streamed";

    it(`answers at once: one attempt, one cost_update per call (${mode})`, async () => {
      const outcome = await runWith(["one", "two"], { stream });
      expect(outcome.result.status).toBe("completed");
      expect(outcome.result.output).toEqual({ first: "one", second: "two" });
      expect(outcome.calls).toEqual(stream ? ["stream", "stream"] : ["generate", "generate"]);
      expect(eventsOf(outcome, "retry")).toEqual([]);
      expect(eventsOf(outcome, "cost_update")).toHaveLength(2);
      expect(outcome.result.agentResults.map((result) => result.retryMetrics?.attempts)).toEqual([
        1, 1,
      ]);
      expect(outcome.result.cost.totalUsd).toBeGreaterThan(0);
    });

    it(`retries a 429 (Retry-After: 0) and a 503, then answers (${mode})`, async () => {
      const outcome = await runWith(
        [
          { httpError: { status: 429, headers: { "retry-after": "0" } } },
          "one",
          { httpError: { status: 503 } },
          "two",
        ],
        { stream },
      );
      expect(outcome.result.status).toBe("completed");
      expect(outcome.result.output).toEqual({ first: "one", second: "two" });
      expect(outcome.calls).toHaveLength(4);
      const retries = eventsOf(outcome, "retry");
      expect(retries.map((event) => event.agentId)).toEqual(["first", "second"]);
      // Retry-After: 0 is waited exactly; the 503 waits the backoff (baseDelay 0.01 s, no jitter).
      expect(retries.map((event) => (event.data as { delayMs: number }).delayMs)).toEqual([0, 10]);
      // Failed attempts produced nothing: only the answers are priced.
      expect(eventsOf(outcome, "cost_update")).toHaveLength(2);
      for (const result of outcome.result.agentResults) {
        expect(result.retryMetrics).toMatchObject({ attempts: 2, retries: 1 });
        expect(result.modelCalls).toBe(2);
      }
    });

    it(`fails at once on a 401, without a retry (${mode})`, async () => {
      const outcome = await runWith(["one", { httpError: { status: 401, message: "bad key" } }], {
        stream,
      });
      expect(outcome.result.status).toBe("failed");
      expect(outcome.calls).toHaveLength(2);
      expect(eventsOf(outcome, "retry")).toEqual([]);
      expect(outcome.result.error?.message).toContain("bad key");
      expect(eventsOf(outcome, "agent_failed").map((event) => event.agentId)).toEqual(["second"]);
    });

    it(`gives up after maxRetries with a RetryError (${mode})`, async () => {
      const outcome = await runWith(
        [
          "one",
          { httpError: { status: 500 } },
          { httpError: { status: 500 } },
          { httpError: { status: 500 } },
        ],
        { stream },
      );
      expect(outcome.result.status).toBe("failed");
      expect(outcome.calls).toHaveLength(4);
      expect(eventsOf(outcome, "retry")).toHaveLength(2);
      expect(outcome.result.error?.message).toContain("failed after 3 attempts (maxRetries: 2)");
    });

    it(`fails on an empty answer, which is not retried (${mode})`, async () => {
      const outcome = await runWith(["one", ""], { stream });
      expect(outcome.result.status).toBe("failed");
      expect(outcome.calls).toHaveLength(2);
      expect(eventsOf(outcome, "retry")).toEqual([]);
      expect(eventsOf(outcome, "agent_failed").map((event) => event.agentId)).toEqual(["second"]);
    });

    it(`retries a connection cut while a 200 response was read (${mode})`, async () => {
      const outcome = await runWith(
        script(
          [
            { chunks: ["o", "n"], streamError: connectionCut() },
            "one",
            { error: connectionCut() },
            "two",
          ],
          stream,
        ),
        { stream },
      );
      expect(outcome.result.status).toBe("completed");
      expect(outcome.result.output).toEqual({ first: "one", second: "two" });
      expect(outcome.calls).toHaveLength(4);
      const retries = eventsOf(outcome, "retry").map((event) => event.data);
      expect(retries).toHaveLength(2);
      // A cut stream's two tokens are dropped by clients and priced; a cut before any output is not.
      expect(retries[0]).toMatchObject(stream ? { discardedTokens: 2 } : {});
      expect(retries[1]).not.toHaveProperty("discardedTokens");
      expect(eventsOf(outcome, "cost_update")).toHaveLength(stream ? 3 : 2);
    });
  }

  it("stops a call a run budget has no room for: not made, budget_exceeded", async () => {
    const outcome = await runWith(
      [{ text: "one", usage: { inputTokens: 1_000_000, outputTokens: 0 } }, "two"],
      { stream: false, budget: 1.001 },
    );
    expect(outcome.result.status).toBe("budget_exceeded");
    expect(outcome.calls).toEqual(["generate"]);
    expect(eventsOf(outcome, "budget_exceeded")).toHaveLength(1);
    expect(outcome.result.cost.totalUsd).toBe(1);
  });

  it("retries a provider that throws at once instead of rejecting, then answers", async () => {
    const model = new ScriptedModel({ responses: ["fine"] });
    let calls = 0;
    // A provider whose doGenerate throws synchronously on its first call (not a rejection).
    const flaky = Object.assign(Object.create(model) as ScriptedModel, {
      doGenerate: (options: Parameters<ScriptedModel["doGenerate"]>[0]) => {
        if (calls++ === 0) throw Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
        return model.doGenerate(options);
      },
    });
    const team = new LLMTeam({
      teamId: "t",
      model: "test/model",
      models: { "test/model": flaky },
      retryPolicy: { maxRetries: 1, baseDelay: 0, jitter: 0 },
      agents: [{ type: "llm", role: "only", prompt: "Do {query}" }],
    });
    const result = await team.run({ query: "q" });
    expect(result.status).toBe("completed");
    expect(result.agentResults[0]!.retryMetrics).toMatchObject({ attempts: 2, retries: 1 });
    expect(result.agentResults[0]!.modelCalls).toBe(2);
  });

  it("hands middleware a plain context: serialisable, and still working when spread", async () => {
    const seen: string[] = [];
    const logging: ModelCallMiddleware = (next) => (request, context) => {
      seen.push(JSON.stringify(context));
      return next(request, { ...context });
    };
    const model = new ScriptedModel({ responses: ["two words"] });
    const team = new LLMTeam({
      teamId: "t",
      model: "test/model",
      models: { "test/model": model },
      middleware: [logging],
      agents: [{ type: "llm", role: "only", prompt: "Do {query}" }],
    });
    const events: StreamEvent[] = [];
    const stream = team.stream({ query: "q" });
    for await (const event of stream) events.push(event);
    expect((await stream.result).success).toBe(true);
    expect(JSON.parse(seen[0]!)).toMatchObject({ runId: stream.runId, agentId: "only" });
    expect(events.filter((event) => event.type === "token").map((event) => event.agentId)).toEqual([
      "only",
      "only",
    ]);
  });
});
