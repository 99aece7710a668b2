import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { KnowledgeCatalog, createLocalEmbeddingModel, embedderOf } from "llmteam";
import { cli } from "./support/run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "llmteam-localemb-"));
mkdirSync(join(dir, "docs"));
writeFileSync(join(dir, "docs", "a.md"), "# Retries\n\nFailed calls are retried with backoff.");
writeFileSync(join(dir, "docs", "b.md"), "# Budgets\n\nA budget caps what a run may spend.");

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("local GGUF embeddings (node-llama-cpp, the demo model)", () => {
  it("embed chunks and questions in process, stored under local/demo", async () => {
    const knowledge = new KnowledgeCatalog({
      directory: join(dir, "kb"),
      embedder: embedderOf(createLocalEmbeddingModel("demo"), { name: "local/demo" }),
    });
    const base = knowledge.create("docs");
    const summary = await base.ingest(["docs"], { cwd: dir });
    expect(summary).toMatchObject({ ingested: 2, chunks: 2, skipped: [] });
    expect(await base.stats()).toMatchObject({ chunks: 2, embeddedChunks: 2 });
    expect(await base.store.getMeta("embedding_model")).toBe("local/demo");
    expect(Number(await base.store.getMeta("embedding_dimensions"))).toBeGreaterThan(16);
    const vector = await base.search("retried", { mode: "vector", topK: 2 });
    expect(vector.passages).toHaveLength(2);
    expect(vector.passages[0]!.score).toBeGreaterThan(vector.passages[1]!.score);
    const hybrid = await base.search("retried");
    expect(hybrid.mode).toBe("hybrid");
    expect(hybrid.passages[0]!.document).toBe("docs/a.md");
    await knowledge.close();
  }, 60_000);

  it("are what llmteam ingest --embedding-model local/demo uses, and kb query finds them by name", async () => {
    const kbDir = join(dir, "kb-cli");
    const ingest = await cli([
      "ingest",
      join(dir, "docs"),
      "--kb",
      "d",
      "--kb-dir",
      kbDir,
      "--embedding-model",
      "local/demo",
    ]);
    expect(ingest.code).toBe(0);
    const show = await cli(["kb", "show", "d", "--kb-dir", kbDir]);
    expect(show.stdout).toContain("retrieval: BM25 + vectors of local/demo (2 chunks embedded)");
    const query = await cli(["kb", "query", "What caps spending?", "--kb-dir", kbDir, "--json"]);
    expect(JSON.parse(query.stdout)).toMatchObject({ mode: "hybrid" });
  }, 60_000);
});
