import type { LanguageModelV4 } from "@ai-sdk/provider";
import { ConfigError } from "../../errors/config-error.js";
import { demoModelPath } from "./demo-model-path.js";
import { createLocalModel, type LocalModelOptions } from "./local-model.js";

/** Model id of the built-in demo model: `local/demo`. */
export const DEMO_MODEL_ID = "demo";

/**
 * The `local` provider: turns the model part of `local/<model>` into a language model running
 * in-process. `<model>` is the path of a GGUF file (relative to the working directory, or
 * absolute), or `demo` for the built-in demo model ({@link demoModelPath}).
 *
 * @param modelId path of a `.gguf` file, or `"demo"`
 * @param options further {@link LocalModelOptions} (context size, threads, concurrency, gpu)
 * @throws ConfigError when `modelId` is empty. A missing file or missing node-llama-cpp is
 *   reported as a ConfigError on the first call (the file is loaded lazily).
 * @example
 * localProvider("models/qwen2.5-0.5b-instruct-q4_k_m.gguf");
 * localProvider("demo");
 */
export function localProvider(
  modelId: string,
  options: Omit<LocalModelOptions, "modelPath" | "modelId"> = {},
): LanguageModelV4 {
  if (modelId.trim() === "") {
    throw new ConfigError(
      'A local model needs a GGUF path: "local/<path-to-model.gguf>", or "local/demo" for the built-in demo model.',
    );
  }
  const modelPath = modelId === DEMO_MODEL_ID ? demoModelPath() : modelId;
  return createLocalModel({ ...options, modelPath, modelId });
}
