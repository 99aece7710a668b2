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

/** The embedder (`--embedding-model`) and graph extractor (`--graph --model`) the options name. */
export async function knowledgeExtras(
  values: {
    "embedding-model"?: string | undefined;
    graph?: boolean | undefined;
    model?: string | undefined;
  },
  io: CliIO,
): Promise<KnowledgeExtras> {
  const extras: KnowledgeExtras = { catalog: {} };
  const name = values["embedding-model"];
  if (name !== undefined) {
    try {
      extras.catalog.embedder = embedderOf(await embeddingModelFromName(name, io.env), { name });
    } catch (error) {
      throw new UsageError(`--embedding-model: ${(error as Error).message}`);
    }
  }
  if (values.graph) {
    if (values.model === undefined)
      throw new UsageError(
        "--graph needs --model <provider/model>: the model that extracts entities and relations (e.g. openai/gpt-4o-mini, local/demo).",
      );
    extras.graph = graphExtractorOf(await new ModelRegistry({ env: io.env }).resolve(values.model));
  } else if (values.model !== undefined) {
    throw new UsageError("--model names the graph extraction model: use it with --graph.");
  }
  return extras;
}
