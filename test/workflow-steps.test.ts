import { afterEach, describe, expect, it, vi } from "vitest";
import {
  ConfigError,
  LLMTeam,
  WorkflowStepError,
  type AgentConfig,
  type StreamEvent,
  type TeamConfig,
} from "llmteam";
import { FakeClock, ScriptedModel } from "llmteam/testing";
import { startHttpStepServer } from "./support/http-step-server.js";

const servers: { close: () => Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function server(...args: Parameters<typeof startHttpStepServer>) {
  const started = await startHttpStepServer(...args);
  servers.push(started);
  return started;
}

interface TeamExtras {
  model?: ScriptedModel;
  clock?: FakeClock;
  env?: Record<string, string>;
  flow?: TeamConfig["flow"];
}

function team(agents: AgentConfig[], extra: TeamExtras = {}): LLMTeam {
  const { model, clock, env, flow } = extra;
  return new LLMTeam({
    teamId: "flow",
    model: "m/x",
    models: { "m/x": model ?? new ScriptedModel({ responses: [] }) },
    ...(clock ? { clock } : {}),
    ...(env ? { env } : {}),
    ...(flow ? { flow } : {}),
    agents,
  });
}

function codeOf(error: unknown): unknown {
  return (error as { code?: unknown } | undefined)?.code;
}

describe("http and transform steps", () => {
  it("fetches, reshapes and hands the data to an llm agent, each step reported", async () => {
    const api = await server([{ body: { city: "Oslo", days: [{ max: 4 }, { max: 7 }] } }]);
    const model = new ScriptedModel({ responses: ["Pack a coat."] });
    const result = await team(
      [
        {
          type: "http",
          role: "weather",
          http: { url: `${api.url}/forecast?city={query}`, allowPrivate: true },
        },
        {
          type: "transform",
          role: "brief",
          transform: { expression: '{ "city": weather.city, "warmest": $max(weather.days.max) }' },
        },
        { type: "llm", role: "advisor", prompt: "Advise for {brief}" },
      ],
      { model, flow: "weather -> brief -> advisor" },
    ).run("Oslo & Bergen");
    expect(result.success).toBe(true);
    expect(api.received[0]!.url).toBe("/forecast?city=Oslo%20%26%20Bergen");
    expect(result.output.brief).toEqual({ city: "Oslo", warmest: 7 });
    expect(JSON.stringify(model.calls[0]!.options.prompt)).toContain(
      'Advise for {\\"city\\":\\"Oslo\\",\\"warmest\\":7}',
    );
    const [weather, brief] = result.agentResults;
    expect(weather).toMatchObject({ agentId: "weather", step: "http", httpStatus: 200 });
    expect(weather!.model).toBeUndefined();
    expect(weather!.usage.totalTokens).toBe(0);
    expect(brief).toMatchObject({ agentId: "brief", step: "transform", success: true });
    expect(result.report.toMarkdown()).toContain("weather");
  });

  it("sends a JSON body with variables kept as values and ${NAME} headers from the environment", async () => {
    const api = await server([{ body: { id: 7 } }]);
    const result = await team(
      [
        {
          type: "http",
          role: "create",
          http: {
            method: "POST",
            url: `${api.url}/tickets`,
            headers: { Authorization: "Bearer ${TICKET_TOKEN}" },
            json: { title: "About {query}", input: "{query}", tags: ["x"] },
            response: "body.id",
            allowPrivate: true,
          },
        },
      ],
      { env: { TICKET_TOKEN: "s3cret" } },
    ).run("refund");
    expect(result.success).toBe(true);
    expect(result.finalOutput).toBe(7);
    const sent = api.received[0]!;
    expect(sent.method).toBe("POST");
    expect(sent.headers.authorization).toBe("Bearer s3cret");
    expect(JSON.parse(sent.body)).toEqual({ title: "About refund", input: "refund", tags: ["x"] });
  });

  it("retries a 503 after the server's Retry-After, on the run's clock", async () => {
    const clock = new FakeClock();
    const api = await server([
      { status: 503, headers: { "retry-after": "2" }, body: "busy" },
      { body: { ok: true } },
    ]);
    const events: StreamEvent[] = [];
    const handle = team(
      [{ type: "http", role: "call", http: { url: `${api.url}/x`, allowPrivate: true } }],
      { clock },
    ).start("q");
    void (async () => {
      for await (const event of handle) events.push(event);
    })();
    await vi.waitFor(() => {
      expect(events.some((event) => event.type === "retry")).toBe(true);
      expect(clock.pendingSleeps).toBe(1);
    });
    expect(api.received).toHaveLength(1);
    await clock.advance(2_000);
    const result = await handle.result;
    expect(result.success).toBe(true);
    expect(result.finalOutput).toEqual({ ok: true });
    expect(api.received).toHaveLength(2);
    const retry = events.find((event) => event.type === "retry")!;
    expect(retry.data).toMatchObject({
      attempt: 1,
      delayMs: 2_000,
      model: expect.stringMatching(/^http GET 127\.0\.0\.1/),
    });
    expect(result.agentResults[0]!.retryMetrics?.attempts).toBe(2);
  });

  it("fails at once on a 404 (not retried), and a POST is not retried unless the step says so", async () => {
    const api = await server([{ status: 404, body: "no such thing" }]);
    const result = await team([
      { type: "http", role: "call", http: { url: `${api.url}/missing`, allowPrivate: true } },
    ]).run("q");
    expect(result.success).toBe(false);
    expect(result.error?.message).toMatch(/answered 404/);
    expect(api.received).toHaveLength(1);

    const busy = await server([{ status: 500, body: "oops" }]);
    const post = await team([
      {
        type: "http",
        role: "call",
        http: { method: "POST", url: `${busy.url}/x`, allowPrivate: true },
      },
    ]).run("q");
    expect(post.success).toBe(false);
    expect(busy.received).toHaveLength(1);
  });

  it("refuses private addresses unless allowPrivate, and hosts outside allowHosts", async () => {
    const api = await server([{ body: {} }]);
    const refused = await team([{ type: "http", role: "call", http: { url: `${api.url}/x` } }]).run(
      "q",
    );
    expect(refused.success).toBe(false);
    expect(codeOf(refused.error)).toBe(new WorkflowStepError("request", "x", "").code);
    expect(refused.error?.message).toMatch(/private, loopback or link-local/);
    const outside = await team([
      {
        type: "http",
        role: "call",
        http: { url: `${api.url}/x`, allowPrivate: true, allowHosts: ["api.example.com"] },
      },
    ]).run("q");
    expect(outside.error?.message).toMatch(/not allowed/);
    expect(api.received).toHaveLength(0);
  });

  it("fails a response larger than maxBytes", async () => {
    const api = await server([{ body: "x".repeat(5_000) }]);
    const result = await team([
      {
        type: "http",
        role: "call",
        http: { url: `${api.url}/big`, allowPrivate: true, maxBytes: 1_000 },
      },
    ]).run("q");
    expect(result.success).toBe(false);
    expect(result.error?.message).toMatch(/larger than maxBytes \(1000\)/);
  });

  it("opens its circuit breaker after repeated failures: later runs do not call the server", async () => {
    const api = await server([{ status: 500, body: "down" }]);
    const flaky = team([
      {
        type: "http",
        role: "call",
        http: { url: `${api.url}/x`, allowPrivate: true },
        retryPolicy: { maxRetries: 0 },
        circuitBreaker: { failureThreshold: 2 },
      },
    ]);
    await flaky.run("a");
    await flaky.run("b");
    const third = await flaky.run("c");
    expect(third.success).toBe(false);
    expect(codeOf(third.error)).toBe("circuit_open");
    expect(api.received).toHaveLength(2);
  });

  it("bounds a transform: runaway recursion and oversized output fail the step", async () => {
    const runaway = await team([
      {
        type: "transform",
        role: "loop",
        transform: {
          expression: "($f := function($n) { $n > 0 ? $f($n - 1) : 0 }; $f(100000000))",
          timeoutMs: 100,
        },
      },
    ]).run("q");
    expect(runaway.success).toBe(false);
    expect(codeOf(runaway.error)).toBe("workflow_step_failed");
    expect(runaway.error?.message).toMatch(
      /JSONata expression failed: .*timeout after 100 milliseconds/i,
    );
    const big = await team([
      {
        type: "transform",
        role: "big",
        transform: { expression: '$pad("", 100, "x")', maxOutputBytes: 20 },
      },
    ]).run("q");
    expect(big.error?.message).toMatch(/output is 102 bytes of JSON; the limit is 20/);
  });

  it("rejects an invalid JSONata expression when the team is built, with its path", () => {
    expect(() =>
      team([{ type: "transform", role: "bad", transform: { expression: "{ a: " } }]),
    ).toThrow(ConfigError);
    try {
      team([{ type: "transform", role: "bad", transform: { expression: "{ a: " } }]);
    } catch (error) {
      expect((error as ConfigError).issues[0]!.path).toEqual([
        "agents",
        0,
        "transform",
        "expression",
      ]);
    }
  });
});

describe("switch steps", () => {
  const routed = (model: ScriptedModel) =>
    team(
      [
        { type: "transform", role: "score", transform: { expression: "$length(query)" } },
        {
          type: "switch",
          role: "route",
          switch: {
            cases: [
              { when: "score > 10", to: "long" },
              { when: "score > 3", to: "medium" },
            ],
            default: "short",
          },
        },
        { type: "llm", role: "long", prompt: "Long: {query}" },
        { type: "llm", role: "medium", prompt: "Medium: {query}" },
        { type: "transform", role: "short", transform: { expression: '"too short"' } },
      ],
      { model, flow: "score -> route -> long, medium, short" },
    );

  it("follows the first case that holds, and only that branch", async () => {
    const model = new ScriptedModel({ responses: ["medium answer"] });
    const result = await routed(model).run("hello");
    expect(result.success).toBe(true);
    expect(result.output.route).toBe("medium");
    expect(result.agentsCalled).toEqual(["score", "route", "medium"]);
    expect(result.finalOutput).toBe("medium answer");
  });

  it("takes the default branch when no case holds", async () => {
    const result = await routed(new ScriptedModel({ responses: [] })).run("hi");
    expect(result.agentsCalled).toEqual(["score", "route", "short"]);
    expect(result.finalOutput).toBe("too short");
  });

  it("names a branch missing from the flow, and a switch in a sequential flow", () => {
    const route: AgentConfig = {
      type: "switch",
      role: "route",
      switch: { cases: [{ when: "query == 'a'", to: "a" }], default: "b" },
    };
    const a: AgentConfig = { type: "llm", role: "a", prompt: "{query}" };
    const b: AgentConfig = { type: "llm", role: "b", prompt: "{query}" };
    expect(() => team([route, a, b], { flow: "route -> a" })).toThrow(
      /Switch "route" can pick "b", but the flow has no edge route -> b/,
    );
    expect(() => team([route, a, b])).toThrow(/a sequential flow does not have/);
    expect(() =>
      team([{ ...route, switch: { cases: [{ when: "query ==", to: "a" }], default: "b" } }, a, b], {
        flow: "route -> a, b",
      }),
    ).toThrow(/Invalid condition/);
  });
});
