import { SpanStatusCode, trace } from "@opentelemetry/api";
import { MeterProvider, MetricReader, type HistogramMetricData } from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from "@opentelemetry/sdk-trace-base";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configureTelemetry, KnowledgeCatalog, LLMGroup, LLMTeam, tool } from "llmteam";
import { ScriptedModel } from "llmteam/testing";

const add = tool({
  name: "add",
  description: "Adds two numbers.",
  parameters: z.object({ a: z.number(), b: z.number() }),
  execute: ({ a, b }) => a + b,
});

class TestReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

let exporter: InMemorySpanExporter;
let reader: TestReader;

beforeEach(() => {
  exporter = new InMemorySpanExporter();
  reader = new TestReader();
  configureTelemetry({
    tracerProvider: new BasicTracerProvider({
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    }),
    meterProvider: new MeterProvider({ readers: [reader] }),
  });
});
afterEach(() => configureTelemetry());

function team(model: ScriptedModel): LLMTeam {
  return LLMTeam.fromConfig(
    {
      teamId: "calc",
      model: "scripted/x",
      pricing: { "scripted/x": { inputPer1M: 1_000, outputPer1M: 2_000 } },
      retryPolicy: { maxRetries: 1, baseDelay: 0, jitter: 0 },
      agents: [
        { type: "llm", role: "solver", prompt: "{query}", tools: ["add"] },
        { type: "llm", role: "checker", prompt: "Check {solver}", temperature: 0.2 },
      ],
    },
    { models: { "scripted/x": model }, tools: [add] },
  );
}

function named(spans: ReadableSpan[], name: string): ReadableSpan[] {
  return spans.filter((span) => span.name === name);
}

function parentOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}

