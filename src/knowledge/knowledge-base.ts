import { KnowledgeError } from "../errors/knowledge-error.js";
import { CHUNK_DEFAULTS, type ChunkOptions } from "./chunk-document.js";
import type { Embedder, EmbeddingBatch } from "./embedder.js";
import { ingestFiles, type IngestOptions, type IngestParts, type IngestSummary } from "./ingest.js";
import type {
  GraphEntity,
  GraphRelation,
  KnowledgeFilters,
  KnowledgeStats,
  KnowledgeStore,
  DocumentInfo,
} from "./knowledge-store.js";
import {
  passageOf,
  type KnowledgeSearchResult,
  type Passage,
  type RetrievalMode,
} from "./passages.js";
import { nameCandidates, queryTerms } from "./query-terms.js";
import { loadTokenizer } from "./tokenizer.js";
import { normalized } from "./vectors.js";
import type { MeteredCall } from "../cost/usage-meter.js";
import { CostTracker } from "../cost/cost-tracker.js";

/** Extracts the entities and relations of a text (KAG ingest; see `graphExtractorOf`). */
export type GraphExtractor = (
  text: string,
  signal?: AbortSignal,
) => Promise<{ entities: GraphEntity[]; relations: GraphRelation[] }>;

/** Options of {@link KnowledgeBase}. */
export interface KnowledgeBaseOptions {
  /** Its name (what agents' `knowledgeBase` names). */
  name: string;
  store: KnowledgeStore;
  /** Embeds chunks at ingest and questions at search: turns on vector and hybrid retrieval. */
  embedder?: Embedder;
  /**
   * Makes the embedder of the model a knowledge base was embedded with, when none is given
   * (the catalog's: `openai/…`, `ollama/…` by name), so searches are hybrid by default.
   */
  embedderFor?: (modelName: string) => Promise<Embedder>;
  /** Chunk size and overlap (default 400 and 50 tokens). */
  chunking?: ChunkOptions;
}

/** How a search ranks and limits passages. */
export interface KnowledgeSearchOptions {
  /** Passages to return (default 5). */
  topK?: number;
  /** Passages scoring below this are dropped (the mode's score: BM25, cosine, or RRF). */
  scoreThreshold?: number;
  /** Equality filters on document metadata (`path`, `title`, `format`, ingest's `metadata`). */
  filters?: KnowledgeFilters;
  /** `bm25`, `vector` or `hybrid` (default: `hybrid` with an embedder, else `bm25`). */
  mode?: Exclude<RetrievalMode, "graph">;
  signal?: AbortSignal;
  /**
   * Counts the query's embedding call in a cost layer (a run's: priced, in its usage and
   * budgets, refused by a hard budget without room). A `rag` agent passes its run's.
   */
  meter?: <T>(call: MeteredCall<T>) => Promise<T>;
}

/** How a KAG search walks the graph. */
export interface KnowledgeGraphOptions {
  /** Hops from the question's entities (default 2). */
  maxHops?: number;
  /** Entities of the question to start from (default 10). */
  maxEntities?: number;
  /** Only start from entities of these types. */
  entityTypes?: string[];
  /** Facts to return at most (default 50). */
  maxFacts?: number;
  /** Passages (the facts' source chunks) to return (default 5). */
  topK?: number;
}

/** Rank constant of reciprocal rank fusion (score = Σ 1 / (k + rank)). */
export const RRF_K = 60;

/**
 * A knowledge base: documents cut into chunks in a store, searched by BM25 (no model needed),
 * by vectors, by both fused (hybrid), or through its entity graph (KAG).
 *
 * @example
 * const base = await catalog.create("docs");
 * await base.ingest(["docs/"]);
 * const { passages } = await base.search("How do retries work?");
 */
export class KnowledgeBase {
  readonly name: string;
  readonly store: KnowledgeStore;
  readonly chunking: ChunkOptions;
  private embedder: Embedder | undefined;
  private readonly embedderFor: ((modelName: string) => Promise<Embedder>) | undefined;

  constructor(options: KnowledgeBaseOptions) {
    this.name = options.name;
    this.store = options.store;
    this.embedder = options.embedder;
    this.embedderFor = options.embedderFor;
    this.chunking = options.chunking ?? CHUNK_DEFAULTS;
  }

