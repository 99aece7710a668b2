import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { chunkDocument, CHUNK_DEFAULTS, type ChunkOptions } from "./chunk-document.js";
import { collectFiles, type FileToIngest } from "./collect-files.js";
import type {
  DocumentGraph,
  GraphEntity,
  GraphRelation,
  KnowledgeStore,
  StoredChunk,
} from "./knowledge-store.js";
import type { EmbeddingBatch } from "./embedder.js";
import { loadDocument } from "./loaders/load-document.js";
import { SkippedDocument } from "./loaders/loaded-document.js";
import type { Tokenizer } from "./tokenizer.js";
import type { PricingRegistry } from "../cost/pricing-registry.js";

/** The default size limit of one file: 20 MiB. */
export const DEFAULT_MAX_FILE_BYTES = 20 * 1024 * 1024;

/** What happened to one file. */
export type IngestFileStatus = "ingested" | "unchanged" | "skipped";

/** Progress of an ingest, after each file. */
export interface IngestProgress {
  done: number;
  total: number;
  path: string;
  status: IngestFileStatus;
  chunks: number;
}

/** A file that was not ingested, and why. */
export interface SkippedFile {
  path: string;
  reason: string;
}

/** What an ingest did. */
export interface IngestSummary {
  /** Files found in the inputs. */
  files: number;
  /** Files stored (new or changed). */
  ingested: number;
  /** Files whose content was stored already (no-op). */
  unchanged: number;
  /** Documents removed because their files are gone (`sync`). */
  removed: number;
  /** Files not ingested, each with the reason; the ingest goes on past them. */
  skipped: SkippedFile[];
  /** Chunks written. */
  chunks: number;
  /** Tokens of the chunks written. */
  tokens: number;
  /**
   * Input tokens of the embedding calls, as the provider reported them (counted with the
   * o200k tokenizer when it reported none); 0 without embeddings.
   */
  embeddingTokens: number;
  /**
   * What the embedding calls cost, in USD, at the embedding model's price (the bundled
   * catalog's or one registered in `pricing`); `undefined` when the model has no price (see
   * `embeddingUnpriced`) or nothing was embedded.
   */
  embeddingCostUsd?: number | undefined;
  /** True when the embedding model has no known price: the cost is unknown, not $0. */
  embeddingUnpriced?: boolean;
  durationMs: number;
}

/** What an ingest reads and how it chunks (see `KnowledgeBase.ingest`). */
export interface IngestOptions {
  /** Remove documents of the knowledge base that are not among the inputs' files (default false). */
  sync?: boolean;
  /** Files larger than this are skipped (default 20 MiB). */
  maxFileBytes?: number;
  /** Chunk size and overlap in tokens (default 400 and 50). */
  chunking?: ChunkOptions;
  /** Metadata added to every document of this ingest (for `filters`). */
  metadata?: Record<string, string | number | boolean>;
  /** Called after each file. */
  onProgress?: (progress: IngestProgress) => void;
  /** Where relative inputs and stored paths start (default `process.cwd()`). */
  cwd?: string;
  /** Prices the embedding calls (default: a registry of the bundled catalog). */
  pricing?: PricingRegistry;
  signal?: AbortSignal;
}

/** What an ingest needs besides its options: the store, the tokenizer, optional embeddings and graph extraction. */
export interface IngestParts {
  store: KnowledgeStore;
  tokenizer: Tokenizer;
  /** Embeds chunk texts (when the knowledge base has an embedding model). */
  embed?: (texts: string[], signal?: AbortSignal) => Promise<EmbeddingBatch>;
  /** Extracts entities and relations of one chunk (KAG, `graph: true`). */
  extractGraph?: (
    text: string,
    signal?: AbortSignal,
  ) => Promise<{ entities: GraphEntity[]; relations: GraphRelation[] }>;
  /** A string naming the settings that shape the stored chunks (changing it re-ingests). */
  settingsKey: string;
}

/**
 * Ingests files, folders and globs into a knowledge base: each file is read, chunked and
 * stored in one transaction; a file whose content (and chunk settings) is stored already is
 * skipped as unchanged; unreadable, binary, badly encoded and too large files are skipped with
 * the reason.
 */
