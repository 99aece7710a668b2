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

/**
 * The default pipeline runs retry, cost and the provider call in one frame; a team with any
 * user middleware runs the layered one. Both must behave the same, event for event.
 */
const passThrough: ModelCallMiddleware = (next) => (request, context) => next(request, context);

interface Outcome {
  result: RunResult;
  events: unknown[];
  calls: string[];
}

async function runWith(
  responses: ScriptedResponse[],
  layered: boolean,
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
    ...(layered ? { middleware: [passThrough] } : {}),
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

const scripts: [string, ScriptedResponse[]][] = [
  ["answers at once", ["one", "two"]],
  [
    "retries a 429 and a 503, then answers",
    [
      { httpError: { status: 429, headers: { "retry-after": "0" } } },
      "one",
      { httpError: { status: 503 } },
      "two",
    ],
  ],
  ["fails for good on a 401", ["one", { httpError: { status: 401, message: "bad key" } }]],
  [
    "gives up after the retries",
    [
      "one",
      { httpError: { status: 500 } },
      { httpError: { status: 500 } },
      { httpError: { status: 500 } },
    ],
  ],
  ["fails on an empty answer", ["one", ""]],
  [
    "retries a connection cut while a 200 response was read",
    [
      { chunks: ["o", "n"], streamError: connectionCut() },
      "one",
      { error: connectionCut() },
      "two",
    ],
  ],
];

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

describe("the single-frame pipeline behaves as the layered one", () => {
  for (const stream of [false, true]) {
    for (const [name, responses] of scripts) {
      it(`${name} (${stream ? "streamed" : "not streamed"})`, async () => {
        // Not streamed, the scripted model ignores `streamError`: the cut comes before the answer.
        const script = stream
          ? responses
          : responses.map((response) =>
              typeof response === "object" && response.streamError !== undefined
                ? { error: response.streamError }
                : response,
            );
        const direct = await runWith(script, false, { stream });
        const layered = await runWith(script, true, { stream });
        expect(direct.events).toEqual(layered.events);
        expect(direct.calls).toEqual(layered.calls);
        expect(direct.result.status).toBe(layered.result.status);
        expect(direct.result.usage).toEqual(layered.result.usage);
        expect(direct.result.cost.totalUsd).toBe(layered.result.cost.totalUsd);
        expect(direct.result.agentResults.map(({ latencyMs: _latency, ...rest }) => rest)).toEqual(
          layered.result.agentResults.map(({ latencyMs: _latency, ...rest }) => rest),
        );
        expect(direct.result.error?.message).toBe(layered.result.error?.message);
        if (name.startsWith("retries"))
          expect(direct.result.output).toEqual({ first: "one", second: "two" });
      });
    }
  }

  it("with a run budget that stops the second call", async () => {
    const responses: ScriptedResponse[] = [
      { text: "one", usage: { inputTokens: 1_000_000, outputTokens: 0 } },
      "two",
    ];
    const direct = await runWith(responses, false, { stream: false, budget: 1.001 });
    const layered = await runWith(responses, true, { stream: false, budget: 1.001 });
    expect(direct.result.status).toBe("budget_exceeded");
    expect(direct.events).toEqual(layered.events);
    expect(direct.calls).toEqual(layered.calls);
  });

  it("with a provider that throws at once instead of rejecting, then answers", async () => {
    const outcome = async (layered: boolean): Promise<RunResult> => {
      const model = new ScriptedModel({ responses: ["fine"] });
      let calls = 0;
      // A provider whose doGenerate throws synchronously on its first call (not a rejection).
      const flaky = Object.assign(Object.create(model) as ScriptedModel, {
        doGenerate: (options: Parameters<ScriptedModel["doGenerate"]>[0]) => {
          if (calls++ === 0)
            throw Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
          return model.doGenerate(options);
        },
      });
      const team = new LLMTeam({
        teamId: "t",
        model: "test/model",
        models: { "test/model": flaky },
        retryPolicy: { maxRetries: 1, baseDelay: 0, jitter: 0 },
        ...(layered ? { middleware: [passThrough] } : {}),
        agents: [{ type: "llm", role: "only", prompt: "Do {query}" }],
      });
      return team.run({ query: "q" });
    };
    const direct = await outcome(false);
    const layered = await outcome(true);
    expect(direct.status).toBe("completed");
    expect(direct.agentResults[0]!.retryMetrics).toEqual(layered.agentResults[0]!.retryMetrics);
    expect(direct.agentResults[0]!.modelCalls).toBe(2);
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
