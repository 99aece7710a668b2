export { KnowledgeBase, RRF_K, fuse } from "./knowledge-base.js";
export type {
  GraphExtractor,
  KnowledgeBaseOptions,
  KnowledgeGraphOptions,
  KnowledgeSearchOptions,
} from "./knowledge-base.js";
export { KnowledgeCatalog, DEFAULT_KNOWLEDGE_DIRECTORY } from "./knowledge-catalog.js";
export type { KnowledgeCatalogOptions } from "./knowledge-catalog.js";
export { SqliteKnowledgeStore } from "./sqlite-knowledge-store.js";
export type { SqliteKnowledgeStoreOptions } from "./sqlite-knowledge-store.js";
export { DEFAULT_MAX_FILE_BYTES } from "./ingest.js";
export type { IngestOptions, IngestProgress, IngestSummary, SkippedFile } from "./ingest.js";
export { CHUNK_DEFAULTS } from "./chunk-document.js";
export type { ChunkOptions } from "./chunk-document.js";
export { formatContext } from "./passages.js";
export type {
  Citation,
  FormatOptions,
  KnowledgeSearchResult,
  Passage,
  RetrievalMode,
} from "./passages.js";
export type { Embedder, EmbeddingBatch } from "./embedder.js";
export type {
  ChunkHit,
  DocumentGraph,
  DocumentInfo,
  GraphEntity,
  GraphFact,
  GraphRelation,
  KnowledgeFilters,
  KnowledgeStats,
  KnowledgeStore,
  StoreSearchOptions,
  StoredChunk,
  StoredDocument,
} from "./knowledge-store.js";
export type { DocumentFormat } from "./loaders/loaded-document.js";
export { embedderOf, embeddingModelFromName } from "./embedding-embedder.js";
export type { EmbedderOptions } from "./embedding-embedder.js";
export { PostgresKnowledgeStore } from "./postgres-knowledge-store.js";
export type { PostgresKnowledgeStoreOptions } from "./postgres-knowledge-store.js";
export { connectPostgresKnowledgeCatalog } from "./postgres-knowledge-catalog.js";
export type { PostgresKnowledgeCatalogOptions } from "./postgres-knowledge-catalog.js";
export { graphExtractorOf, DEFAULT_ENTITY_TYPES } from "./graph-extractor.js";
export type { GraphExtractorOptions } from "./graph-extractor.js";
export { ingest } from "./ingest-function.js";
export type { IngestIntoOptions } from "./ingest-function.js";
