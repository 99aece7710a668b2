import { afterEach, describe, expect, it } from "vitest";
import { LLMTeam, parseTeamText } from "llmteam";
import { startOpenAIWireServer, type WireReply } from "./support/openai-wire-server.js";

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function routedTeam(
  replies: WireReply[],
  settings: string,
): Promise<{
  team: LLMTeam;
  requests: Awaited<ReturnType<typeof startOpenAIWireServer>>["requests"];
}> {
  const server = await startOpenAIWireServer(replies);
  close = server.close;
  const team = LLMTeam.fromConfig(
    parseTeamText(`
teamId: routed
orchestration: true
providers:
  lab: { type: openai-compatible, baseURL: "${server.baseURL}" }
model: lab/main
${settings}
agents:
  - { type: llm, role: writer, prompt: "Reply to {query}", stream: false }
`),
  );
  return { team, requests: server.requests };
}

const route = { text: '{"nextAgent":"writer","reason":"reply","done":false}' };
const done = { text: '{"nextAgent":"","reason":"answered","done":true}' };

describe("the router's token cap", () => {
  it.each([
    ["2,048 by default", "", 2_048],
    ["the team's lower maxTokens", "maxTokens: 300", 300],
    [
      "orchestrator.maxTokens over the team's",
      "maxTokens: 300\norchestrator: { maxTokens: 4096 }",
      4_096,
    ],
  ])("sends %s as max_tokens of each decision", async (_name, settings, expected) => {
    const { team, requests } = await routedTeam([route, { text: "Hi." }, done], settings);
    const result = await team.run({ query: "q" });
    expect(result.status).toBe("completed");
    const decisions = requests.filter((request) => request.body.response_format !== undefined);
    expect(decisions).toHaveLength(2);
    for (const decision of decisions) expect(decision.body.max_tokens).toBe(expected);
  });

  it("quotes at most 1,000 characters of an invalid answer in the repair prompt", async () => {
    const chatty = "I think we should consider many things. ".repeat(200);
    const { team, requests } = await routedTeam(
      [{ text: chatty }, route, { text: "Hi." }, done],
      "",
    );
    const result = await team.run({ query: "q" });
    expect(result.status).toBe("completed");
    const messages = requests[1]!.body.messages as { role: string; content: string }[];
    const quoted = messages.find((message) => message.role === "assistant")!.content;
    expect(quoted.startsWith(chatty.slice(0, 1_000))).toBe(true);
    expect(quoted).toContain(`… (${chatty.length - 1_000} more characters not shown)`);
    expect(quoted.length).toBeLessThan(1_100);
  });
});
