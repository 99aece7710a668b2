/** What one embedding call returned. */
export interface EmbeddingBatch {
  vectors: Float32Array[];
  /** Input tokens the provider reported, when it did. */
  tokens?: number | undefined;
}

/**
 * Turns texts into vectors: an AI SDK embedding model behind the model pipeline (see
 * `embedderOf`), or `ScriptedEmbeddingModel` in tests.
 */
export interface Embedder {
  /** The model's name, `provider/model`: stored with the vectors, checked on every use. */
  readonly name: string;
  embed(texts: string[], signal?: AbortSignal): Promise<EmbeddingBatch>;
}