describe("OpenTelemetry traces", () => {
  it("gives a run, its agent steps, each model attempt and each tool call a span, in a tree", async () => {
    const model = new ScriptedModel({
      modelId: "x",
      responses: [
        { httpError: { status: 503 } },
        {
          toolCalls: [{ toolName: "add", input: { a: 2, b: 3 } }],
          usage: { inputTokens: 10, outputTokens: 4 },
        },
        { text: "5", usage: { inputTokens: 20, outputTokens: 1 } },
        { text: "Correct.", usage: { inputTokens: 8, outputTokens: 2 } },
      ],
    });
    const result = await team(model).run("add 2 and 3");
    expect(result.success).toBe(true);
    const spans = exporter.getFinishedSpans();
    const [run] = named(spans, "invoke_agent calc");
    expect(run).toBeDefined();
    expect(parentOf(run!)).toBeUndefined();
    expect(run!.attributes).toMatchObject({
      "gen_ai.operation.name": "invoke_agent",
      "llmteam.run.id": result.runId,
      "llmteam.team.id": "calc",
      "llmteam.run.status": "completed",
      "llmteam.budget.status": "ok",
      "gen_ai.usage.input_tokens": 38,
      "gen_ai.usage.output_tokens": 7,
    });
    expect(run!.attributes["llmteam.cost_usd"]).toBeCloseTo(result.cost.totalUsd, 9);
    const [solver] = named(spans, "invoke_agent solver");
    const [checker] = named(spans, "invoke_agent checker");
    expect(parentOf(solver!)).toBe(run!.spanContext().spanId);
    expect(parentOf(checker!)).toBe(run!.spanContext().spanId);
    expect(solver!.attributes).toMatchObject({
      "gen_ai.agent.name": "solver",
      "gen_ai.agent.id": "solver",
      "llmteam.agent.path": "calc/solver",
      "gen_ai.usage.input_tokens": 30,
    });
    // One span per attempt: the failed one (503) is there, with its error.
    const attempts = named(spans, "chat x");
    expect(attempts).toHaveLength(4);
    const solverAttempts = attempts.filter(
      (span) => parentOf(span) === solver!.spanContext().spanId,
    );
    expect(solverAttempts).toHaveLength(3);
    expect(solverAttempts[0]!.status.code).toBe(SpanStatusCode.ERROR);
    expect(solverAttempts[0]!.attributes["error.type"]).toBe("503");
    expect(solverAttempts[1]!.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "scripted",
      "gen_ai.request.model": "x",
      "gen_ai.response.model": "scripted/x",
      "gen_ai.usage.input_tokens": 10,
      "gen_ai.usage.output_tokens": 4,
      "gen_ai.response.finish_reasons": ["tool-calls"],
    });
    const checkerAttempt = attempts.find(
      (span) => parentOf(span) === checker!.spanContext().spanId,
    )!;
    expect(checkerAttempt.attributes["gen_ai.request.temperature"]).toBe(0.2);
    const [toolSpan] = named(spans, "execute_tool add");
    expect(parentOf(toolSpan!)).toBe(solver!.spanContext().spanId);
    expect(toolSpan!.attributes).toMatchObject({
      "gen_ai.operation.name": "execute_tool",
      "gen_ai.tool.name": "add",
      "gen_ai.tool.type": "function",
    });
    // No content unless asked for.
    expect(attempts.some((span) => "gen_ai.input.messages" in span.attributes)).toBe(false);
    expect(toolSpan!.attributes["gen_ai.tool.call.arguments"]).toBeUndefined();
  });

  it("marks a failed agent and its run with ERROR status and error.type", async () => {
    const model = new ScriptedModel({
      modelId: "x",
      responses: [{ httpError: { status: 400, message: "bad request" } }],
    });
    const result = await team(model).run("q");
    expect(result.success).toBe(false);
    const spans = exporter.getFinishedSpans();
    const [run] = named(spans, "invoke_agent calc");
    const [solver] = named(spans, "invoke_agent solver");
    expect(solver!.status.code).toBe(SpanStatusCode.ERROR);
    expect(solver!.attributes["error.type"]).toBe("provider_error");
    expect(run!.status.code).toBe(SpanStatusCode.ERROR);
    expect(run!.attributes["llmteam.run.status"]).toBe("failed");
    expect(named(spans, "invoke_agent checker")).toEqual([]);
  });

  it("records prompts, completions and tool arguments only when asked to", async () => {
    configureTelemetry({
      captureMessageContent: true,
      tracerProvider: new BasicTracerProvider({
        spanProcessors: [new SimpleSpanProcessor(exporter)],
      }),
    });
    const model = new ScriptedModel({
      modelId: "x",
      responses: [{ toolCalls: [{ toolName: "add", input: { a: 1, b: 1 } }] }, "2", "Yes."],
    });
    await team(model).run("add 1 and 1");
    const spans = exporter.getFinishedSpans();
    const first = named(spans, "chat x")[0]!;
    expect(String(first.attributes["gen_ai.input.messages"])).toContain("add 1 and 1");
    expect(JSON.parse(String(first.attributes["gen_ai.output.messages"]))).toEqual([
      {
        role: "assistant",
        parts: [
          { type: "tool_call", id: expect.any(String), name: "add", arguments: '{"a":1,"b":1}' },
        ],
        finish_reason: "tool-calls",
      },
    ]);
    const [toolSpan] = named(spans, "execute_tool add");
    expect(toolSpan!.attributes["gen_ai.tool.call.arguments"]).toBe('{"a":1,"b":1}');
    expect(toolSpan!.attributes["gen_ai.tool.call.result"]).toBe("2");
  });

  it("is a no-op without a registered tracer provider, and follows the global one once registered", async () => {
    configureTelemetry();
    await team(new ScriptedModel({ modelId: "x", responses: ["a", "b"] })).run("q");
    expect(exporter.getFinishedSpans()).toEqual([]);
    const provider = new BasicTracerProvider({
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    trace.setGlobalTracerProvider(provider);
    try {
      await team(new ScriptedModel({ modelId: "x", responses: ["a", "b"] })).run("q");
      expect(named(exporter.getFinishedSpans(), "invoke_agent calc")).toHaveLength(1);
    } finally {
      trace.disable();
    }
  });
});

describe("OpenTelemetry metrics", () => {
  it("records tokens, latency and cost of model calls, and run durations", async () => {
    const model = new ScriptedModel({
      modelId: "x",
      responses: [
        { text: "one", usage: { inputTokens: 10, outputTokens: 3 } },
        { text: "two", usage: { inputTokens: 5, outputTokens: 2 } },
      ],
    });
    await team(model).run("q");
    const { resourceMetrics } = await reader.collect();
    const all = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
    const byName = new Map(all.map((metric) => [metric.descriptor.name, metric]));
    const tokens = byName.get("gen_ai.client.token.usage") as HistogramMetricData;
    const input = tokens.dataPoints.find(
      (point) => point.attributes["gen_ai.token.type"] === "input",
    )!;
    expect(input.value.sum).toBe(15);
    expect(input.value.count).toBe(2);
    const duration = byName.get("gen_ai.client.operation.duration") as HistogramMetricData;
    expect(duration.dataPoints[0]!.value.count).toBe(2);
    const cost = byName.get("llmteam.cost")!;
    expect(cost.dataPoints[0]!.value).toBeCloseTo((15 * 1_000 + 5 * 2_000) / 1e6, 9);
    const runs = byName.get("llmteam.run.duration") as HistogramMetricData;
    expect(runs.dataPoints[0]!.attributes).toMatchObject({ "llmteam.run.status": "completed" });
  });
});

describe("OpenTelemetry traces of nested teams, and breaker metrics", () => {
  it("nests a nested team's agent spans under its team agent", async () => {
    const model = new ScriptedModel({ modelId: "x", responses: ["inner answer", "outer answer"] });
    const built = LLMTeam.fromConfig(
      {
        teamId: "outer",
        model: "scripted/x",
        agents: [
          {
            type: "team",
            role: "research",
            team: { teamId: "inner", agents: [{ type: "llm", role: "finder", prompt: "{query}" }] },
          },
          { type: "llm", role: "writer", prompt: "Write {research}" },
        ],
      },
      { models: { "scripted/x": model } },
    );
    expect((await built.run("q")).success).toBe(true);
    const spans = exporter.getFinishedSpans();
    const [run] = named(spans, "invoke_agent outer");
    const [research] = named(spans, "invoke_agent research");
    const [finder] = named(spans, "invoke_agent finder");
    expect(parentOf(research!)).toBe(run!.spanContext().spanId);
    expect(parentOf(finder!)).toBe(research!.spanContext().spanId);
    expect(finder!.attributes["llmteam.agent.path"]).toBe("outer/research/finder");
    const [attempt] = named(spans, "chat x").filter(
      (span) => parentOf(span) === finder!.spanContext().spanId,
    );
    expect(attempt!.attributes["gen_ai.usage.output_tokens"]).toBeGreaterThan(0);
  });

  it("counts circuit breaker changes and reports the state as a gauge", async () => {
    const model = new ScriptedModel({ modelId: "x", responses: [{ httpError: { status: 500 } }] });
    const built = LLMTeam.fromConfig(
      {
        teamId: "fragile",
        model: "scripted/x",
        retryPolicy: { maxRetries: 2, baseDelay: 0, jitter: 0 },
        circuitBreaker: { failureThreshold: 1, recoveryTimeoutSeconds: 3600 },
        agents: [{ type: "llm", role: "a", prompt: "{query}" }],
      },
      { models: { "scripted/x": model } },
    );
    expect((await built.run("q")).success).toBe(false);
    const { resourceMetrics } = await reader.collect();
    const metrics = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
    const transitions = metrics.find(
      (metric) => metric.descriptor.name === "llmteam.circuit_breaker.transitions",
    )!;
    expect(
      transitions.dataPoints.map((point) => point.attributes["llmteam.breaker.state"]),
    ).toEqual(["open"]);
    const state = metrics.find(
      (metric) => metric.descriptor.name === "llmteam.circuit_breaker.state",
    )!;
    expect(state.dataPoints.map((point) => point.value)).toEqual([2]);
    const [run] = named(exporter.getFinishedSpans(), "invoke_agent fragile");
    expect(run!.events.map((event) => event.name)).toContain("llmteam.circuit_state_changed");
  });
});

describe("OpenTelemetry traces of groups", () => {
  it("gives a group run a span, its teams' steps under it and their agents under those", async () => {
    const teamOf = (teamId: string) =>
      LLMTeam.fromConfig(
        {
          teamId,
          model: "scripted/x",
          agents: [{ type: "llm", role: `${teamId}-writer`, prompt: "{query}" }],
        },
        {
          models: {
            "scripted/x": new ScriptedModel({ modelId: "x", responses: [`${teamId} says hi`] }),
          },
        },
      );
    const group = new LLMGroup({ groupId: "desk", teams: [teamOf("east"), teamOf("west")] });
    const result = await group.run("hello");
    expect(result.success).toBe(true);
    const spans = exporter.getFinishedSpans();
    const [root] = named(spans, "invoke_agent desk");
    expect(parentOf(root!)).toBeUndefined();
    const teamSpans = spans.filter(
      (span) =>
        span.attributes["llmteam.agent.path"] === "desk/east" ||
        span.attributes["llmteam.agent.path"] === "desk/west",
    );
    expect(teamSpans).toHaveLength(2);
    for (const teamSpan of teamSpans) expect(parentOf(teamSpan)).toBe(root!.spanContext().spanId);
    const [writer] = named(spans, "invoke_agent east-writer");
    expect(writer!.attributes["llmteam.agent.path"]).toBe("desk/east/east-writer");
    expect(teamSpans.map((span) => span.spanContext().spanId)).toContain(parentOf(writer!));
    const [attempt] = named(spans, "chat x").filter(
      (span) => parentOf(span) === writer!.spanContext().spanId,
    );
    expect(attempt).toBeDefined();
  });
});

describe("OpenTelemetry metrics without traces", () => {
  it("records metrics when only a meter provider is given", async () => {
    const metricsOnly = new TestReader();
    configureTelemetry({ meterProvider: new MeterProvider({ readers: [metricsOnly] }) });
    await team(
      new ScriptedModel({
        modelId: "x",
        responses: [{ text: "a", usage: { inputTokens: 7, outputTokens: 1 } }, "b"],
      }),
    ).run("q");
    expect(exporter.getFinishedSpans()).toEqual([]);
    const { resourceMetrics } = await metricsOnly.collect();
    const tokens = resourceMetrics.scopeMetrics
      .flatMap((scope) => scope.metrics)
      .find(
        (metric) => metric.descriptor.name === "gen_ai.client.token.usage",
      ) as HistogramMetricData;
    const input = tokens.dataPoints.find(
      (point) => point.attributes["gen_ai.token.type"] === "input",
    )!;
    expect(input.value.count).toBe(2);
  });
});

describe("retrieval spans", () => {
  it("trace a rag agent's search as a GenAI retrieval span under its agent span", async () => {
    const dir = mkdtempSync(join(tmpdir(), "llmteam-trace-rag-"));
    mkdirSync(join(dir, "docs"));
    writeFileSync(join(dir, "docs", "retries.md"), "# Retries\n\nFailed calls are retried.");
    const knowledge = new KnowledgeCatalog({ directory: join(dir, "kb") });
    try {
      await knowledge.create("handbook").ingest(["docs"], { cwd: dir });
      const writer = new ScriptedModel({ responses: [{ text: "Retried [1]." }] });
      const rag = new LLMTeam({
        teamId: "answers",
        model: writer,
        knowledge,
        agents: [
          { type: "rag", role: "docs", knowledgeBase: "handbook", topK: 2 },
          { type: "llm", role: "writer", prompt: "{query}\n{context}" },
        ],
      });
      expect((await rag.run({ query: "How are calls retried?" })).success).toBe(true);
      const spans = exporter.getFinishedSpans();
      const retrieval = spans.find((span) => span.name === "retrieval handbook")!;
      expect(retrieval.attributes).toMatchObject({
        "gen_ai.operation.name": "retrieval",
        "gen_ai.data_source.id": "handbook",
        "llmteam.retrieval.mode": "bm25",
        "llmteam.retrieval.results": 1,
      });
      expect(retrieval.attributes["llmteam.retrieval.query"]).toBeUndefined();
      const agent = spans.find((span) => span.name === "invoke_agent docs")!;
      expect(retrieval.parentSpanContext?.spanId).toBe(agent.spanContext().spanId);
    } finally {
      await knowledge.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
