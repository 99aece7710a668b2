import { afterEach, describe, expect, it } from "vitest";
import { LLMTeam, parseTeamText, type StreamEvent } from "llmteam";
import { startOpenAIWireServer } from "./support/openai-wire-server.js";

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

function teamFile(baseURL: string, stream: boolean): string {
  return `
teamId: support
stream: ${stream}
providers:
  lab: { type: openai-compatible, baseURL: "${baseURL}", apiKey: "\${LAB_KEY}" }
model: lab/qwen2.5-7b-instruct
agents:
  - type: llm
    role: triage
    prompt: "Classify this request: {query}"
  - type: llm
    role: writer
    prompt: "Reply to {query}. Category: {triage}"
`;
}

describe("a team over a real OpenAI-compatible HTTP server", () => {
  it("runs with plain responses, sends the key from the environment and reports the provider's usage", async () => {
    const server = await startOpenAIWireServer([
      { text: "billing", usage: { prompt_tokens: 31, completion_tokens: 2 } },
      {
        text: "Sorry about the invoice.",
        usage: { prompt_tokens: 44, completion_tokens: 9, cached_tokens: 16 },
      },
    ]);
    close = server.close;
    const team = LLMTeam.fromConfig(parseTeamText(teamFile(server.baseURL, false)), {
      env: { LAB_KEY: "secret-1" },
    });
    const result = await team.run({ query: "My invoice is wrong" });

    expect(result.success).toBe(true);
    expect(result.finalOutput).toBe("Sorry about the invoice.");
    expect(result.usage).toMatchObject({
      inputTokens: 75,
      outputTokens: 11,
      totalTokens: 86,
      cachedInputTokens: 16,
    });
    expect(result.usage.estimated).toBeUndefined();
    expect(server.requests).toHaveLength(2);
    expect(server.requests[0]!.path).toBe("/v1/chat/completions");
    expect(server.requests[0]!.headers.authorization).toBe("Bearer secret-1");
    expect(server.requests[1]!.body.model).toBe("qwen2.5-7b-instruct");
    expect(JSON.stringify(server.requests[1]!.body.messages)).toContain("Category: billing");
  });

  it("streams tokens as SSE deltas arrive and counts the usage from the final chunk", async () => {
    const server = await startOpenAIWireServer([
      { chunks: ["bill", "ing"], usage: { prompt_tokens: 30, completion_tokens: 2 } },
      { chunks: ["Sorry", " about", " that."], usage: { prompt_tokens: 40, completion_tokens: 3 } },
    ]);
    close = server.close;
    const team = LLMTeam.fromConfig(parseTeamText(teamFile(server.baseURL, true)), {
      env: { LAB_KEY: "k" },
    });
    const stream = team.stream({ query: "q" });
    const tokens: string[] = [];
    for await (const event of stream as AsyncIterable<StreamEvent>)
      if (event.type === "token") tokens.push(event.data.token);
    const result = await stream.result;
    expect(tokens).toEqual(["bill", "ing", "Sorry", " about", " that."]);
    expect(result.output).toEqual({ triage: "billing", writer: "Sorry about that." });
    expect(result.usage).toMatchObject({ inputTokens: 70, outputTokens: 5 });
    expect(server.requests[0]!.body.stream).toBe(true);
  });

  it("fails the run with the provider's status when the server refuses", async () => {
    const server = await startOpenAIWireServer([
      { status: 401, error: "Incorrect API key provided" },
    ]);
    close = server.close;
    const team = LLMTeam.fromConfig(parseTeamText(teamFile(server.baseURL, false)), {
      env: { LAB_KEY: "bad" },
    });
    const result = await team.run({ query: "q" });
    expect(result.status).toBe("failed");
    expect(result.failedAgent).toBe("triage");
    expect(result.agentResults[0]!.error).toMatchObject({ code: "provider_error", status: 401 });
    expect(result.error?.message).toContain("Incorrect API key");
  });

  it("names the environment variable when the key is not set", async () => {
    const team = LLMTeam.fromConfig(parseTeamText(teamFile("http://127.0.0.1:9/v1", false)), {
      env: {},
    });
    await expect(team.run({ query: "q" })).rejects.toThrow(
      /providers\.lab\.apiKey reads the environment variable LAB_KEY, which is not set/,
    );
  });
});
