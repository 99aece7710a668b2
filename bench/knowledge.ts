import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import {
  KnowledgeBase,
  PostgresKnowledgeStore,
  SqliteKnowledgeStore,
  embedderOf,
  embeddingModelFromName,
  type ChunkOptions,
  type Embedder,
  type KnowledgeStore,
  type RetrievalMode,
} from "../src/index.js";
import { ScriptedEmbeddingModel } from "../src/testing/index.js";
import type { BenchRow } from "./harness.js";

interface EvalCase {
  question: string;
  document: string;
}

/** docs/ minus the pages that quote the evaluation itself (knowledge.md, performance.md). */
function corpusFiles(root: string): string[] {
  return readdirSync(join(root, "docs"))
    .filter((name) => name.endsWith(".md") && name !== "knowledge.md" && name !== "performance.md")
    .map((name) => `docs/${name}`);
}

/** recall@5 and MRR@10 of one retrieval mode over the evaluation set. */
async function evaluate(
  base: KnowledgeBase,
  cases: EvalCase[],
  mode: Exclude<RetrievalMode, "graph">,
) {
  let found = 0;
  let reciprocal = 0;
  const misses: string[] = [];
  for (const { question, document } of cases) {
    const { passages } = await base.search(question, { topK: 10, mode });
    const rank = passages.findIndex((passage) => passage.document === document);
    if (rank >= 0 && rank < 5) found++;
    else misses.push(question);
    if (rank >= 0) reciprocal += 1 / (rank + 1);
  }
  return { recall: found / cases.length, mrr: reciprocal / cases.length, misses };
}

/**
 * The evaluation over the repo's docs: BM25, vectors and hybrid with an embedding model (the
 * test model's hashed words, or a real one such as the demo GGUF through node-llama-cpp).
 */
async function benchEvaluation(
  root: string,
  scenario: string,
  embedder: Embedder,
  modes: readonly Exclude<RetrievalMode, "graph">[],
  chunking?: ChunkOptions,
): Promise<BenchRow[]> {
  const cases = JSON.parse(
    readFileSync(join(root, "bench/data/knowledge-eval.json"), "utf8"),
  ) as EvalCase[];
  const dir = mkdtempSync(join(tmpdir(), "llmteam-bench-eval-"));
  try {
    const base = new KnowledgeBase({
      name: "docs",
      store: new SqliteKnowledgeStore({ path: join(dir, "docs.db") }),
      embedder,
      ...(chunking ? { chunking } : {}),
    });
    const started = performance.now();
    const summary = await base.ingest(corpusFiles(root), { cwd: root });
    const ingestMs = performance.now() - started;
    const rows: BenchRow[] = [];
    const skipped =
      summary.skipped.length > 0
        ? `, ${summary.skipped.length} skipped (${summary.skipped.map((file) => `${file.path}: ${file.reason.slice(0, 60)}`).join("; ")})`
        : "";
    const note = `${cases.length} questions, ${summary.files} docs${skipped}, ${summary.chunks} chunks, ingest ${Math.round(ingestMs)} ms`;
    for (const mode of modes) {
      const { recall, mrr, misses } = await evaluate(base, cases, mode);
      rows.push({
        scenario,
        measure: `${mode} recall@5`,
        value: recall,
        unit: "",
        note,
      });
      rows.push({
        scenario,
        measure: `${mode} MRR@10`,
        value: mrr,
        unit: "",
        note: misses.length > 0 ? `missed: ${misses.slice(0, 3).join(" | ")}` : "",
      });
    }
    await base.close();
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A vocabulary with a long tail, so documents differ the way prose does. */
function vocabulary(size: number): string[] {
  const syllables = [
    "ka",
    "lo",
    "mi",
    "ne",
    "su",
    "ta",
    "ri",
    "po",
    "ve",
    "du",
    "an",
    "ex",
    "or",
    "il",
  ];
  const words: string[] = [];
  for (let index = 0; words.length < size; index++) {
    let word = "";
    for (let value = index + 7; value > 0; value = Math.floor(value / syllables.length))
      word += syllables[value % syllables.length];
    words.push(word);
  }
  return words;
}

/** A seeded generator (mulberry32), so every run writes the same corpus. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let value = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/** 500 Markdown files × 20 paragraphs of 30 words (~70 tokens): 10,000 chunks at a 100-token budget. */
function writeCorpus(dir: string): string[] {
  const words = vocabulary(5_000);
  const next = random(42);
  const word = () => words[Math.floor(words.length * next() ** 3)]!;
  const files: string[] = [];
  mkdirSync(join(dir, "corpus"));
  for (let file = 0; file < 500; file++) {
    const paragraphs = [`# Document ${file}`];
    for (let paragraph = 0; paragraph < 20; paragraph++)
      paragraphs.push(Array.from({ length: 30 }, word).join(" ") + ".");
    const path = join("corpus", `doc-${file}.md`);
    writeFileSync(join(dir, path), paragraphs.join("\n\n"));
    files.push(path);
  }
  return files;
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))]!;
}

