import type {
  EmbeddingModelV4,
  EmbeddingModelV4CallOptions,
  EmbeddingModelV4Result,
} from "@ai-sdk/provider";

/** Options of {@link ScriptedEmbeddingModel}. */
export interface ScriptedEmbeddingModelOptions {
  /** Length of the vectors (default 64). */
  dimensions?: number;
  /** Provider name (default `scripted`): vectors are stored as `<provider>/<modelId>`. */
  provider?: string;
  /** Model id (default `embedding`). */
  modelId?: string;
  /** Words that mean the same, mapped to one word (`{ automobile: "car" }`): a stand-in for semantics. */
  synonyms?: Record<string, string>;
  /** Errors thrown by the first calls, in order (then calls succeed). */
  failures?: unknown[];
  /** Texts per call (default 16). */
  maxEmbeddingsPerCall?: number;
}

/**
 * A deterministic AI SDK embedding model for tests: each text is a bag of its words (lower case,
 * a plural `s` dropped, `synonyms` applied) hashed into `dimensions` buckets. Texts sharing
 * words are close; it makes no network call. Records every call in `calls`.
 */
export class ScriptedEmbeddingModel implements EmbeddingModelV4 {
  readonly specificationVersion = "v4";
  readonly provider: string;
  readonly modelId: string;
  readonly maxEmbeddingsPerCall: number;
  readonly supportsParallelCalls = true;
  readonly dimensions: number;
  /** The texts of each call, in order. */
  readonly calls: string[][] = [];
  private readonly synonyms: Record<string, string>;
  private readonly failures: unknown[];

  constructor(options: ScriptedEmbeddingModelOptions = {}) {
    this.dimensions = options.dimensions ?? 64;
    this.provider = options.provider ?? "scripted";
    this.modelId = options.modelId ?? "embedding";
    this.synonyms = options.synonyms ?? {};
    this.failures = [...(options.failures ?? [])];
    this.maxEmbeddingsPerCall = options.maxEmbeddingsPerCall ?? 16;
  }

  doEmbed(options: EmbeddingModelV4CallOptions): Promise<EmbeddingModelV4Result> {
    this.calls.push(options.values);
    options.abortSignal?.throwIfAborted();
    if (this.failures.length > 0) return Promise.reject(this.failures.shift());
    let tokens = 0;
    const embeddings = options.values.map((text) => {
      const vector = new Array<number>(this.dimensions).fill(0);
      for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
        tokens++;
        const stem = word.length > 3 && word.endsWith("s") ? word.slice(0, -1) : word;
        // Own keys only: "constructor" or "toString" in a text is a word, not the prototype's.
        const canonical = this.synonymOf(stem) ?? this.synonymOf(word) ?? stem;
        vector[hash(canonical) % this.dimensions]! += 1;
      }
      return vector;
    });
    return Promise.resolve({ embeddings, usage: { tokens }, warnings: [] });
  }

  private synonymOf(word: string): string | undefined {
    return Object.hasOwn(this.synonyms, word) ? this.synonyms[word] : undefined;
  }
}

/** FNV-1a of a string. */
function hash(text: string): number {
  let value = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    value ^= text.charCodeAt(index);
    value = Math.imul(value, 0x01000193) >>> 0;
  }
  return value;
}
