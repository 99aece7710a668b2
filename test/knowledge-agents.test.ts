import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  ConfigError,
  KnowledgeCatalog,
  LLMTeam,
  type AgentConfig,
  type StreamEvent,
} from "llmteam";
import { FakeClock, ScriptedModel, type ScriptedCall } from "llmteam/testing";
import { MemoryRunStore } from "./support/memory-run-store.js";

let dir: string;
let knowledge: KnowledgeCatalog;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "llmteam-rag-"));
  mkdirSync(join(dir, "docs"));
  writeFileSync(
    join(dir, "docs", "retries.md"),
    "# Retries\n\nFailed model calls are retried three times with exponential backoff.\n\n## Retry-After\n\nA Retry-After header from the provider sets the wait.",
  );
  writeFileSync(
    join(dir, "docs", "budgets.md"),
    "# Budgets\n\nA budget caps the dollars a run may spend.",
  );
  knowledge = new KnowledgeCatalog({ directory: join(dir, "kb") });
  await knowledge.create("handbook").ingest(["docs"], { cwd: dir });
});

afterAll(async () => {
  await knowledge.close();
  rmSync(dir, { recursive: true, force: true });
});

const RAG: AgentConfig = { type: "rag", role: "docs", knowledgeBase: "handbook", topK: 2 };

function userText(call: ScriptedCall): string {
  return call.options.prompt
    .filter((message) => message.role === "user")
    .flatMap((message) => message.content)
    .map((part) => ("text" in part ? part.text : ""))
    .join("");
}