export async function ingestFiles(
  inputs: readonly string[],
  parts: IngestParts,
  options: IngestOptions = {},
): Promise<IngestSummary> {
  const started = performance.now();
  const cwd = options.cwd ?? process.cwd();
  const { files, missing } = await collectFiles(inputs, cwd);
  const summary: IngestSummary = {
    files: files.length,
    ingested: 0,
    unchanged: 0,
    removed: 0,
    skipped: missing.map((path) => ({ path, reason: "no such file, folder or glob match" })),
    chunks: 0,
    tokens: 0,
    embeddingTokens: 0,
    durationMs: 0,
  };
  for (const [index, file] of files.entries()) {
    options.signal?.throwIfAborted();
    const outcome = await ingestFile(file, parts, options).catch((error: unknown) => ({
      reason: `failed: ${(error as Error).message}`,
    }));
    let status: IngestFileStatus;
    let chunks = 0;
    if ("reason" in outcome) {
      summary.skipped.push({ path: file.path, reason: outcome.reason });
      status = "skipped";
    } else if (outcome.unchanged) {
      summary.unchanged++;
      status = "unchanged";
    } else {
      summary.ingested++;
      summary.chunks += chunks = outcome.chunks;
      summary.tokens += outcome.tokens;
      summary.embeddingTokens += outcome.embeddingTokens;
      status = "ingested";
    }
    options.onProgress?.({ done: index + 1, total: files.length, path: file.path, status, chunks });
  }
  if (options.sync) {
    const kept = new Set(files.map((file) => file.path));
    const gone = (await parts.store.listDocuments()).filter((document) => !kept.has(document.path));
    summary.removed = await parts.store.removeDocuments(gone.map((document) => document.path));
  }
  summary.durationMs = Math.round(performance.now() - started);
  return summary;
}

type FileOutcome =
  | { reason: string }
  | { unchanged: true }
  | { unchanged: false; chunks: number; tokens: number; embeddingTokens: number };

async function ingestFile(
  file: FileToIngest,
  parts: IngestParts,
  options: IngestOptions,
): Promise<FileOutcome> {
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const info = await stat(file.absolutePath);
  if (info.size > maxFileBytes)
    return {
      reason: `too large (${info.size} bytes; the limit is ${maxFileBytes}, see maxFileBytes)`,
    };
  const bytes = await readFile(file.absolutePath);
  const hash = createHash("sha256").update(bytes).update(parts.settingsKey).digest("hex");
  if ((await parts.store.documentHash(file.path)) === hash) return { unchanged: true };
  const document = await loadDocument(file.path, bytes);
  if (document instanceof SkippedDocument) return { reason: document.reason };
  const pieces = chunkDocument(document, parts.tokenizer, options.chunking ?? CHUNK_DEFAULTS);
  if (pieces.length === 0) return { reason: "no text in it" };
  const chunks: StoredChunk[] = pieces;
  let embeddingTokens = 0;
  if (parts.embed) {
    const { vectors, tokens } = await parts.embed(
      pieces.map((piece) => embeddingText(document.title, piece)),
      options.signal,
    );
    pieces.forEach((piece, index) => ((chunks[index] as StoredChunk).embedding = vectors[index]!));
    embeddingTokens = tokens ?? 0;
  }
  const graph = parts.extractGraph ? await extractAll(pieces, parts, options.signal) : undefined;
  await parts.store.replaceDocument(
    {
      path: file.path,
      title: document.title,
      format: document.format,
      hash,
      bytes: bytes.length,
      metadata: {
        ...options.metadata,
        path: file.path,
        title: document.title,
        format: document.format,
      },
    },
    chunks,
    graph,
  );
  return {
    unchanged: false,
    chunks: chunks.length,
    tokens: chunks.reduce((sum, chunk) => sum + chunk.tokens, 0),
    embeddingTokens,
  };
}

/** What is embedded of a chunk: its document's title and headings give the text its context. */
export function embeddingText(title: string, chunk: { headings: string[]; text: string }): string {
  return [title, ...chunk.headings, chunk.text].join("\n");
}

async function extractAll(
  pieces: { text: string; position: number }[],
  parts: IngestParts,
  signal: AbortSignal | undefined,
): Promise<DocumentGraph> {
  const entities: DocumentGraph["entities"] = [];
  const relations: (GraphRelation & { position: number })[] = [];
  for (const piece of pieces) {
    const found = await parts.extractGraph!(piece.text, signal);
    entities.push(...found.entities.map((entity) => ({ ...entity, position: piece.position })));
    relations.push(
      ...found.relations.map((relation) => ({ ...relation, position: piece.position })),
    );
  }
  return { entities, relations };
}
