import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  BudgetExceededError,
  KnowledgeBase,
  KnowledgeCatalog,
  LLMTeam,
  SqliteKnowledgeStore,
  embedderOf,
  type LLMTeamOptions,
  type StreamEvent,
} from "llmteam";
import { ScriptedEmbeddingModel, ScriptedModel } from "llmteam/testing";

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "llmteam-embedding-cost-"));
  mkdirSync(join(dir, "docs"));
  writeFileSync(join(dir, "docs", "car.md"), "# Cars\n\nA car needs an oil change every year.");
  writeFileSync(join(dir, "docs", "boat.md"), "# Boats\n\nHulls are cleaned in spring.");
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** An ingested knowledge base embedded by `embedding` (its name is `<provider>/<modelId>`). */
async function garage(embedding: ScriptedEmbeddingModel): Promise<KnowledgeCatalog> {
  const base = new KnowledgeBase({
    name: "garage",
    store: new SqliteKnowledgeStore({ path: join(dir, "kb", "garage.db") }),
    embedder: embedderOf(embedding),
  });
  await base.ingest(["docs"], { cwd: dir });
  return new KnowledgeCatalog({ bases: { garage: base } });
}

/** A rag agent (hybrid retrieval) then a writer on a priced scripted model. */
function team(knowledge: KnowledgeCatalog, options: Partial<LLMTeamOptions> = {}): LLMTeam {
  return new LLMTeam({
    ...options,
    teamId: "garage-help",
    model: "test/writer",
    models: {
      "test/writer": new ScriptedModel({ responses: Array(4).fill({ text: "Yearly [1]." }) }),
    },
    pricing: { "test/writer": { inputPer1M: 1, outputPer1M: 2 }, ...options.pricing },
    knowledge,
    agents: [
      { type: "rag", role: "lookup", knowledgeBase: "garage", topK: 1 },
      { type: "llm", role: "writer", prompt: "{context}\n\nQuestion: {query}" },
    ],
  });
}

async function collect(run: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const event of run) events.push(event);
  return events;
}

const QUESTION = "How often does a car need oil";
// The scripted embedding model reports one token per word.
const QUESTION_TOKENS = 7;

