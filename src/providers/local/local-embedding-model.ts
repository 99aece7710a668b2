import type {
  EmbeddingModelV4,
  EmbeddingModelV4CallOptions,
  EmbeddingModelV4Result,
} from "@ai-sdk/provider";
import type { LlamaEmbeddingContext } from "node-llama-cpp";
import { demoModelPath } from "./demo-model-path.js";
import { loadLocalModel } from "./load-local-model.js";

/** Options of {@link createLocalEmbeddingModel}. */
export interface LocalEmbeddingModelOptions {
  /** Tokens one text may have (default: the model's training context). */
  contextSize?: number;
  /** CPU threads (default: 1 for small models, else llama.cpp's choice). */
  threads?: number;
}

/**
 * An AI SDK embedding model over a local GGUF file, in process through node-llama-cpp
 * (`local/<path.gguf>`, or `local/demo` for the built-in demo model). Texts are embedded one
 * after another on one embedding context, created on first use.
 * @throws ConfigError (from the first call) when node-llama-cpp or the file is missing.
 */
export function createLocalEmbeddingModel(
  modelPath: string,
  options: LocalEmbeddingModelOptions = {},
): EmbeddingModelV4 {
  const path = modelPath === "demo" ? demoModelPath() : modelPath;
  let context: Promise<LlamaEmbeddingContext> | undefined;
  const open = async (): Promise<LlamaEmbeddingContext> => {
    const loaded = await loadLocalModel(path, {
      gpu: false,
      contextSize: options.contextSize,
      threads: options.threads,
      sequences: 1,
    });
    return loaded.model.createEmbeddingContext({
      ...(options.contextSize === undefined ? {} : { contextSize: options.contextSize }),
      ...(options.threads === undefined ? {} : { threads: options.threads }),
    });
  };
  return {
    specificationVersion: "v4",
    provider: "local",
    modelId: modelPath,
    maxEmbeddingsPerCall: 32,
    supportsParallelCalls: false,
    async doEmbed({
      values,
      abortSignal,
    }: EmbeddingModelV4CallOptions): Promise<EmbeddingModelV4Result> {
      context ??= open().catch((error: unknown) => {
        context = undefined;
        throw error;
      });
      const embedder = await context;
      const embeddings: number[][] = [];
      for (const text of values) {
        abortSignal?.throwIfAborted();
        const { vector } = await embedder.getEmbeddingFor(text);
        embeddings.push([...vector]);
      }
      return { embeddings, warnings: [] };
    },
  };
}
