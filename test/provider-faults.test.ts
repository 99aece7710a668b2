import { afterEach, describe, expect, it, vi } from "vitest";
import { LLMTeam, parseTeamText, type StreamEvent } from "llmteam";
import { FakeClock } from "llmteam/testing";
import { startOpenAIWireServer, type WireReply } from "./support/openai-wire-server.js";

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

/** A one-agent team on the wire server; `model` may list a fallback model. */
async function teamOn(
  replies: WireReply[],
  extra: { model?: string; agent?: string; team?: string } = {},
): Promise<{
  team: LLMTeam;
  requests: Awaited<ReturnType<typeof startOpenAIWireServer>>["requests"];
}> {
  const server = await startOpenAIWireServer(replies);
  close = server.close;
  const team = LLMTeam.fromConfig(
    parseTeamText(`
teamId: faults
stream: true
retryPolicy: { maxRetries: 1, baseDelay: 0.01, jitter: 0 }
providers:
  lab: { type: openai-compatible, baseURL: "${server.baseURL}" }
model: ${extra.model ?? "lab/main"}
${extra.team ?? ""}
agents:
  - type: llm
    role: writer
    prompt: "Write about {query}"
${extra.agent ?? ""}
`),
  );
  return { team, requests: server.requests };
}

async function streamAll(
  team: LLMTeam,
): Promise<{ events: StreamEvent[]; result: Awaited<ReturnType<LLMTeam["run"]>> }> {
  const stream = team.stream({ query: "tea" });
  const events: StreamEvent[] = [];
  for await (const event of stream as AsyncIterable<StreamEvent>) events.push(event);
  return { events, result: await stream.result };
}

describe("a stream cut by the server", () => {
  it("is retried after tokens were streamed, tells clients to discard them, and keeps only the final text", async () => {
    const { team, requests } = await teamOn([
      { chunks: ["Green", " tea", " is"], fault: { kind: "cut", afterChunks: 2 } },
      { chunks: ["Black", " tea."] },
    ]);
    const { events, result } = await streamAll(team);
    expect(result.status).toBe("completed");
    expect(result.output).toEqual({ writer: "Black tea." });
    expect(requests).toHaveLength(2);
    const tokens = events
      .filter((event) => event.type === "token")
      .map((event) => event.data.token);
    expect(tokens).toEqual(["Green", " tea", "Black", " tea."]);
    const retry = events.find((event) => event.type === "retry");
    expect(retry?.data).toMatchObject({ attempt: 1, discardedTokens: 2 });
    expect(retry?.data.error.message).toMatch(
      /^lab\/main: connection lost while reading the response of \/v1\/chat\/completions \(HTTP 200\): /,
    );
    const agent = result.agentResults[0]!;
    expect(agent.output).toBe("Black tea.");
    expect(agent.retryMetrics).toMatchObject({ attempts: 2, retries: 1 });
  });

  it("is retried when the connection drops before the first token", async () => {
    const { team, requests } = await teamOn([
      { chunks: ["a"], fault: { kind: "cut", afterChunks: 0 } },
      { chunks: ["Oolong."] },
    ]);
    const { events, result } = await streamAll(team);
    expect(result.output).toEqual({ writer: "Oolong." });
    expect(requests).toHaveLength(2);
    const retry = events.find((event) => event.type === "retry");
    expect(retry?.data.discardedTokens).toBeUndefined();
    expect(retry?.data.error.message).toMatch(/connection/i);
  });

  it("falls back to the next model when every retry is cut", async () => {
    const { team, requests } = await teamOn(
      [
        { chunks: ["x", "y"], fault: { kind: "cut", afterChunks: 1 } },
        { fault: { kind: "cut" } },
        { chunks: ["From", " backup."] },
      ],
      { model: '["lab/main", "lab/backup"]' },
    );
    const { events, result } = await streamAll(team);
    expect(result.status).toBe("completed");
    expect(result.output).toEqual({ writer: "From backup." });
    expect(requests.map((request) => request.body.model)).toEqual(["main", "main", "backup"]);
    const fallback = events.find((event) => event.type === "fallback");
    expect(fallback?.data).toMatchObject({ fromModel: "lab/main", toModel: "lab/backup" });
  });
});

