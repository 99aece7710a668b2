/** Where a retrieved passage comes from: what a reader checks. */
export interface Citation {
  /** The document's path, as ingested. */
  document: string;
  title: string;
  /** The chunk's place in its document, from 0. */
  chunk: number;
  /** The headings above the chunk, outermost first. */
  headings: string[];
  /** The page, for paged documents (PDF). */
  page?: number;
  /** The ranking's score (higher is better): BM25, cosine similarity, reciprocal rank fusion, or 1/(1+hops) for graph facts. */
  score: number;
}

/** A fact a knowledge graph walk found (KAG): `source relation target`, `hops` from the question. */
export interface RetrievalFact {
  source: string;
  relation: string;
  target: string;
  hops: number;
  /** The document and chunk the fact was extracted from. */
  document: string;
  chunk: number;
}

/** The data of a `retrieval` event: what a `rag` / `kag` agent (or `knowledge_search`) found. */
export type RetrievalEventData = {
  knowledgeBase: string;
  /** The query as searched (the agent's rendered `query` template). */
  query: string;
  /** How passages were ranked: `bm25`, `vector`, `hybrid`, or `graph` (KAG). */
  mode: string;
  citations: Citation[];
  /** KAG with `includeRelations`: the facts of the graph walk. */
  facts?: RetrievalFact[];
  /** How long the search took (ms, wall time). */
  durationMs?: number;
};