describe("embedding calls in the cost layer", () => {
  it("counts a rag agent's query embedding in the run: a priced cost_update, usage, cost", async () => {
    const embedding = new ScriptedEmbeddingModel({
      provider: "openai",
      modelId: "text-embedding-3-small",
    });
    const knowledge = await garage(embedding);
    const stream = team(knowledge).stream({ query: QUESTION });
    const events = await collect(stream);
    const result = await stream.result;
    expect(result.status).toBe("completed");
    const updates = events.filter((event) => event.type === "cost_update");
    expect(updates.map((event) => event.agentId)).toEqual(["lookup", "writer"]);
    const embedded = updates[0]!.data as { model: string; deltaUsd: number; tokens: object };
    expect(embedded.model).toBe("openai/text-embedding-3-small");
    expect(embedded.tokens).toEqual({
      inputTokens: QUESTION_TOKENS,
      outputTokens: 0,
      totalTokens: QUESTION_TOKENS,
    });
    // The bundled catalog's price: $0.02 per million input tokens.
    expect(embedded.deltaUsd).toBeCloseTo((QUESTION_TOKENS * 0.02) / 1e6, 12);
    const writer = result.agentResults[1]!.usage;
    expect(result.usage.inputTokens).toBe(QUESTION_TOKENS + writer.inputTokens);
    expect(result.cost.byAgent.lookup).toBeCloseTo((QUESTION_TOKENS * 0.02) / 1e6, 12);
    expect(result.cost.totalUsd).toBeCloseTo(
      (QUESTION_TOKENS * 0.02) / 1e6 + (writer.inputTokens * 1 + writer.outputTokens * 2) / 1e6,
      12,
    );
    expect(result.agentResults[0]!.usage.inputTokens).toBe(QUESTION_TOKENS);
    expect(result.agentResults[0]!.embedding).toEqual({
      model: "openai/text-embedding-3-small",
      tokens: QUESTION_TOKENS,
    });
    await knowledge.close();
  });

  it("prices an embedding model declared with pricing:, and marks an unknown one unpriced (never $0)", async () => {
    const embedding = new ScriptedEmbeddingModel({ provider: "lab", modelId: "embed" });
    const knowledge = await garage(embedding);
    const declared = await team(knowledge, {
      pricing: { "lab/embed": { inputPer1M: 1_000, outputPer1M: 0 } },
    }).run({ query: QUESTION });
    expect(declared.cost.byAgent.lookup).toBeCloseTo((QUESTION_TOKENS * 1_000) / 1e6, 12);

    const stream = team(knowledge).stream({ query: QUESTION });
    const events = await collect(stream);
    const result = await stream.result;
    const update = events.find((event) => event.type === "cost_update")!;
    expect(update.agentId).toBe("lookup");
    expect(update.data).toMatchObject({ model: "lab/embed", unpriced: true });
    expect((update.data as { deltaUsd?: number }).deltaUsd).toBeUndefined();
    expect(
      events.some(
        (event) =>
          event.type === "warning" && (event.data as { code?: string }).code === "unpriced_model",
      ),
    ).toBe(true);
    expect(result.usage.inputTokens).toBeGreaterThan(QUESTION_TOKENS);
    expect(result.cost.byAgent.lookup ?? 0).toBe(0);
    await knowledge.close();
  });

  it("refuses the embedding call when a hard run budget has no room, like a model call", async () => {
    const embedding = new ScriptedEmbeddingModel({
      provider: "openai",
      modelId: "text-embedding-3-small",
    });
    const knowledge = await garage(embedding);
    const before = embedding.calls.length;
    const stream = team(knowledge, {
      pricing: { "openai/text-embedding-3-small": { inputPer1M: 1_000_000, outputPer1M: 0 } },
      maxCostPerRun: 1,
    }).stream({ query: QUESTION });
    const events = await collect(stream);
    const result = await stream.result;
    expect(result.status).toBe("budget_exceeded");
    expect(BudgetExceededError.isInstance(result.error)).toBe(true);
    expect(embedding.calls.length).toBe(before);
    const exceeded = events.find((event) => event.type === "budget_exceeded");
    expect(exceeded?.agentId).toBe("lookup");
    expect(events.find((event) => event.type === "agent_failed")?.agentId).toBe("lookup");
    await knowledge.close();
  });

  it("settles the embedding in a period budget, and refuses it once the period is spent", async () => {
    const embedding = new ScriptedEmbeddingModel({ provider: "lab", modelId: "embed" });
    const knowledge = await garage(embedding);
    // $1 per token: the question costs $7, reserved at its estimate ($22: 29 bytes / 3 + overhead).
    const options: Partial<LLMTeamOptions> = {
      pricing: { "lab/embed": { inputPer1M: 1_000_000, outputPer1M: 0 } },
      budgets: [{ maxCost: 30, period: "day" }],
    };
    const shared = team(knowledge, options);
    const first = await shared.run({ query: QUESTION });
    expect(first.status).toBe("completed");
    expect(first.cost.byAgent.lookup).toBeCloseTo(QUESTION_TOKENS, 9);
    const status = await shared.remaining();
    expect(status.periods[0]!.spentUsd).toBeCloseTo(first.cost.totalUsd, 9);
    expect((await shared.run({ query: QUESTION })).status).toBe("completed");
    // $14 spent: the third question's $22 reservation does not fit in $30.
    const before = embedding.calls.length;
    const third = await shared.run({ query: QUESTION });
    expect(third.status).toBe("budget_exceeded");
    expect(BudgetExceededError.isInstance(third.error)).toBe(true);
    expect(third.error?.message).toContain("day");
    expect(embedding.calls.length).toBe(before);
    await knowledge.close();
  });

  it("prices ingest embeddings in the summary", async () => {
    const priced = new KnowledgeBase({
      name: "priced",
      store: new SqliteKnowledgeStore({ path: join(dir, "kb", "priced.db") }),
      embedder: embedderOf(
        new ScriptedEmbeddingModel({ provider: "openai", modelId: "text-embedding-3-small" }),
      ),
    });
    const summary = await priced.ingest(["docs"], { cwd: dir });
    expect(summary.embeddingTokens).toBeGreaterThan(10);
    expect(summary.embeddingCostUsd).toBeCloseTo((summary.embeddingTokens * 0.02) / 1e6, 12);
    await priced.close();
    const unpriced = new KnowledgeBase({
      name: "unpriced",
      store: new SqliteKnowledgeStore({ path: join(dir, "kb", "unpriced.db") }),
      embedder: embedderOf(new ScriptedEmbeddingModel({ provider: "lab", modelId: "embed" })),
    });
    const plain = await unpriced.ingest(["docs"], { cwd: dir });
    expect(plain.embeddingTokens).toBeGreaterThan(10);
    expect(plain.embeddingCostUsd).toBeUndefined();
    expect(plain.embeddingUnpriced).toBe(true);
    await unpriced.close();
  });
});

describe("knowledge_search's embedding calls", () => {
  it("count in the run like a rag agent's: a priced cost_update of the calling agent", async () => {
    const embedding = new ScriptedEmbeddingModel({
      provider: "openai",
      modelId: "text-embedding-3-small",
    });
    const knowledge = await garage(embedding);
    const helper = new LLMTeam({
      teamId: "garage-tools",
      model: "test/writer",
      models: {
        "test/writer": new ScriptedModel({
          responses: [
            { toolCalls: [{ toolName: "knowledge_search", input: { query: QUESTION } }] },
            { text: "Yearly [1]." },
          ],
        }),
      },
      pricing: { "test/writer": { inputPer1M: 1, outputPer1M: 2 } },
      knowledge,
      agents: [{ type: "llm", role: "helper", prompt: "{query}", tools: ["knowledge_search"] }],
    });
    const stream = helper.stream({ query: QUESTION });
    const events = await collect(stream);
    const result = await stream.result;
    expect(result.status).toBe("completed");
    const embedded = events.filter(
      (event) =>
        event.type === "cost_update" && event.data.model === "openai/text-embedding-3-small",
    );
    expect(embedded).toHaveLength(1);
    expect(embedded[0]).toMatchObject({
      agentId: "helper",
      data: { tokens: { inputTokens: QUESTION_TOKENS } },
    });
    expect(result.cost.byModel["openai/text-embedding-3-small"]).toBeGreaterThan(0);
  });
});