describe("a frozen server", () => {
  it("fails the attempt at timeoutMs when it accepts and never answers, then retries", async () => {
    const { team, requests } = await teamOn([{ fault: { kind: "freeze" } }, { text: "Awake." }], {
      agent: "    stream: false\n    timeoutMs: 300",
    });
    const { events, result } = await streamAll(team);
    expect(result.output).toEqual({ writer: "Awake." });
    expect(requests).toHaveLength(2);
    const retry = events.find((event) => event.type === "retry");
    expect(retry?.data.error).toMatchObject({
      code: "model_timeout",
      message: 'Model call to "lab/main" timed out after 300 ms (timeoutMs).',
    });
  });

  it("fails a streamed attempt at firstTokenTimeoutMs when no delta comes, then falls back", async () => {
    const { team, requests } = await teamOn(
      [
        { chunks: ["a", "b"], fault: { kind: "freeze", afterChunks: 0 } },
        { chunks: ["a", "b"], fault: { kind: "freeze", afterChunks: 0 } },
        { chunks: ["Spare", " answer."] },
      ],
      { model: '["lab/main", "lab/spare"]', agent: "    firstTokenTimeoutMs: 200" },
    );
    const { events, result } = await streamAll(team);
    expect(result.output).toEqual({ writer: "Spare answer." });
    expect(requests.map((request) => request.body.model)).toEqual(["main", "main", "spare"]);
    const retry = events.find((event) => event.type === "retry");
    expect(retry?.data.error.message).toBe(
      'Model call to "lab/main" sent no first token within 200 ms (firstTokenTimeoutMs).',
    );
    expect(events.some((event) => event.type === "fallback")).toBe(true);
  });

  it("fails a stream that stops mid-way at timeoutMs, discarding its tokens", async () => {
    const { team } = await teamOn(
      [
        { chunks: ["Half", " of", " it"], fault: { kind: "freeze", afterChunks: 2 } },
        { text: "Whole." },
      ],
      { agent: "    timeoutMs: 400\n    firstTokenTimeoutMs: 200" },
    );
    const { events, result } = await streamAll(team);
    expect(result.output).toEqual({ writer: "Whole." });
    const retry = events.find((event) => event.type === "retry");
    expect(retry?.data).toMatchObject({ discardedTokens: 2, error: { code: "model_timeout" } });
  });

  it.each([
    ["by default, after 300 s", "", 300_000, 2],
    ["never with timeoutMs: 0", "    timeoutMs: 0", 3_600_000, 1],
  ])(
    "gives up on a frozen non-streamed attempt %s",
    async (_name, agent, waitMs, expectedRequests) => {
      const server = await startOpenAIWireServer([{ fault: { kind: "freeze" } }, { text: "Up." }]);
      close = server.close;
      const clock = new FakeClock();
      const team = LLMTeam.fromConfig(
        parseTeamText(`
teamId: frozen
retryPolicy: { maxRetries: 1, baseDelay: 0, jitter: 0 }
providers:
  lab: { type: openai-compatible, baseURL: "${server.baseURL}" }
model: lab/main
agents:
  - type: llm
    role: writer
    prompt: "Write about {query}"
    stream: false
${agent}
`),
        { clock },
      );
      const controller = new AbortController();
      const running = team.run({ query: "tea" }, { signal: controller.signal });
      await vi.waitFor(() => expect(server.requests).toHaveLength(1));
      await clock.advance(waitMs - 1);
      expect(server.requests).toHaveLength(1);
      await clock.advance(1);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(server.requests).toHaveLength(expectedRequests);
      controller.abort();
      await running;
    },
  );
});
