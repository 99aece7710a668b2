import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import type { ChatWrapper, Llama, LlamaGrammar, LlamaModel } from "node-llama-cpp";
import { ConfigError } from "../../errors/config-error.js";
import { SequencePool } from "./sequence-pool.js";

type NodeLlamaCpp = typeof import("node-llama-cpp");

/** Settings that decide how a model file is loaded and run. */
export interface LoadSettings {
  gpu: "auto" | false | "cuda" | "vulkan" | "metal";
  contextSize: number | undefined;
  threads: number | undefined;
  sequences: number;
}

/** A model file loaded once per process, shared by every `createLocalModel` for its path. */
export interface LoadedLocalModel {
  module: NodeLlamaCpp;
  llama: Llama;
  model: LlamaModel;
  chatWrapper: ChatWrapper;
  /** Sequences to generate with, for these context settings. */
  pool(settings: LoadSettings): SequencePool;
  /** The grammar for a JSON Schema (or any JSON when undefined), built once per schema. */
  grammar(schema: object | undefined): Promise<LlamaGrammar>;
}

/** Models smaller than this run on one thread unless `threads` is set. */
export const SMALL_MODEL_BYTES = 100 * 1024 * 1024;

/** The install command printed when node-llama-cpp is missing. */
export const INSTALL_HINT = "npm install -E node-llama-cpp@3.21.1";

let modulePromise: Promise<NodeLlamaCpp> | undefined;
const llamas = new Map<string, Promise<Llama>>();
const models = new Map<string, Promise<LoadedLocalModel>>();

/** Counts real model loads, for tests that check loading happens once. */
export const loadCounter = { loads: 0 };

/**
 * Imports node-llama-cpp on first use, so `import("llmteam")` stays light.
 * @throws ConfigError naming the package to install when it is missing.
 */
export function importNodeLlamaCpp(): Promise<NodeLlamaCpp> {
  modulePromise ??= import("node-llama-cpp").catch((error: unknown) => {
    modulePromise = undefined;
    throw new ConfigError(
      `Local models need the optional package node-llama-cpp, which is not installed. Install it with: ${INSTALL_HINT} (see docs/local-models.md for a CPU-only install).`,
      { cause: error },
    );
  });
  return modulePromise;
}

/**
 * Loads a GGUF file once per process and path: concurrent and later callers share the same
 * promise. A failed load is forgotten, so a later call can try again.
 * @throws ConfigError when the file is missing or llama.cpp cannot run on this machine.
 */
export function loadLocalModel(
  modelPath: string,
  settings: LoadSettings,
): Promise<LoadedLocalModel> {
  const absolutePath = resolve(modelPath);
  const key = `${absolutePath}\u0000${String(settings.gpu)}`;
  let loaded = models.get(key);
  if (!loaded) {
    loaded = load(absolutePath, settings);
    models.set(key, loaded);
    loaded.catch(() => models.delete(key));
  }
  return loaded;
}

async function load(modelPath: string, settings: LoadSettings): Promise<LoadedLocalModel> {
  const module = await importNodeLlamaCpp();
  const fileStat = await stat(modelPath).catch(() => undefined);
  if (!fileStat?.isFile()) {
    throw new ConfigError(
      `Local model file not found: ${modelPath}. Name a GGUF file as "local/<path-to-model.gguf>" (relative to the working directory or absolute).`,
    );
  }
  const llama = await getLlamaOnce(module, settings.gpu);
  let model: LlamaModel;
  try {
    loadCounter.loads++;
    model = await llama.loadModel({ modelPath });
  } catch (error) {
    throw new ConfigError(
      `Cannot load local model ${modelPath}: ${error instanceof Error ? error.message : String(error)}. Is it a GGUF file?`,
      { cause: error },
    );
  }
  const chatWrapper = module.resolveChatWrapper(model);
  // Tiny models run fastest on one thread: their matrices are too small to share, and extra
  // threads spin-wait (measured on a busy 2-core machine: 8,300 tokens/s on 1 thread, 25 on 2).
  const defaultThreads = fileStat.size < SMALL_MODEL_BYTES ? 1 : undefined;
  const pools = new Map<string, SequencePool>();
  const grammars = new Map<string, Promise<LlamaGrammar>>();
  return {
    module,
    llama,
    model,
    chatWrapper,
    pool(poolSettings) {
      const contextSize = Math.min(
        poolSettings.contextSize ?? Math.min(model.trainContextSize, 4096),
        model.trainContextSize,
      );
      const threads = poolSettings.threads ?? defaultThreads;
      const poolKey = `${contextSize}:${threads ?? "auto"}:${poolSettings.sequences}`;
      let pool = pools.get(poolKey);
      if (!pool) {
        pool = new SequencePool(
          () =>
            model.createContext({
              contextSize,
              sequences: poolSettings.sequences,
              ...(threads !== undefined ? { threads } : {}),
            }),
          poolSettings.sequences,
        );
        pools.set(poolKey, pool);
      }
      return pool;
    },
    grammar(schema) {
      const grammarKey = schema === undefined ? "" : JSON.stringify(schema);
      let grammar = grammars.get(grammarKey);
      if (!grammar) {
        grammar =
          schema === undefined
            ? llama.getGrammarFor("json")
            : llama.createGrammarForJsonSchema(schema as never);
        grammars.set(grammarKey, grammar);
        grammar.catch(() => grammars.delete(grammarKey));
      }
      return grammar;
    },
  };
}

function getLlamaOnce(module: NodeLlamaCpp, gpu: LoadSettings["gpu"]): Promise<Llama> {
  const key = String(gpu);
  let llama = llamas.get(key);
  if (!llama) {
    llama = module
      .getLlama({ gpu, build: "never", progressLogs: false })
      .catch((error: unknown) => {
        llamas.delete(key);
        throw new ConfigError(
          `node-llama-cpp has no working prebuilt llama.cpp binary for ${process.platform}-${process.arch}${gpu === false ? " (CPU)" : ` (gpu: ${String(gpu)})`}: ${error instanceof Error ? error.message : String(error)}. Reinstall with ${INSTALL_HINT}, or build llama.cpp with "npx --no node-llama-cpp source build".`,
          { cause: error },
        );
      });
    llamas.set(key, llama);
  }
  return llama;
}