/** Ingest throughput, index size and query latency of one store at 10,000 chunks. */
async function benchStore(
  label: string,
  store: KnowledgeStore,
  dir: string,
  files: string[],
): Promise<BenchRow[]> {
  const base = new KnowledgeBase({
    name: "scale",
    store,
    chunking: { maxTokens: 100, overlapTokens: 0 },
  });
  const summary = await base.ingest(files, { cwd: dir });
  const stats = await base.stats();
  const rows: BenchRow[] = [
    {
      scenario: `knowledge ${label}`,
      measure: "ingest",
      value: (summary.chunks * 1000) / summary.durationMs,
      unit: "chunks/s",
      note: `${summary.chunks} chunks, ${summary.tokens} tokens in ${(summary.durationMs / 1000).toFixed(1)} s`,
    },
    {
      scenario: `knowledge ${label}`,
      measure: "index size",
      value: stats.sizeBytes / 1024 / 1024,
      unit: "MB",
      note: "",
    },
  ];
  const words = vocabulary(5_000);
  const next = random(7);
  const latencies: number[] = [];
  for (let query = 0; query < 200; query++) {
    const question = Array.from(
      { length: 5 },
      () => words[Math.floor(words.length * next() ** 2)]!,
    ).join(" ");
    const started = performance.now();
    await base.search(question, { topK: 5, mode: "bm25" });
    latencies.push(performance.now() - started);
  }
  latencies.sort((a, b) => a - b);
  rows.push({
    scenario: `knowledge ${label}`,
    measure: "BM25 query p50",
    value: percentile(latencies, 0.5),
    unit: "ms",
    note: "200 queries of 5 words, top 5",
  });
  rows.push({
    scenario: `knowledge ${label}`,
    measure: "BM25 query p99",
    value: percentile(latencies, 0.99),
    unit: "ms",
    note: "",
  });
  await base.close();
  return rows;
}

/** Exact vector search at 10,000 chunks of 256 dimensions. */
async function benchVectors(label: string, store: KnowledgeStore): Promise<BenchRow[]> {
  const next = random(3);
  const dimensions = 256;
  for (let file = 0; file < 100; file++) {
    const chunks = Array.from({ length: 100 }, (_, position) => {
      const vector = Float32Array.from({ length: dimensions }, () => next() - 0.5);
      const length = Math.hypot(...vector);
      return {
        position,
        text: `chunk ${position}`,
        headings: [],
        tokens: 2,
        embedding: vector.map((value) => value / length),
      };
    });
    await store.replaceDocument(
      { path: `v${file}`, title: "v", format: "text", hash: "h", bytes: 1, metadata: {} },
      chunks,
    );
  }
  const latencies: number[] = [];
  for (let query = 0; query < 50; query++) {
    const vector = Float32Array.from({ length: dimensions }, () => next() - 0.5);
    const started = performance.now();
    await store.searchVector(vector, { limit: 5 });
    latencies.push(performance.now() - started);
  }
  latencies.sort((a, b) => a - b);
  await store.close();
  return [
    {
      scenario: `knowledge ${label}`,
      measure: "vector query p50",
      value: percentile(latencies, 0.5),
      unit: "ms",
      note: `exact cosine, 10,000 × ${dimensions} dims`,
    },
    {
      scenario: `knowledge ${label}`,
      measure: "vector query p99",
      value: percentile(latencies, 0.99),
      unit: "ms",
      note: "",
    },
  ];
}

/** Retrieval quality on the repo's docs, then both stores at 10,000 chunks. */
export async function benchKnowledge(): Promise<BenchRow[]> {
  const root = join(import.meta.dirname, "..");
  const rows = await benchEvaluation(
    root,
    "knowledge eval",
    embedderOf(new ScriptedEmbeddingModel({ dimensions: 512 })),
    ["bm25", "vector", "hybrid"],
  );
  // A real embedding model, offline (LLMTEAM_BENCH_EMBEDDING_MODEL=local/demo: the bundled demo
  // GGUF through node-llama-cpp). Opt-in: embedding 700 chunks in process takes ~9 minutes on 2 cores.
  const real = process.env.LLMTEAM_BENCH_EMBEDDING_MODEL;
  if (real)
    rows.push(
      ...(await benchEvaluation(
        root,
        `knowledge eval (${real})`,
        embedderOf(await embeddingModelFromName(real), { name: real }),
        ["bm25", "vector", "hybrid"],
        // The demo model's context is short: 100-token chunks (BM25 measured on the same chunks).
        { maxTokens: 100, overlapTokens: 20 },
      )),
    );

  const dir = mkdtempSync(join(tmpdir(), "llmteam-bench-kb-"));
  const pool = new pg.Pool({
    connectionString: process.env.POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test",
    max: 4,
  });
  const schema = `kb_bench_${process.pid}`;
  try {
    const files = writeCorpus(dir);
    rows.push(
      ...(await benchStore(
        "sqlite",
        new SqliteKnowledgeStore({ path: join(dir, "scale.db") }),
        dir,
        files,
      )),
    );
    rows.push(
      ...(await benchVectors(
        "sqlite",
        new SqliteKnowledgeStore({ path: join(dir, "vectors.db") }),
      )),
    );
    const postgres = await PostgresKnowledgeStore.connect({
      pool,
      schema,
      knowledgeBase: "scale",
    }).catch(() => undefined);
    if (postgres) {
      rows.push(...(await benchStore("postgres", postgres, dir, files)));
      const vectors = await PostgresKnowledgeStore.connect({
        pool,
        schema,
        knowledgeBase: "vectors",
      });
      rows.push(...(await benchVectors("postgres", vectors)));
    } else
      rows.push({
        scenario: "knowledge postgres",
        measure: "skipped",
        value: 0,
        unit: "",
        note: "no Postgres at POSTGRES_URL",
      });
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await pool.end();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
