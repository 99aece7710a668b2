import { existsSync } from "node:fs";
import type { LanguageModelV4 } from "@ai-sdk/provider";
import { ConfigError } from "../errors/config-error.js";
import { interpolateEnv } from "./interpolate-env.js";
import type { ResolvedModel } from "./model-call.js";
import { providerConfigSchema, type ProviderConfig } from "./provider-config.js";

type Env = Record<string, string | undefined>;

/** Providers every registry knows without configuration, and where they read their settings. */
const BUILT_IN_PROVIDERS: Record<
  string,
  { describe: string; config: (env: Env) => ProviderConfig }
> = {
  openai: {
    describe: "OpenAI (reads OPENAI_API_KEY, optional OPENAI_BASE_URL)",
    config: (env) => ({
      type: "openai",
      apiKey: "${OPENAI_API_KEY}",
      ...(env.OPENAI_BASE_URL ? { baseURL: env.OPENAI_BASE_URL } : {}),
    }),
  },
  anthropic: {
    describe: "Anthropic (reads ANTHROPIC_API_KEY, optional ANTHROPIC_BASE_URL)",
    config: (env) => ({
      type: "anthropic",
      apiKey: "${ANTHROPIC_API_KEY}",
      ...(env.ANTHROPIC_BASE_URL ? { baseURL: env.ANTHROPIC_BASE_URL } : {}),
    }),
  },
  ollama: {
    describe:
      "Ollama's OpenAI-compatible server (OLLAMA_BASE_URL, default http://127.0.0.1:11434/v1)",
    config: (env) => ({
      type: "openai-compatible",
      baseURL: env.OLLAMA_BASE_URL ?? "http://127.0.0.1:11434/v1",
    }),
  },
};

/** The in-process provider: `local/<path-to-model.gguf>`, or `local/demo` for the built-in demo model. */
const LOCAL_PROVIDER = "local";

/** Options of {@link ModelRegistry}. */
export interface ModelRegistryOptions {
  /** Providers by name (the part before `/` in a model name). */
  providers?: Record<string, ProviderConfig>;
  /** Ready model instances by full name, e.g. `{ "mine/fast": someLanguageModel }`. */
  models?: Record<string, LanguageModelV4>;
  /** Where `${VAR}` and built-in providers read variables (default `process.env`). */
  env?: Env;
}

/**
 * Turns model names (`"provider/model"`) into AI SDK models. Registered instances win, then
 * configured providers, then the built-in ones (`openai`, `anthropic`, `ollama`, and `local` for
 * GGUF files run in-process, `local/demo` being the built-in demo model).
 * Resolution happens at run start, so a missing key fails before any call is made.
 */
export class ModelRegistry {
  private readonly providers = new Map<string, ProviderConfig>();
  private readonly models = new Map<string, LanguageModelV4>();
  private readonly resolved = new Map<string, Promise<ResolvedModel>>();
  private changes = 0;
  private readonly env: Env;

  constructor(options: ModelRegistryOptions = {}) {
    this.env = options.env ?? process.env;
    for (const [name, config] of Object.entries(options.providers ?? {}))
      this.registerProvider(name, config);
    for (const [name, model] of Object.entries(options.models ?? {})) this.register(name, model);
  }

  /**
   * Registers a ready model under a name agents can use as `model`.
   * @throws ConfigError when `model` is not an AI SDK v4 language model.
   */
  register(name: string, model: LanguageModelV4): this {
    if (
      typeof model !== "object" ||
      model === null ||
      (model as { specificationVersion?: unknown }).specificationVersion !== "v4"
    ) {
      throw new ConfigError(
        `Model "${name}" is not an AI SDK language model of specification v4 (got ${describeModel(model)}). Use a provider from @ai-sdk/* 4.x or later.`,
      );
    }
    this.models.set(name, model);
    this.resolved.delete(name);
    this.changes++;
    return this;
  }

