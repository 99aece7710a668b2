import { afterEach, describe, expect, it } from "vitest";
import { LLMTeam, parseTeamText, type StreamEvent } from "llmteam";
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
