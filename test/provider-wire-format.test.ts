import { afterEach, describe, expect, it } from "vitest";
import { LLMTeam, parseTeamText, type StreamEvent } from "llmteam";
import { startOpenAIWireServer, type WireReply } from "./support/openai-wire-server.js";

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function server(
  replies: WireReply[],
): Promise<Awaited<ReturnType<typeof startOpenAIWireServer>>> {
  const started = await startOpenAIWireServer(replies);
  close = started.close;
  return started;
}

async function eventsOf(team: LLMTeam): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const event of team.stream({
    query: "My invoice is wrong",
  }) as AsyncIterable<StreamEvent>)
    events.push(event);
  return events;
}

const triageAgent = `
agents:
  - type: llm
    role: triage
    prompt: "Classify: {query}"
    stream: false
    outputSchema:
      type: object
      properties: { category: { type: string, enum: [billing, tech] } }
      required: [category]
      additionalProperties: false
`;

describe("structured output over the wire", () => {
  it("sends outputSchema to an openai-compatible server as response_format json_schema", async () => {
    const wire = await server([{ text: '{"category":"billing"}' }]);
    const team = LLMTeam.fromConfig(
      parseTeamText(`
teamId: wire
providers:
  lab: { type: openai-compatible, baseURL: "${wire.baseURL}" }
model: lab/main
${triageAgent}`),
    );
    const events = await eventsOf(team);
    expect(events.at(-1)?.type).toBe("run_completed");
    expect(wire.requests[0]!.body.response_format).toEqual({
      type: "json_schema",
      json_schema: {
        name: "triage",
        strict: true,
        schema: {
          type: "object",
          properties: { category: { type: "string", enum: ["billing", "tech"] } },
          required: ["category"],
          additionalProperties: false,
        },
      },
    });
    const warnings = events.filter((event) => event.type === "warning");
    expect(warnings.filter((event) => event.data.code === "provider_warning")).toEqual([]);
  });

  it("sends json_object with structuredOutputs: false and reports the provider's warning as an event", async () => {
    const wire = await server([{ text: '{"category":"tech"}' }]);
    const team = LLMTeam.fromConfig(
      parseTeamText(`
teamId: wire
providers:
  lab: { type: openai-compatible, baseURL: "${wire.baseURL}", structuredOutputs: false }
model: lab/main
${triageAgent}`),
    );
    const events = await eventsOf(team);
    expect(wire.requests[0]!.body.response_format).toEqual({ type: "json_object" });
    const warning = events
      .filter((event) => event.type === "warning")
      .find((event) => event.data.code === "provider_warning");
    expect(warning?.agentId).toBe("triage");
    expect(warning?.data.code).toBe("provider_warning");
    expect(warning?.data.message).toMatch(
      /^lab\/main: the provider does not support responseFormat/,
    );
  });

  it("sends the router's decision schema as json_schema", async () => {
    const wire = await server([
      { text: '{"nextAgent":"writer","reason":"needs a reply","done":false}' },
      { text: "Sorry about that." },
      { text: '{"nextAgent":"","reason":"answered","done":true}' },
    ]);
    const team = LLMTeam.fromConfig(
      parseTeamText(`
teamId: routed
orchestration: true
providers:
  lab: { type: openai-compatible, baseURL: "${wire.baseURL}" }
model: lab/main
agents:
  - { type: llm, role: writer, prompt: "Reply to {query}", stream: false }
`),
    );
    const result = await team.run({ query: "q" });
    expect(result.output).toEqual({ writer: "Sorry about that." });
    const format = wire.requests[0]!.body.response_format as {
      type: string;
      json_schema: { name: string };
    };
    expect(format.type).toBe("json_schema");
    expect(format.json_schema.name).toBe("routing_decision");
  });
});

describe("the built-in openai provider on another server", () => {
  it("calls chat completions when OPENAI_BASE_URL points at a compatible server", async () => {
    const wire = await server([{ text: "billing" }]);
    const team = LLMTeam.fromConfig(
      parseTeamText(`
teamId: env
model: openai/qwen2.5
agents:
  - { type: llm, role: triage, prompt: "Classify: {query}", stream: false }
`),
      { env: { OPENAI_API_KEY: "k", OPENAI_BASE_URL: wire.baseURL } },
    );
    const result = await team.run({ query: "q" });
    expect(result.output).toEqual({ triage: "billing" });
    expect(wire.requests[0]!.path).toBe("/v1/chat/completions");
    expect(wire.requests[0]!.headers.authorization).toBe("Bearer k");
  });

  it("reports a 404 in one line with status, path and the server's message", async () => {
    const wire = await server([
      {
        status: 404,
        rawError: '{"error":{"code":404,"message":"File Not Found","type":"not_found_error"}}',
      },
    ]);
    const team = LLMTeam.fromConfig(
      parseTeamText(`
teamId: notfound
providers:
  lab: { type: openai, baseURL: "${wire.baseURL}", apiKey: k, api: responses }
model: lab/qwen2.5
agents:
  - { type: llm, role: triage, prompt: "Classify: {query}", stream: false }
`),
    );
    const result = await team.run({ query: "q" });
    expect(result.status).toBe("failed");
    expect(result.error?.message).toBe("lab/qwen2.5: HTTP 404 from /v1/responses: File Not Found");
    expect(result.agentResults[0]!.error).toMatchObject({ status: 404, code: "provider_error" });
  });

  it("reports a response of the wrong shape in one short line, not the validation dump", async () => {
    const wire = await server([{ text: "a chat completion, not a Responses API answer" }]);
    const team = LLMTeam.fromConfig(
      parseTeamText(`
teamId: shape
providers:
  lab: { type: openai, baseURL: "${wire.baseURL}", apiKey: k, api: responses }
model: lab/qwen2.5
agents:
  - { type: llm, role: triage, prompt: "Classify: {query}", stream: false }
`),
    );
    const result = await team.run({ query: "q" });
    const message = result.error?.message ?? "";
    expect(message).toMatch(
      /^lab\/qwen2\.5: unreadable response from \/v1\/responses \(HTTP 200\): /,
    );
    expect(message).not.toContain("\n");
    expect(message.length).toBeLessThan(400);
  });

  it("refuses api on a provider that is not of type openai, naming the valid use", () => {
    expect(() =>
      LLMTeam.fromConfig(
        parseTeamText(`
teamId: bad
providers:
  lab: { type: openai-compatible, baseURL: "http://127.0.0.1:9/v1", api: chat }
agents: []
`),
      ),
    ).toThrow(/api applies to type openai only/);
  });
});