describe("rag agents in a team", () => {
  it("retrieve passages that reach the next agent as {context} and {docs}, with sources and citations", async () => {
    const writer = new ScriptedModel({ responses: [{ text: "They are retried [1]." }] });
    const team = new LLMTeam({
      teamId: "answers",
      model: writer,
      knowledge,
      agents: [
        RAG,
        {
          type: "llm",
          role: "writer",
          prompt: "Question: {query}\nContext:\n{context}\nSame: {docs}",
        },
      ],
    });
    const stream = team.stream({ query: "How are failed calls retried?" });
    const events: StreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const result = await stream.result;
    expect(result.success).toBe(true);
    expect(result.finalOutput).toBe("They are retried [1].");
    const prompt = userText(writer.calls[0]!);
    expect(prompt).toContain(
      "[1] Failed model calls are retried three times with exponential backoff.",
    );
    expect(prompt).toContain("Sources:\n[1] docs/retries.md › Retries (chunk 0)");
    // {context} and {docs} are the same text.
    const [, context, docs] = /Context:\n([\s\S]*)\nSame: ([\s\S]*)$/.exec(prompt)!;
    expect(context).toBe(docs);
    const docsResult = result.agentResults[0]!;
    expect(docsResult).toMatchObject({
      agentId: "docs",
      success: true,
      model: undefined,
      modelCalls: 0,
    });
    expect(docsResult.citations?.[0]).toMatchObject({
      document: "docs/retries.md",
      chunk: 0,
      headings: ["Retries"],
    });
    expect(docsResult.citations?.[0]?.score).toBeGreaterThan(0);
    const retrieval = events.find((event) => event.type === "retrieval");
    expect(retrieval).toMatchObject({
      agentId: "docs",
      data: { knowledgeBase: "handbook", query: "How are failed calls retried?", mode: "bm25" },
    });
    expect(events.map((event) => event.type).slice(0, 4)).toEqual([
      "run_started",
      "agent_started",
      "retrieval",
      "agent_completed",
    ]);
    expect(retrieval?.toSSE()).toContain("event: retrieval\n");
  });

  it("renders its query template, and filters, scores and sources as configured", async () => {
    const team = new LLMTeam({
      teamId: "t",
      knowledge,
      agents: [
        {
          ...RAG,
          query: "{query} dollars",
          includeScores: true,
          filters: { path: "docs/budgets.md" },
        },
      ],
    });
    const result = await team.run({ query: "budget" });
    expect(result.finalOutput).toMatch(
      /^\[1\] A budget caps the dollars a run may spend\.\n\nSources:\n\[1\] docs\/budgets\.md › Budgets \(chunk 0, score \d+\.\d{4}\)$/,
    );
    const noSources = new LLMTeam({
      teamId: "t",
      knowledge,
      agents: [{ ...RAG, includeSources: false, scoreThreshold: 1_000 }],
    });
    expect((await noSources.run({ query: "retried" })).finalOutput).toBe(
      'No passages of knowledge base "handbook" match: retried',
    );
  });

  it("fails at load time when its knowledge base does not exist, naming the agent and the bases", () => {
    const build = () =>
      new LLMTeam({ teamId: "t", knowledge, agents: [{ ...RAG, knowledgeBase: "handbok" }] });
    expect(build).toThrow(ConfigError);
    expect(build).toThrow(
      /agents\.0\.knowledgeBase: Agent "docs" reads knowledge base "handbok", which does not exist in .*kb\. Available: handbook\. Create it with: llmteam ingest <files> --kb handbok/,
    );
    expect(
      () =>
        new LLMTeam({
          teamId: "t",
          knowledge,
          agents: [{ type: "rag", role: "docs", prompt: "x", model: "openai/gpt-4o" }],
        }),
    ).toThrow(
      /knowledgeBase: An agent of type "rag" needs knowledgeBase[\s\S]*model does not apply to an agent of type "rag" \(it calls no model\)[\s\S]*prompt does not apply to an agent of type "rag": its search text is query/,
    );
  });

  it("runs in a chain flow and under the router", async () => {
    const writer = new ScriptedModel({ responses: [{ text: "chained" }, { text: "routed" }] });
    const chain = new LLMTeam({
      teamId: "chain",
      model: writer,
      knowledge,
      flow: "docs -> writer",
      agents: [RAG, { type: "llm", role: "writer", prompt: "{query} {context}" }],
    });
    expect((await chain.run({ query: "budget" })).finalOutput).toBe("chained");
    expect(userText(writer.calls[0]!)).toContain("A budget caps the dollars");

    const boss = new ScriptedModel({
      responses: [
        { object: { nextAgent: "docs", reason: "look it up", done: false } },
        { object: { nextAgent: "writer", reason: "answer", done: false } },
        { object: { nextAgent: "", reason: "done", done: true } },
      ],
    });
    const routed = new LLMTeam({
      teamId: "routed",
      model: writer,
      knowledge,
      orchestration: true,
      orchestrator: { model: boss },
      agents: [
        { ...RAG, description: "Looks things up in the handbook." },
        { type: "llm", role: "writer", prompt: "{query} {context?}" },
      ],
    });
    const result = await routed.run({ query: "Retry-After header" });
    expect(result.success).toBe(true);
    expect(result.agentResults.map((agent) => agent.agentId)).toEqual(["docs", "writer"]);
    expect(userText(writer.calls[1]!)).toContain(
      "A Retry-After header from the provider sets the wait.",
    );
  });

  it("fails the agent, not silently, when the knowledge base is empty", async () => {
    knowledge.create("empty");
    const team = new LLMTeam({
      teamId: "t",
      knowledge,
      agents: [{ ...RAG, knowledgeBase: "empty" }],
    });
    const result = await team.run({ query: "q" });
    expect(result.success).toBe(false);
    expect(result.error?.message).toMatch(
      /Knowledge base "empty" is empty: ingest documents first/,
    );
    await knowledge.drop("empty");
  });
});

