import type {
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4Content,
  LanguageModelV4GenerateResult,
  LanguageModelV4StreamPart,
  LanguageModelV4StreamResult,
  SharedV4Warning,
} from "@ai-sdk/provider";
import { generateLocal } from "./generate-local.js";
import { loadLocalModel, type LoadedLocalModel, type LoadSettings } from "./load-local-model.js";

/** Options of {@link createLocalModel}. */
export interface LocalModelOptions {
  /** Path of the GGUF file, absolute or relative to the working directory. */
  modelPath: string;
  /** Tokens each generation can see (prompt + answer). Default: the model's training context, at most 4096. */
  contextSize?: number;
  /**
   * CPU threads for evaluation. Default: 1 for models under 100 MB (like the demo model: tiny
   * matrices gain nothing from more threads, which spin-wait on a busy machine), otherwise
   * node-llama-cpp's choice (the machine's cores).
   */
  threads?: number;
  /**
   * Generations that run at once on this model; more callers wait their turn. They share one
   * llama.cpp context (evaluated in the same batches), each with `contextSize` tokens. Default 4.
   */
  concurrency?: number;
  /**
   * Compute backend: `"auto"` uses Metal/CUDA/Vulkan when their binaries are installed and the
   * CPU otherwise; `false` forces the CPU. Default `"auto"`.
   */
  gpu?: "auto" | false | "cuda" | "vulkan" | "metal";
  /** Model id reported by the model (default: the path as given). */
  modelId?: string;
}

/** Defaults of {@link LocalModelOptions}. */
export const LOCAL_MODEL_DEFAULTS = { concurrency: 4, gpu: "auto" } as const;

/**
 * An AI SDK language model (specification v4) that runs a GGUF file in-process on llama.cpp,
 * through node-llama-cpp (an optional dependency, imported on first use). The chat template
 * comes from the file; tool calls, JSON Schema output (enforced by a grammar), stop sequences,
 * temperature and `maxOutputTokens` are supported; usage counts the model's real tokens.
 * The file is loaded once per process and path, on the first call.
 *
 * @param options.modelPath path of the `.gguf` file
 * @param options.contextSize default: the model's training context, at most 4096
 * @param options.concurrency generations at once, default 4
 * @param options.gpu default `"auto"`
 * @throws ConfigError on the first call when node-llama-cpp is missing or the file is not found.
 * @example
 * const model = createLocalModel({ modelPath: demoModelPath() });
 * const result = await model.doGenerate({ prompt: [{ role: "user", content: [{ type: "text", text: "Make a short plan for: learning Python" }] }] });
 */
export function createLocalModel(options: LocalModelOptions): LanguageModelV4 {
  return new LocalLanguageModel(options);
}

class LocalLanguageModel implements LanguageModelV4 {
  readonly specificationVersion = "v4";
  readonly provider = "local";
  readonly modelId: string;
  readonly supportedUrls = {};
  private readonly settings: LoadSettings;

  constructor(private readonly options: LocalModelOptions) {
    this.modelId = options.modelId ?? options.modelPath;
    this.settings = {
      gpu: options.gpu ?? LOCAL_MODEL_DEFAULTS.gpu,
      contextSize: options.contextSize,
      threads: options.threads,
      sequences: options.concurrency ?? LOCAL_MODEL_DEFAULTS.concurrency,
    };
  }

  private load(): Promise<LoadedLocalModel> {
    return loadLocalModel(this.options.modelPath, this.settings);
  }

  async doGenerate(options: LanguageModelV4CallOptions): Promise<LanguageModelV4GenerateResult> {
    const generation = await generateLocal(await this.load(), this.settings, options);
    const content: LanguageModelV4Content[] = [];
    if (generation.text.length > 0) content.push({ type: "text", text: generation.text });
    content.push(...generation.toolCalls);
    return {
      content,
      finishReason: generation.finishReason,
      usage: generation.usage,
      warnings: generation.warnings,
      response: { modelId: this.modelId, timestamp: new Date() },
    };
  }

  async doStream(options: LanguageModelV4CallOptions): Promise<LanguageModelV4StreamResult> {
    options.abortSignal?.throwIfAborted();
    const loaded = await this.load();
    const stopped = new AbortController();
    const signal = options.abortSignal
      ? AbortSignal.any([options.abortSignal, stopped.signal])
      : stopped.signal;
    const textId = "text-0";
    let textStarted = false;
    const stream = new ReadableStream<LanguageModelV4StreamPart>({
      start: (controller) => {
        const onStart = (warnings: SharedV4Warning[]): void => {
          controller.enqueue({ type: "stream-start", warnings });
          controller.enqueue({
            type: "response-metadata",
            modelId: this.modelId,
            timestamp: new Date(),
          });
        };
        const onText = (delta: string): void => {
          if (!textStarted) {
            textStarted = true;
            controller.enqueue({ type: "text-start", id: textId });
          }
          controller.enqueue({ type: "text-delta", id: textId, delta });
        };
        generateLocal(
          loaded,
          this.settings,
          { ...options, abortSignal: signal },
          { onStart, onText },
        ).then(
          (generation) => {
            if (textStarted) controller.enqueue({ type: "text-end", id: textId });
            for (const call of generation.toolCalls) controller.enqueue(call);
            controller.enqueue({
              type: "finish",
              usage: generation.usage,
              finishReason: generation.finishReason,
            });
            controller.close();
          },
          (error: unknown) => {
            if (stopped.signal.aborted) return;
            controller.error(error);
          },
        );
      },
      cancel: (reason) => {
        stopped.abort(reason);
      },
    });
    return { stream };
  }
}
