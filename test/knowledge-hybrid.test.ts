import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { APICallError } from "@ai-sdk/provider";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  KnowledgeBase,
  KnowledgeCatalog,
  LLMTeam,
  RRF_K,
  SqliteKnowledgeStore,
  embedderOf,
} from "llmteam";
import { ScriptedEmbeddingModel } from "llmteam/testing";

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "llmteam-hybrid-"));
  mkdirSync(join(dir, "docs"));
  writeFileSync(join(dir, "docs", "car.md"), "# Cars\n\nA car needs an oil change every year.");
  writeFileSync(join(dir, "docs", "bike.md"), "# Bikes\n\nA bicycle chain wants oil every month.");
  writeFileSync(join(dir, "docs", "boat.md"), "# Boats\n\nHulls are cleaned in spring.");
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

const synonyms = { automobile: "car", vehicle: "car" };

function base(model = new ScriptedEmbeddingModel({ synonyms }), name = "garage"): KnowledgeBase {
  return new KnowledgeBase({
    name,
    store: new SqliteKnowledgeStore({ path: join(dir, "kb", `${name}.db`) }),
    embedder: embedderOf(model),
  });
}

describe("embeddings and hybrid retrieval", () => {
  it("stores a vector per chunk and searches hybrid by default, fusing BM25 and vectors by rank", async () => {
    const model = new ScriptedEmbeddingModel({ synonyms, maxEmbeddingsPerCall: 2 });
    const garage = base(model);
    const summary = await garage.ingest(["docs"], { cwd: dir });
    expect(summary.embeddingTokens).toBeGreaterThan(10);
    expect(await garage.stats()).toMatchObject({ chunks: 3, embeddedChunks: 3 });
    // The word "automobile" is in no document: BM25 finds nothing, the vectors find the car.
    expect((await garage.search("automobile", { mode: "bm25" })).passages).toEqual([]);
    const vector = await garage.search("automobile", { mode: "vector", topK: 1 });
    expect(vector.passages[0]).toMatchObject({ document: "docs/car.md" });
    expect(vector.passages[0]!.score).toBeGreaterThan(0.3);
    const hybrid = await garage.search("automobile oil");
    expect(hybrid.mode).toBe("hybrid");
    // The car is first by vectors and second by BM25 (the shorter bike text ranks first there).
    const bm25 = await garage.search("automobile oil", { mode: "bm25" });
    expect(bm25.passages.map((passage) => passage.document)).toEqual([
      "docs/bike.md",
      "docs/car.md",
    ]);
    expect(hybrid.passages[0]).toMatchObject({ document: "docs/car.md" });
    expect(hybrid.passages[0]!.score).toBeCloseTo(1 / (RRF_K + 1) + 1 / (RRF_K + 2), 12);
    // The question was embedded once per search.
    expect(model.calls.at(-1)).toEqual(["automobile oil"]);
    await garage.close();
  });

  it("embeds words that name Object.prototype members (constructor, toString) like any word", async () => {
    const model = new ScriptedEmbeddingModel({ synonyms });
    const { embeddings } = await model.doEmbed({ values: ["The constructor calls toString"] });
    expect(embeddings[0]!.reduce((sum, value) => sum + value, 0)).toBe(4);
  });

  it("refuses another model's or another dimension's vectors, saying how to fix it", async () => {
    const first = base();
    await first.ingest(["docs"], { cwd: dir });
    await first.close();
    const otherSize = base(new ScriptedEmbeddingModel({ dimensions: 32 }));
    await expect(otherSize.search("car", { mode: "vector" })).rejects.toThrow(
      'Knowledge base "garage" stores 64-dimension embeddings, but scripted/embedding makes 32-dimension ones. Use the model it was built with, or rebuild it with this one: llmteam kb drop garage, then ingest again.',
    );
    await otherSize.close();
    const otherModel = base(new ScriptedEmbeddingModel({ modelId: "other" }));
    await expect(otherModel.search("car")).rejects.toThrow(
      /was embedded with scripted\/embedding, not scripted\/other: vectors of two models cannot be compared/,
    );
    await otherModel.close();
  });

  it("retries a failed embedding call that is retryable, and fails on one that is not", async () => {
    const busy = new APICallError({
      message: "overloaded",
      url: "http://x",
      requestBodyValues: {},
      statusCode: 503,
      responseHeaders: { "retry-after-ms": "1" },
      isRetryable: true,
    });
    const flaky = base(new ScriptedEmbeddingModel({ synonyms, failures: [busy] }));
    expect((await flaky.ingest(["docs/car.md"], { cwd: dir })).ingested).toBe(1);
    await flaky.close();
    const denied = new APICallError({
      message: "bad key",
      url: "http://x",
      requestBodyValues: {},
      statusCode: 401,
      isRetryable: false,
    });
    const broken = base(new ScriptedEmbeddingModel({ failures: [denied] }), "broken");
    const summary = await broken.ingest(["docs/car.md"], { cwd: dir });
    expect(summary.skipped[0]?.reason).toMatch(/401/);
    await broken.close();
  });

  it("gives rag agents vector retrieval, and a catalog finds the embedder by the stored model name", async () => {
    const model = new ScriptedEmbeddingModel({ synonyms });
    const made: string[] = [];
    const knowledge = new KnowledgeCatalog({
      directory: join(dir, "kb"),
      embedderFor: (name) => {
        made.push(name);
        return Promise.resolve(embedderOf(model));
      },
    });
    const garage = base(model);
    await garage.ingest(["docs"], { cwd: dir });
    await garage.close();
    const team = new LLMTeam({
      teamId: "t",
      knowledge,
      agents: [
        { type: "rag", role: "docs", knowledgeBase: "garage", topK: 1, retrievalMode: "vector" },
      ],
    });
    const result = await team.run({ query: "Which vehicle needs an oil change?" });
    expect(result.agentResults[0]?.citations?.[0]?.document).toBe("docs/car.md");
    // The query's embedding call is reported with its tokens.
    expect(result.agentResults[0]!.embedding).toEqual({ model: "scripted/embedding", tokens: 6 });
    expect(made).toEqual(["scripted/embedding"]);
    await knowledge.close();
  });
});