  /**
   * Ingests files, folders and globs (see `IngestOptions`); with `graph`, extracts entities and
   * relations of each chunk into the knowledge graph.
   */
  async ingest(
    inputs: readonly string[],
    options: IngestOptions & { graph?: GraphExtractor } = {},
  ): Promise<IngestSummary> {
    const tokenizer = await loadTokenizer();
    if (this.embedder) await this.checkEmbedder(this.embedder);
    const chunking = options.chunking ?? this.chunking;
    const parts: IngestParts = {
      store: this.store,
      tokenizer,
      settingsKey: `${tokenizer.name}:${chunking.maxTokens ?? CHUNK_DEFAULTS.maxTokens}:${chunking.overlapTokens ?? CHUNK_DEFAULTS.overlapTokens}:${this.embedder?.name ?? ""}:${options.graph ? "graph" : ""}`,
    };
    const embedder = this.embedder;
    // Embedding calls are recorded in a cost tracker of their own (the ingest is no team's
    // run): the same pricing and recording as a run's calls.
    const tracker = new CostTracker(options.pricing ? { pricing: options.pricing } : {});
    const costRunId = `ingest:${this.name}:${globalThis.crypto.randomUUID()}`;
    tracker.startRun(costRunId, `kb:${this.name}`);
    if (embedder)
      parts.embed = async (texts, signal) => {
        const record = (call: MeteredCall<EmbeddingBatch>) =>
          call.run(signal ?? new AbortController().signal).then((answer) => {
            tracker.recordUsage(
              embedder.name,
              {
                inputTokens: answer.inputTokens,
                outputTokens: 0,
                ...(answer.estimated ? { estimated: true } : {}),
              },
              { runId: costRunId, agentId: "ingest" },
            );
            return answer.value;
          });
        return this.embedTexts(
          embedder,
          texts,
          signal,
          true,
          record as KnowledgeSearchOptions["meter"],
        );
      };
    if (options.graph) parts.extractGraph = options.graph;
    const summary = await ingestFiles(inputs, parts, { ...options, chunking });
    const cost = tracker.endRun(costRunId);
    if (cost.calls > 0) {
      if (cost.unpricedModels.length > 0) summary.embeddingUnpriced = true;
      else summary.embeddingCostUsd = cost.totalUsd;
    }
    return summary;
  }

  /**
   * The embedder searches use: the one given, else (with `embedderFor`) the one of the model
   * the knowledge base was embedded with; undefined when it has no embeddings.
   */
  async activeEmbedder(): Promise<Embedder | undefined> {
    if (this.embedder || !this.embedderFor) return this.embedder;
    const model = await this.store.getMeta("embedding_model");
    if (model === undefined) return undefined;
    this.embedder = await this.embedderFor(model);
    return this.embedder;
  }

  /**
   * Embeds texts, normalized, checking their dimension against the stored one; the first
   * batch of an ingest (`record`) stores the model's name and dimension.
   */
  private async embedTexts(
    embedder: Embedder,
    texts: string[],
    signal: AbortSignal | undefined,
    record: boolean,
    meter?: KnowledgeSearchOptions["meter"],
  ): Promise<{ vectors: Float32Array[]; tokens: number | undefined }> {
    const { vectors, tokens } = meter
      ? await meter({
          model: embedder.name,
          texts,
          run: (callSignal) => embedCounted(embedder, texts, callSignal),
        })
      : await embedder.embed(texts, signal);
    if (vectors.length !== texts.length)
      throw new KnowledgeError(
        `Embedding model ${embedder.name} returned ${vectors.length} vectors for ${texts.length} texts.`,
      );
    const dimensions = vectors[0]?.length ?? 0;
    const stored = await this.store.getMeta("embedding_dimensions");
    if (stored === undefined && record) {
      await this.store.setMeta("embedding_model", embedder.name);
      await this.store.setMeta("embedding_dimensions", String(dimensions));
    } else if (stored !== undefined && Number(stored) !== dimensions) {
      throw this.dimensionError(embedder, Number(stored), dimensions);
    }
    return { vectors: vectors.map(normalized), tokens };
  }

  private dimensionError(embedder: Embedder, stored: number, given: number): KnowledgeError {
    return new KnowledgeError(
      `Knowledge base "${this.name}" stores ${stored}-dimension embeddings, but ${embedder.name} makes ${given}-dimension ones. Use the model it was built with, or rebuild it with this one: llmteam kb drop ${this.name}, then ingest again.`,
    );
  }

  /** Checks that the embedder is the one the stored vectors were made with (by name). */
  private async checkEmbedder(embedder: Embedder): Promise<void> {
    const model = await this.store.getMeta("embedding_model");
    if (model !== undefined && model !== embedder.name) {
      throw new KnowledgeError(
        `Knowledge base "${this.name}" was embedded with ${model}, not ${embedder.name}: vectors of two models cannot be compared. Use ${model}, or rebuild it: llmteam kb drop ${this.name}, then ingest again with ${embedder.name}.`,
      );
    }
  }

