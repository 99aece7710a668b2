import type { EmbeddingModelV4 } from "@ai-sdk/provider";
import { sleep } from "../internal/clock.js";
import { toProviderError } from "../providers/to-provider-error.js";
import { backoffDelayMs } from "../resilience/backoff.js";
import { isRetryableError } from "../resilience/is-retryable-error.js";
import { resolveRetryPolicy, type RetryPolicyOptions } from "../resilience/retry-policy.js";
import type { Embedder, EmbeddingBatch } from "./embedder.js";

/** Options of {@link embedderOf}. */
export interface EmbedderOptions {
  /** The name vectors are stored under (default `provider/modelId` of the model). */
  name?: string;
  /** Texts per call (default: the model's `maxEmbeddingsPerCall`, else 96). */
  batchSize?: number;
  /** Retries of failed calls (default: 3, exponential backoff, `Retry-After` honoured); `false`: none. */
  retryPolicy?: RetryPolicyOptions | false;
}

/**
 * An {@link Embedder} over an AI SDK embedding model (`openai.embedding(...)`, an
 * OpenAI-compatible server's, `ScriptedEmbeddingModel`): calls in batches, provider errors
 * turned into `ProviderError`, retryable ones retried with the same backoff as model calls.
 */
export function embedderOf(model: EmbeddingModelV4, options: EmbedderOptions = {}): Embedder {
  const provider = model.provider.split(".")[0]!;
  const name = options.name ?? `${provider}/${model.modelId}`;
  const policy =
    options.retryPolicy === false ? undefined : resolveRetryPolicy(undefined, options.retryPolicy);
  const call = async (values: string[], signal?: AbortSignal) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await model.doEmbed({ values, ...(signal ? { abortSignal: signal } : {}) });
      } catch (thrown) {
        const error = toProviderError(thrown, { provider, model: name });
        if (!policy || attempt >= policy.maxRetries || !isRetryableError(error)) throw error;
        const retryAfterMs = (error as { retryAfterMs?: number }).retryAfterMs;
        await sleep(retryAfterMs ?? backoffDelayMs(policy, attempt + 1), signal);
      }
    }
  };
  return {
    name,
    async embed(texts: string[], signal?: AbortSignal): Promise<EmbeddingBatch> {
      const limit = options.batchSize ?? (await model.maxEmbeddingsPerCall) ?? 96;
      const vectors: Float32Array[] = [];
      // undefined when no call reported its tokens (they are then counted, not taken as 0).
      let tokens: number | undefined;
      for (let start = 0; start < texts.length; start += limit) {
        const result = await call(texts.slice(start, start + limit), signal);
        for (const embedding of result.embeddings) vectors.push(Float32Array.from(embedding));
        if (result.usage?.tokens !== undefined) tokens = (tokens ?? 0) + result.usage.tokens;
      }
      return { vectors, tokens };
    },
  };
}

/**
 * The embedding model a name such as `openai/text-embedding-3-small`,
 * `ollama/nomic-embed-text` or `local/<file.gguf>` names, from the built-in providers
 * (`OPENAI_API_KEY`, `OPENAI_BASE_URL`, `OLLAMA_BASE_URL`; local files in process through
 * node-llama-cpp). Other servers: pass `embedderOf(model)`.
 * @throws Error naming the providers that can make embeddings.
 */
export async function embeddingModelFromName(
  name: string,
  env: Record<string, string | undefined> = process.env,
): Promise<EmbeddingModelV4> {
  const slash = name.indexOf("/");
  const provider = name.slice(0, Math.max(0, slash));
  const modelId = name.slice(slash + 1);
  if (provider === "openai") {
    const { createOpenAI } = await import("@ai-sdk/openai");
    return createOpenAI({
      ...(env.OPENAI_API_KEY ? { apiKey: env.OPENAI_API_KEY } : {}),
      ...(env.OPENAI_BASE_URL ? { baseURL: env.OPENAI_BASE_URL } : {}),
    }).embeddingModel(modelId);
  }
  if (provider === "local") {
    const { createLocalEmbeddingModel } =
      await import("../providers/local/local-embedding-model.js");
    return createLocalEmbeddingModel(modelId);
  }
  if (provider === "ollama") {
    const { createOpenAICompatible } = await import("@ai-sdk/openai-compatible");
    return createOpenAICompatible({
      name: "ollama",
      baseURL: env.OLLAMA_BASE_URL ?? "http://127.0.0.1:11434/v1",
    }).embeddingModel(modelId);
  }
  throw new Error(
    `Embedding model "${name}" is not one llmteam can create by name: use openai/<model>, ollama/<model> or local/<file.gguf> (local/demo), or pass an AI SDK embedding model (embedderOf(model)) in TypeScript.`,
  );
}
