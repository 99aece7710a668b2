import type { Embedder } from "../knowledge/embedder.js";
import type { GraphExtractor } from "../knowledge/knowledge-base.js";
import type { CliIO } from "./cli-io.js";

/** Options of `ingest` and `kb` that name models (embeddings, graph extraction). */
export const KNOWLEDGE_MODEL_OPTIONS = {} as const;

/** What the model options give a catalog and an ingest. */
export interface KnowledgeExtras {
  catalog: { embedder?: Embedder };
  graph?: GraphExtractor;
}

/** The embedder and graph extractor the options name (none yet: BM25 only). */
export function knowledgeExtras(_values: object, _io: CliIO): Promise<KnowledgeExtras> {
  return Promise.resolve({ catalog: {} });
}