  /**
   * The name of a ready model instance, registering it on first use: the name it is registered
   * under, else `<provider>/<modelId>` (the provider id before its first `.`: an `@ai-sdk/openai`
   * chat model `gpt-4o-mini` is `openai/gpt-4o-mini`), with `@2`, `@3`… added when another
   * instance has that name. The name is what events show and what prices the model.
   * @throws ConfigError when `model` is not an AI SDK v4 language model.
   */
  nameOf(model: LanguageModelV4): string {
    for (const [name, registered] of this.models) if (registered === model) return name;
    const provider = String((model as Partial<LanguageModelV4>).provider ?? "").split(".")[0];
    const base = `${provider || "model"}/${String((model as Partial<LanguageModelV4>).modelId ?? "")}`;
    let name = base;
    for (let index = 2; this.models.has(name); index++) name = `${base}@${index}`;
    this.register(name, model);
    return name;
  }

  /**
   * Declares a provider; models named `"<name>/<model>"` are created from it.
   * @throws ConfigError when the configuration is invalid.
   */
  registerProvider(name: string, config: ProviderConfig): this {
    const parsed = providerConfigSchema.safeParse(config, { reportInput: true });
    if (!parsed.success) {
      throw new ConfigError(
        parsed.error.issues.map((issue) => ({
          path: ["providers", name, ...issue.path.map(String)],
          message: issue.message,
        })),
      );
    }
    this.providers.set(name, config);
    for (const key of this.resolved.keys())
      if (key.startsWith(`${name}/`)) this.resolved.delete(key);
    this.changes++;
    return this;
  }

  /** The registered model instances by name (a copy). */
  instances(): Record<string, LanguageModelV4> {
    return Object.fromEntries(this.models);
  }

  /** Names of registered models and known providers, for error messages. */
  known(): { models: string[]; providers: string[] } {
    return {
      models: [...this.models.keys()],
      providers: [
        ...new Set([...this.providers.keys(), ...Object.keys(BUILT_IN_PROVIDERS), LOCAL_PROVIDER]),
      ],
    };
  }

  /**
   * Counts the changes that may make a name resolve to another model (registrations, failed
   * resolutions): while it stays the same, `resolve(name)` hands out the same promise.
   */
  get version(): number {
    return this.changes;
  }

  /**
   * The model for a name; created once and cached.
   * @throws ConfigError for an unknown provider or a missing API key (naming what to set).
   */
  resolve(name: string): Promise<ResolvedModel> {
    let found = this.resolved.get(name);
    if (!found) {
      found = this.create(name);
      this.resolved.set(name, found);
      found.catch(() => {
        this.resolved.delete(name);
        this.changes++;
      });
    }
    return found;
  }

  /**
   * What is wrong with a model name, checked without creating the model: not of the form
   * `provider/model` (and not registered), or an unknown provider. Undefined when it resolves.
   */
  nameProblem(name: string): string | undefined {
    if (this.models.has(name)) return undefined;
    const slash = name.indexOf("/");
    if (slash <= 0 || slash === name.length - 1) {
      const { models, providers } = this.known();
      return `Model "${name}" is not registered and is not of the form "provider/model". Registered models: ${models.join(", ") || "none"}. Providers: ${providers.join(", ")}.`;
    }
    const providerName = name.slice(0, slash);
    if (providerName === LOCAL_PROVIDER || this.providers.has(providerName)) return undefined;
    if (BUILT_IN_PROVIDERS[providerName]) return undefined;
    return `Unknown provider "${providerName}" in model "${name}". Known providers: ${this.known().providers.join(", ")}. Declare it under "providers:" in the team file, e.g. ${providerName}: { type: openai-compatible, baseURL: "http://127.0.0.1:8080/v1" }.`;
  }

  /**
   * What the environment lacks for a model name: an unset variable its provider reads
   * (`${OPENAI_API_KEY}`), or a missing local GGUF file. Undefined when nothing is missing.
   */
  environmentProblem(name: string): string | undefined {
    if (this.models.has(name) || this.nameProblem(name) !== undefined) return undefined;
    const slash = name.indexOf("/");
    const providerName = name.slice(0, slash);
    const modelId = name.slice(slash + 1);
    if (providerName === LOCAL_PROVIDER && !this.providers.has(LOCAL_PROVIDER)) {
      if (modelId === "demo" || existsSync(modelId)) return undefined;
      return `Local model file not found: ${modelId}. Name a GGUF file as "local/<path-to-model.gguf>" (relative to the working directory or absolute).`;
    }
    const config =
      this.providers.get(providerName) ?? BUILT_IN_PROVIDERS[providerName]!.config(this.env);
    const where = (key: string): string =>
      this.providers.has(providerName)
        ? `providers.${providerName}.${key}`
        : `The ${key} of the built-in provider "${providerName}"`;
    for (const [key, value] of [
      ["apiKey", config.apiKey],
      ["baseURL", config.baseURL],
    ] as const) {
      if (value === undefined) continue;
      try {
        interpolateEnv(value, where(key), this.env);
      } catch (error) {
        return `Model "${name}": ${(error as Error).message}`;
      }
    }
    return undefined;
  }

