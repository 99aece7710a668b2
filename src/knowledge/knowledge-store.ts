import type { DocumentFormat } from "./loaders/loaded-document.js";

/** A document as a knowledge base keeps it. */
export interface StoredDocument {
  /** Where it came from (a path as given to ingest, relative when it was): its identity. */
  path: string;
  title: string;
  format: DocumentFormat;
  /** SHA-256 of the file's bytes: unchanged content is not ingested again. */
  hash: string;
  bytes: number;
  /** Metadata that `filters` match: `path`, `title`, `format`, plus what ingest was given. */
  metadata: Record<string, string | number | boolean>;
}

/** A chunk to store with its document. */
export interface StoredChunk {
  position: number;
  text: string;
  headings: string[];
  page?: number;
  tokens: number;
  /** Its embedding, when the knowledge base has an embedding model. */
  embedding?: Float32Array;
}

/** A document's summary in a listing. */
export interface DocumentInfo {
  path: string;
  title: string;
  format: DocumentFormat;
  hash: string;
  bytes: number;
  chunks: number;
  tokens: number;
  ingestedAt: number;
}

/** A chunk a search found, with where it comes from. */
export interface ChunkHit {
  chunkId: number;
  path: string;
  title: string;
  position: number;
  text: string;
  headings: string[];
  page?: number;
  /** The ranking's score: higher is better (BM25 for text, cosine similarity for vectors). */
  score: number;
}

/** Equality filters on document metadata: every key must match (an array: any of its values). */
export type KnowledgeFilters = Record<
  string,
  string | number | boolean | (string | number | boolean)[]
>;

/** What a search is limited to. */
export interface StoreSearchOptions {
  limit: number;
  filters?: KnowledgeFilters | undefined;
}

/** Totals of a knowledge base. */
export interface KnowledgeStats {
  documents: number;
  chunks: number;
  tokens: number;
  /** Chunks that have an embedding. */
  embeddedChunks: number;
  /** Bytes the store takes (the SQLite file; the tables' size in Postgres). */
  sizeBytes: number;
}

/** An entity of the knowledge graph (KAG). */
export interface GraphEntity {
  name: string;
  type: string;
}

/** A relation between two entities, found in a chunk. */
export interface GraphRelation {
  source: string;
  relation: string;
  target: string;
}

/** The graph of one document: entities and relations, each with the chunk (position) it was found in. */
export interface DocumentGraph {
  entities: (GraphEntity & { position: number })[];
  relations: (GraphRelation & { position: number })[];
}

/** A fact the graph walk found: a relation, how many hops from the question's entities, its source. */
export interface GraphFact extends GraphRelation {
  hops: number;
  sourceType: string;
  targetType: string;
  chunkId: number;
  path: string;
  position: number;
}

/**
 * Where a knowledge base keeps its documents, chunks, vectors and graph: one SQLite file, or
 * Postgres tables shared by many processes. Every write of one document is one transaction.
 */
export interface KnowledgeStore {
  readonly kind: "sqlite" | "postgres";
  /** The stored hash of a document, or undefined when it is not stored. */
  documentHash(path: string): Promise<string | undefined>;
  /** Stores a document with its chunks (and graph), replacing what the path had: all or nothing. */
  replaceDocument(
    document: StoredDocument,
    chunks: StoredChunk[],
    graph?: DocumentGraph,
  ): Promise<void>;
  /** Removes documents by path; returns how many were removed. */
  removeDocuments(paths: readonly string[]): Promise<number>;
  listDocuments(): Promise<DocumentInfo[]>;
  /** Lexical search (BM25 over the chunks' text, headings and title). */
  searchText(terms: readonly string[], options: StoreSearchOptions): Promise<ChunkHit[]>;
  /** Exact nearest neighbours by cosine similarity. */
  searchVector(vector: Float32Array, options: StoreSearchOptions): Promise<ChunkHit[]>;
  /** Chunks by id, in the order given (score 0). */
  getChunks(ids: readonly number[]): Promise<ChunkHit[]>;
  /** Entities whose names occur among `terms` (case-insensitive), up to `limit`. */
  findEntities(
    terms: readonly string[],
    types: readonly string[] | undefined,
    limit: number,
  ): Promise<GraphEntity[]>;
  /** Relations reachable from `entities` in up to `maxHops` hops, nearest first. */
  walkGraph(entities: readonly string[], maxHops: number, limit: number): Promise<GraphFact[]>;
  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;
  stats(): Promise<KnowledgeStats>;
  /**
   * Removes everything of this knowledge base, for stores whose tables hold many bases
   * (Postgres); a SQLite base is dropped by deleting its file.
   */
  drop?(): Promise<void>;
  close(): Promise<void>;
}