describe("knowledge_search", () => {
  it("lets an llm agent look things up in the team's knowledge bases when it decides to", async () => {
    const model = new ScriptedModel({
      responses: [
        { toolCalls: [{ toolName: "knowledge_search", input: { query: "Retry-After header" } }] },
        {
          toolCalls: [
            { toolName: "knowledge_search", input: { query: "x", knowledgeBase: "nope" } },
          ],
        },
        { text: "The header sets the wait [1]." },
      ],
    });
    const team = new LLMTeam({
      teamId: "t",
      model,
      knowledge,
      agents: [{ type: "llm", role: "helper", prompt: "{query}", tools: ["knowledge_search"] }],
    });
    const stream = team.stream({ query: "What does Retry-After do?" });
    const retrievals: StreamEvent[] = [];
    for await (const event of stream) if (event.type === "retrieval") retrievals.push(event);
    const result = await stream.result;
    expect(result.finalOutput).toBe("The header sets the wait [1].");
    expect(retrievals).toHaveLength(1);
    expect(retrievals[0]).toMatchObject({
      agentId: "helper",
      data: { knowledgeBase: "handbook", query: "Retry-After header", mode: "bm25" },
    });
    const [found, missing] = result.agentResults[0]!.toolCalls!;
    expect(found).toMatchObject({ name: "knowledge_search", success: true });
    const output = found!.output as {
      knowledgeBase: string;
      context: string;
      citations: { document: string }[];
    };
    expect(output.knowledgeBase).toBe("handbook");
    expect(output.context).toMatch(/^\[1\] A Retry-After header from the provider sets the wait\./);
    expect(output.citations[0]!.document).toBe("docs/retries.md");
    expect(missing).toMatchObject({ success: false });
    expect(missing!.error).toMatch(/Knowledge base "nope" does not exist .* Available: handbook/);
    // The model read the passages as the tool's result.
    const toolMessage = JSON.stringify(model.calls[1]!.options.prompt.at(-1));
    expect(toolMessage).toContain("A Retry-After header from the provider sets the wait.");
  });
});

describe("estimates of teams with knowledge agents", () => {
  it("count a rag agent as no call and no cost, and its passages in the next prompt's most", async () => {
    const team = new LLMTeam({
      teamId: "t",
      model: "openai/gpt-4o-mini",
      maxTokens: 100,
      knowledge,
      agents: [RAG, { type: "llm", role: "writer", prompt: "{query} {context}" }],
    });
    const estimate = await team.estimate({ query: "How are calls retried?" });
    const [docs, writer] = estimate.agents;
    expect(docs).toMatchObject({
      agentId: "docs",
      kind: "retrieval",
      model: undefined,
      minUsd: 0,
      maxUsd: 0,
    });
    expect(docs!.calls).toEqual({ min: 0, max: 0 });
    // topK 2 passages of up to 400 tokens (and their source lines) may reach the writer.
    expect(writer!.inputTokens.max).toBeGreaterThan(2 * 400);
    expect(writer!.inputTokens.min).toBeLessThan(50);
  });
});

describe("the load-time check of knowledge agents", () => {
  it("LLMTeam.checkConfig reads the given catalog", () => {
    expect(LLMTeam.checkConfig({ teamId: "t", knowledge, agents: [RAG] }).errors).toEqual([]);
    const { errors } = LLMTeam.checkConfig({
      teamId: "t",
      knowledge,
      agents: [{ ...RAG, knowledgeBase: "nope" }],
    });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ path: ["agents", 0, "knowledgeBase"] });
  });
});

describe("a stored run with a rag agent", () => {
  it("resumes after the rag agent with {context} restored", async () => {
    const clock = new FakeClock();
    const store = new MemoryRunStore();
    const makeTeam = (model: ScriptedModel, runStore: MemoryRunStore) =>
      new LLMTeam({
        teamId: "resumable",
        model: "m/x",
        models: { "m/x": model },
        clock,
        knowledge,
        runStore,
        agents: [RAG, { type: "llm", role: "writer", prompt: "Write: {context}" }],
      });
    const hanging = new ScriptedModel({ clock, responses: [{ text: "never", delayMs: 1e12 }] });
    const controller = new AbortController();
    void makeTeam(hanging, store).run({ query: "retried" }, { signal: controller.signal });
    await vi.waitFor(() => {
      const entry = [...store.runs.values()].at(-1);
      expect(entry?.events.some((stored) => stored.event.type === "agent_completed")).toBe(true);
    });
    const runId = [...store.runs.keys()][0]!;
    const survived = store.copy();
    controller.abort();

    const writer = new ScriptedModel({ clock, responses: [{ text: "written" }] });
    const result = await (await makeTeam(writer, survived).resume(runId)).result;
    expect(result.finalOutput).toBe("written");
    expect(userText(writer.calls[0]!)).toMatch(
      /^Write: \[1\] [\s\S]*Sources:\n\[1\] docs\/retries\.md/,
    );
  });
});
