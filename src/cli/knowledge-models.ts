import type { Embedder } from "../knowledge/embedder.js";
import { embedderOf, embeddingModelFromName } from "../knowledge/embedding-embedder.js";
import { graphExtractorOf } from "../knowledge/graph-extractor.js";
import type { GraphExtractor } from "../knowledge/knowledge-base.js";
import { ModelRegistry } from "../providers/model-registry.js";
import type { CliIO } from "./cli-io.js";
import { UsageError } from "./cli-options.js";

/** Options of `ingest` and `kb` that name models (embeddings, graph extraction). */
export const KNOWLEDGE_MODEL_OPTIONS = {
  "embedding-model": { type: "string" },
  graph: { type: "boolean" },
  model: { type: "string" },
} as const;

/** What the model options give a catalog and an ingest. */
export interface KnowledgeExtras {
  catalog: { embedder?: Embedder };
  graph?: GraphExtractor;
}

/** The embedder (`--embedding-model openai/text-embedding-3-small`) the options name. */
export async function knowledgeExtras(
  values: { "embedding-model"?: string | undefined },
  io: CliIO,
): Promise<KnowledgeExtras> {
  const name = values["embedding-model"];
  if (name === undefined) return { catalog: {} };
  try {
    return {
      catalog: { embedder: embedderOf(await embeddingModelFromName(name, io.env), { name }) },
    };
  } catch (error) {
    throw new UsageError(`--embedding-model: ${(error as Error).message}`);
  }
}
