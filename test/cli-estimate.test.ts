import { afterEach, describe, expect, it } from "vitest";
import { startOpenAIWireServer, type WireReply } from "./support/openai-wire-server.js";
import { cli, tempFile } from "./support/run-cli.js";

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function server(replies: WireReply[]) {
  const started = await startOpenAIWireServer(replies);
  close = started.close;
  return started;
}

/** A team on a local OpenAI-compatible server, priced $1 in and $2 out per 1M tokens unless `priced` is false. */
const team = (baseURL: string, priced = true) => `
teamId: desk
providers:
  lab: { type: openai-compatible, baseURL: "${baseURL}" }
model: lab/small
${priced ? "pricing:\n  lab/small: { inputPer1M: 1, outputPer1M: 2 }" : ""}
agents:
  - { type: llm, role: triage, prompt: "Classify: {query}", maxTokens: 100 }
  - { type: llm, role: writer, prompt: "Reply to {query}: {triage}", maxTokens: 400 }
`;

describe("llmteam estimate", () => {
  it("prints each agent's bounds and the total, the same as team.estimate() in JSON", async () => {
    const file = await tempFile(team("http://127.0.0.1:9/v1"));
    const table = await cli(["estimate", file, "--query", "Where is my refund?"]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/triage\s+lab\/small\s+1\s+\d+–\d+\s+1–100\s+\$/);
    expect(table.stdout).toMatch(/writer\s+lab\/small\s+1\s+\d+–\d+\s+1–400\s+\$/);
    expect(table.stdout).toContain("approximate");
    const json = await cli(["estimate", file, "--query", "Where is my refund?", "--json"]);
    const estimate = JSON.parse(json.stdout) as { maxUsd: number; complete: boolean };
    expect(estimate.complete).toBe(true);
    // Outputs at their caps: 500 tokens × $2 per 1M, plus the inputs at $1 per 1M.
    expect(estimate.maxUsd).toBeGreaterThan(0.001);
    expect(estimate.maxUsd).toBeLessThan(0.0012);
    expect(table.stdout).toContain(`$${estimate.maxUsd}`);
  });

  it("names an unpriced model instead of counting it as $0", async () => {
    const file = await tempFile(team("http://127.0.0.1:9/v1", false));
    const { code, stdout } = await cli(["estimate", file, "--query", "q"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/triage .* unpriced/);
    expect(stdout).toContain("no price known for lab/small");
  });

  it("refuses bad options with exit code 2", async () => {
    const file = await tempFile(team("http://127.0.0.1:9/v1"));
    expect((await cli(["estimate", file])).code).toBe(2);
    const bad = await cli(["estimate", file, "--query", "q", "--tool-result-tokens", "-4"]);
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringContaining("--tool-result-tokens")]);
  });
});

describe("llmteam run --max-cost", () => {
  it("refuses a run whose most estimated cost is above it, calling no model (exit code 3)", async () => {
    const { baseURL, requests } = await server([]);
    const file = await tempFile(team(baseURL));
    const { code, stderr } = await cli(["run", file, "--query", "q", "--max-cost", "0.0005"]);
    expect(code).toBe(3);
    expect(stderr).toMatch(
      /Not run: the run may cost up to \$0\.001\d+ .* above --max-cost \$0\.0005/,
    );
    expect(requests).toHaveLength(0);
  });

  it("runs when the most fits", async () => {
    const { baseURL, requests } = await server([{ text: "billing" }, { text: "On its way." }]);
    const file = await tempFile(team(baseURL));
    const { code, stdout } = await cli(["run", file, "--query", "q", "--max-cost", "0.01"]);
    expect([code, requests.length]).toEqual([0, 2]);
    expect(stdout).toContain("On its way.");
  });

  it("refuses when the most cannot be known (an unpriced model), and a bad amount", async () => {
    const { baseURL, requests } = await server([]);
    const file = await tempFile(team(baseURL, false));
    const unpriced = await cli(["run", file, "--query", "q", "--max-cost", "5"]);
    expect(unpriced.code).toBe(3);
    expect(unpriced.stderr).toContain("lab/small has no known price");
    expect(requests).toHaveLength(0);
    const bad = await cli(["run", file, "--query", "q", "--max-cost", "cheap"]);
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringContaining("--max-cost must be")]);
  });
});