  private async create(name: string): Promise<ResolvedModel> {
    const instance = this.models.get(name);
    if (instance) return { name, model: instance };
    const problem = this.nameProblem(name);
    if (problem) throw new ConfigError(problem);
    const slash = name.indexOf("/");
    const providerName = name.slice(0, slash);
    const modelId = name.slice(slash + 1);
    if (providerName === LOCAL_PROVIDER && !this.providers.has(LOCAL_PROVIDER)) {
      // A missing file fails here, at run start, whether the run is run() or stream().
      const missing = this.environmentProblem(name);
      if (missing) throw new ConfigError(missing);
      // In-process llama.cpp: `local/<path.gguf>` or `local/demo`; loaded only when used.
      const { localProvider } = await import("./local/index.js");
      return { name, model: localProvider(modelId) };
    }
    const config =
      this.providers.get(providerName) ?? BUILT_IN_PROVIDERS[providerName]!.config(this.env);
    return { name, model: await createModel(providerName, modelId, config, this.env) };
  }
}

async function createModel(
  providerName: string,
  modelId: string,
  config: ProviderConfig,
  env: Env,
): Promise<LanguageModelV4> {
  const where = `providers.${providerName}`;
  const apiKey =
    config.apiKey === undefined ? undefined : interpolateEnv(config.apiKey, `${where}.apiKey`, env);
  const baseURL =
    config.baseURL === undefined
      ? undefined
      : interpolateEnv(config.baseURL, `${where}.baseURL`, env);
  const headers = config.headers;
  switch (config.type) {
    case "openai": {
      const { createOpenAI } = await import("@ai-sdk/openai");
      const provider = createOpenAI({
        ...(apiKey ? { apiKey } : {}),
        ...(baseURL ? { baseURL } : {}),
        ...(headers ? { headers } : {}),
      });
      return openAIApi(config.api, baseURL) === "chat"
        ? provider.chat(modelId)
        : provider.responses(modelId);
    }
    case "anthropic": {
      const { createAnthropic } = await import("@ai-sdk/anthropic");
      return createAnthropic({
        ...(apiKey ? { apiKey } : {}),
        ...(baseURL ? { baseURL } : {}),
        ...(headers ? { headers } : {}),
      })(modelId);
    }
    case "openai-compatible": {
      const { createOpenAICompatible } = await import("@ai-sdk/openai-compatible");
      return createOpenAICompatible({
        name: providerName,
        baseURL: baseURL!,
        includeUsage: true,
        supportsStructuredOutputs: config.structuredOutputs ?? true,
        ...(apiKey ? { apiKey } : {}),
        ...(headers ? { headers } : {}),
      }).chatModel(modelId);
    }
  }
}

/**
 * The API a `type: openai` provider calls: the configured one, else `responses` for OpenAI
 * itself (no `baseURL`, or one on api.openai.com) and `chat` for any other server, since
 * OpenAI-compatible servers (llama.cpp, vLLM, LM Studio, Ollama, gateways) speak chat completions.
 */
export function openAIApi(
  api: "responses" | "chat" | undefined,
  baseURL: string | undefined,
): "responses" | "chat" {
  if (api) return api;
  if (baseURL === undefined) return "responses";
  try {
    return new URL(baseURL).hostname === "api.openai.com" ? "responses" : "chat";
  } catch {
    return "chat";
  }
}

function describeModel(model: unknown): string {
  if (typeof model !== "object" || model === null) return typeof model;
  const version = (model as { specificationVersion?: unknown }).specificationVersion;
  return version === undefined
    ? "an object without specificationVersion"
    : `specification ${JSON.stringify(version)}`;
}
