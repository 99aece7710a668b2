import { describe, expect, it } from "vitest";
import { LLMTeam, type StreamEvent } from "llmteam";

/**
 * A smoke test against a real OpenAI-compatible server that no one on this project wrote
 * (llama.cpp's `llama-server` serving models/llmteam-demo.gguf with `--jinja`). It runs when
 * LLMTEAM_LLAMA_URL names the server's base URL (e.g. http://127.0.0.1:8089/v1); see
 * docs/providers.md, "Tested against", for how to start one and why CI does not.
 */
const baseURL = process.env.LLMTEAM_LLAMA_URL;

describe.skipIf(!baseURL)("a team against llama.cpp's llama-server", () => {
  function team(): LLMTeam {
    return new LLMTeam({
      teamId: "smoke",
      providers: {
        llama: {
          type: "openai-compatible",
          baseURL: baseURL!,
          pricing: { inputPer1M: 0.1, outputPer1M: 0.2 },
        },
      },
      model: "llama/demo",
      maxTokens: 48,
      maxCostPerRun: 0.01,
      agents: [
        {
          type: "llm",
          role: "triage",
          prompt: "Classify this request: {query}",
          outputSchema: {
            type: "object",
            properties: { urgency: { type: "string", enum: ["low", "high"] } },
            required: ["urgency"],
          },
        },
        { type: "llm", role: "writer", prompt: "Reply to {query}. Urgency: {triage.urgency}" },
      ],
    });
  }

  it("streams tokens, constrains structured output and reports the server's usage, priced", async () => {
    const stream = team().stream({ query: "My invoice is wrong" });
    const tokens: string[] = [];
    for await (const event of stream as AsyncIterable<StreamEvent>) {
      if (event.type === "token") tokens.push(event.data.token);
    }
    const result = await stream.result;
    expect(result.status).toBe("completed");
    expect(["low", "high"]).toContain(
      (result.agentResults[0]!.output as { urgency: string }).urgency,
    );
    expect(tokens.join("")).toContain(String(result.finalOutput).slice(0, 20));
    for (const agent of result.agentResults) {
      expect(agent.usage.inputTokens).toBeGreaterThan(0);
      expect(agent.usage.outputTokens).toBeGreaterThan(0);
      expect(agent.usage.estimated).toBeFalsy();
    }
    expect(result.cost.tokens.inputTokens).toBe(result.usage.inputTokens);
    expect(result.cost.totalUsd).toBeGreaterThan(0);
    expect(result.cost.unpricedModels).toEqual([]);
  });

  it("a plain run makes one non-streamed call per agent with the same accounting", async () => {
    const result = await team().run({ query: "The app crashes on start" });
    expect(result.status).toBe("completed");
    expect(result.cost.calls).toBe(2);
    expect(result.usage.outputTokens).toBeLessThanOrEqual(2 * 48);
  });
});