  /**
   * Finds the passages that answer `query`.
   * @throws KnowledgeError when the knowledge base is empty, or a vector mode has no embedder.
   */
  async search(
    query: string,
    options: KnowledgeSearchOptions = {},
  ): Promise<KnowledgeSearchResult> {
    const topK = options.topK ?? 5;
    const active = options.mode === "bm25" ? undefined : await this.activeEmbedder();
    const mode = options.mode ?? (active ? "hybrid" : "bm25");
    const limits = {
      limit: mode === "hybrid" ? Math.max(topK * 4, 20) : topK,
      filters: options.filters,
    };
    let passages: Passage[];
    let embedding: KnowledgeSearchResult["embedding"];
    if (mode === "bm25") {
      passages = (await this.store.searchText(queryTerms(query), limits)).map((hit) =>
        passageOf(hit),
      );
    } else {
      const embedder = active;
      if (!embedder)
        throw new KnowledgeError(
          `Knowledge base "${this.name}" has no embedding model, so mode "${mode}" cannot run: give the knowledge base an embedding model, or use mode "bm25".`,
        );
      await this.checkEmbedder(embedder);
      const {
        vectors: [vector],
        tokens,
      } = await this.embedTexts(embedder, [query], options.signal, false, options.meter);
      embedding = { model: embedder.name, tokens: tokens ?? 0 };
      const vectorHits = await this.store.searchVector(vector!, limits);
      if (mode === "vector") passages = vectorHits.map((hit) => passageOf(hit));
      else {
        const textHits = await this.store.searchText(queryTerms(query), limits);
        passages = fuse([textHits, vectorHits]);
      }
    }
    // Nothing found: an empty knowledge base says so rather than answer nothing.
    if (passages.length === 0) await this.checkNotEmpty();
    if (options.scoreThreshold !== undefined)
      passages = passages.filter((passage) => passage.score >= options.scoreThreshold!);
    const result: KnowledgeSearchResult = {
      knowledgeBase: this.name,
      query,
      mode,
      passages: passages.slice(0, topK),
      facts: [],
    };
    if (embedding) result.embedding = embedding;
    return result;
  }

  /**
   * KAG: finds the question's entities in the graph, walks up to `maxHops` from them, and
   * returns the facts with the chunks they were found in.
   */
  async searchGraph(
    query: string,
    options: KnowledgeGraphOptions = {},
  ): Promise<KnowledgeSearchResult> {
    const entities = await this.store.findEntities(
      nameCandidates(query),
      options.entityTypes,
      options.maxEntities ?? 10,
    );
    const facts = await this.store.walkGraph(
      entities.map((entity) => entity.name),
      options.maxHops ?? 2,
      options.maxFacts ?? 50,
    );
    if (facts.length === 0) await this.checkNotEmpty();
    const seen = new Set<number>();
    const chunkIds = facts
      .filter((fact) => !seen.has(fact.chunkId) && seen.add(fact.chunkId))
      .map((fact) => fact.chunkId);
    const passages = (await this.store.getChunks(chunkIds.slice(0, options.topK ?? 5))).map((hit) =>
      passageOf(hit, 1 / (1 + facts.find((fact) => fact.chunkId === hit.chunkId)!.hops)),
    );
    return { knowledgeBase: this.name, query, mode: "graph", passages, facts };
  }

  private async checkNotEmpty(): Promise<void> {
    const stats = await this.store.stats();
    if (stats.chunks === 0)
      throw new KnowledgeError(
        `Knowledge base "${this.name}" is empty: ingest documents first, e.g. llmteam ingest docs/ --kb ${this.name}.`,
      );
  }

  stats(): Promise<KnowledgeStats> {
    return this.store.stats();
  }

  documents(): Promise<DocumentInfo[]> {
    return this.store.listDocuments();
  }

  close(): Promise<void> {
    return this.store.close();
  }
}

/**
 * Embeds texts for a cost meter: the batch with its input tokens, the provider's figure, or
 * counted with the o200k tokenizer (marked `estimated`) when it reported none.
 */
async function embedCounted(
  embedder: Embedder,
  texts: string[],
  signal: AbortSignal,
): Promise<{ value: EmbeddingBatch; inputTokens: number; estimated?: boolean }> {
  const batch = await embedder.embed(texts, signal);
  if (batch.tokens !== undefined) return { value: batch, inputTokens: batch.tokens };
  const tokenizer = await loadTokenizer();
  const inputTokens = texts.reduce((sum, text) => sum + tokenizer.count(text), 0);
  return { value: { ...batch, tokens: inputTokens }, inputTokens, estimated: true };
}

/** Reciprocal rank fusion of rankings: each chunk scores Σ 1 / (RRF_K + rank), best first. */
export function fuse(rankings: { chunkId: number }[][]): Passage[] {
  const scores = new Map<number, { hit: Parameters<typeof passageOf>[0]; score: number }>();
  for (const ranking of rankings) {
    ranking.forEach((hit, rank) => {
      const entry = scores.get(hit.chunkId);
      const add = 1 / (RRF_K + rank + 1);
      if (entry) entry.score += add;
      else scores.set(hit.chunkId, { hit: hit as Parameters<typeof passageOf>[0], score: add });
    });
  }
  return [...scores.values()]
    .sort((a, b) => b.score - a.score)
    .map(({ hit, score }) => passageOf(hit, score));
}
