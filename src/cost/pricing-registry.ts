import { systemClock, type Clock } from "../internal/clock.js";
import { nanoToUsd } from "../internal/money.js";
import { PRICE_DATA_SOURCE } from "./data/price-data.js";
import { ConfigError } from "../errors/config-error.js";
import { ModelPricing, type ModelPricingOptions, type PricedUsage } from "./model-pricing.js";
import { findInCatalog, isPrefixAtBoundary } from "./price-catalog.js";

/** How a model name was found: see {@link PricingRegistry.lookup}. */
export type PriceMatchKind = "exact" | "provider" | "prefix" | "pattern";

/** The price found for a model name. */
export interface PriceLookup {
  /** The prices in force at the time asked for. */
  pricing: ModelPricing;
  /** `registered`: a price given with `register()`; `catalog`: the bundled genai-prices data. */
  source: "registered" | "catalog";
  /** Which lookup step found it. */
  match: PriceMatchKind;
  /** The registered name, or `provider/modelId` of the catalog entry, that priced the model. */
  matchedName: string;
}

/** Options of {@link PricingRegistry}. */
export interface PricingRegistryOptions {
  /** Use the bundled price catalog after the registered prices. Default `true`. */
  catalog?: boolean;
  /** Clock that decides which dated catalog prices are in force. Default: the system clock. */
  clock?: Clock;
}

/** Version and size of the bundled price catalog. */
export const PRICE_CATALOG = PRICE_DATA_SOURCE;

type CachedLookup = Omit<PriceLookup, "pricing"> & { pricingAt(atMs: number): ModelPricing };

/**
 * Prices of models. Comes with real prices for ~1,500 models of OpenAI, Anthropic, Google,
 * Mistral, xAI, DeepSeek, Bedrock, Azure, OpenRouter and others, from the pinned
 * `@pydantic/genai-prices` data (see {@link PRICE_CATALOG}), and takes your own prices, which win.
 *
 * A model found nowhere is **unpriced**: `calculateCost` returns `undefined`, never `0`.
 *
 * @example
 * const registry = new PricingRegistry();
 * registry.calculateCost("openai/gpt-4o-mini", { inputTokens: 1000, outputTokens: 500 }); // 0.00045
 * registry.register("my-model", new ModelPricing({ inputPer1k: 0.005, outputPer1k: 0.01 }));
 * registry.register("ollama/", ModelPricing.free());
 */
export class PricingRegistry {
  private readonly registered = new Map<string, { name: string; pricing: ModelPricing }>();
  private readonly cache = new Map<string, CachedLookup | null>();
  private readonly useCatalog: boolean;
  private readonly clock: Clock;

  constructor(options: PricingRegistryOptions = {}) {
    this.useCatalog = options.catalog ?? true;
    this.clock = options.clock ?? systemClock;
    // Models run in-process (`local/…`) cost no API money: priced at $0, not unpriced.
    this.register("local/", ModelPricing.free());
  }

  /**
   * Sets the price of a model name. The name also prices longer names that start with it at a
   * `-`, `:`, `@`, `/` or `_` boundary, and a name ending in `/` prices a whole provider
   * (`"ollama/"`). Registered prices win over the catalog. Names are case-insensitive.
   * `pricing` is a {@link ModelPricing} or its options as plain data
   * (`{ inputPer1k, outputPer1k }`), checked here.
   * @throws ConfigError when the name is empty or the price is invalid (what is missing or wrong).
   */
  register(name: string, pricing: ModelPricing | ModelPricingOptions): this {
    if (typeof name !== "string" || name.length === 0) {
      throw new ConfigError(
        `A price is registered under a model name, provider or prefix (a non-empty string), got ${JSON.stringify(name)}.`,
      );
    }
    this.registered.set(name.toLowerCase(), { name, pricing: toModelPricing(name, pricing) });
    this.cache.clear();
    return this;
  }

  /** True when `model` has a price (registered or in the catalog). */
  has(model: string): boolean {
    return this.resolve(model) !== null;
  }

  /**
   * Finds the price of `model`, in this order:
   * 1. a registered name equal to `model`;
   * 2. provider-qualified ↔ bare: `openai/gpt-4o` finds a registered `gpt-4o`, and `gpt-4o`
   *    finds a registered `openai/gpt-4o`;
   * 3. the longest registered name that is a prefix of `model` at a boundary
   *    (`gpt-4o-2024-08-06` → `gpt-4o`), tried on the qualified, then the bare name;
   * 4. the catalog: its own match rules (`pattern`), then the longest catalog name that is a
   *    prefix (`prefix`), in the named provider and its fallbacks, or for a bare name in the
   *    providers whose rule matches it (`gpt-` → OpenAI, `claude` → Anthropic).
   *
   * @param atMs time at which dated prices are taken. Default: the registry's clock.
   * @returns `undefined` when the model is unpriced.
   */
  lookup(model: string, atMs: number = this.clock.now()): PriceLookup | undefined {
    const found = this.resolve(model);
    if (!found) return undefined;
    return {
      pricing: found.pricingAt(atMs),
      source: found.source,
      match: found.match,
      matchedName: found.matchedName,
    };
  }

  /**
   * Cost of `usage` on `model` in USD, or `undefined` when the model is unpriced.
   * @example registry.calculateCost("gpt-4o", { inputTokens: 1000, outputTokens: 100, cachedInputTokens: 600 })
   */
  calculateCost(model: string, usage: PricedUsage, atMs?: number): number | undefined {
    const nano = this.calculateCostNano(model, usage, atMs);
    return nano === undefined ? undefined : nanoToUsd(nano);
  }

  /** Cost of `usage` on `model` in integer nano-dollars (1e-9 USD), or `undefined` when unpriced. */
  calculateCostNano(
    model: string,
    usage: PricedUsage,
    atMs: number = this.clock.now(),
  ): number | undefined {
    // Once per model call: no lookup object, just the price.
    return this.resolve(model)?.pricingAt(atMs).costNano(usage);
  }

  /** The registered names, as given. */
  registeredModels(): string[] {
    return [...this.registered.values()].map((entry) => entry.name);
  }

  private resolve(model: string): CachedLookup | null {
    let found = this.cache.get(model);
    if (found === undefined) {
      found = this.find(model) ?? null;
      if (this.cache.size >= 1024) this.cache.clear();
      this.cache.set(model, found);
    }
    return found;
  }

  private find(model: string): CachedLookup | undefined {
    const lower = model.toLowerCase();
    const slash = lower.indexOf("/");
    const bare = slash === -1 ? undefined : lower.slice(slash + 1);
    const exact = this.registered.get(lower);
    if (exact) return registered(exact, "exact");
    const provider =
      bare === undefined ? this.registeredQualified(lower) : this.registered.get(bare);
    if (provider) return registered(provider, "provider");
    const prefix =
      this.longestPrefix(lower) ?? (bare === undefined ? undefined : this.longestPrefix(bare));
    if (prefix) return registered(prefix, "prefix");
    if (!this.useCatalog) return undefined;
    const providerName = slash === -1 ? undefined : model.slice(0, slash);
    const catalog = findInCatalog(providerName, slash === -1 ? model : model.slice(slash + 1));
    if (!catalog) return undefined;
    return {
      source: "catalog",
      match: catalog.match,
      matchedName: `${catalog.provider}/${catalog.modelId}`,
      pricingAt: catalog.pricingAt,
    };
  }

  private registeredQualified(bare: string): { name: string; pricing: ModelPricing } | undefined {
    for (const [key, entry] of this.registered) {
      const slash = key.indexOf("/");
      if (slash !== -1 && key.slice(slash + 1) === bare) return entry;
    }
    return undefined;
  }

  private longestPrefix(name: string): { name: string; pricing: ModelPricing } | undefined {
    let best: { name: string; pricing: ModelPricing } | undefined;
    let bestLength = 0;
    for (const [key, entry] of this.registered) {
      if (key.length > bestLength && isPrefixAtBoundary(key, name)) {
        best = entry;
        bestLength = key.length;
      }
    }
    return best;
  }
}

/** `pricing` as a {@link ModelPricing}: kept when it is one, else built (and checked) from plain data. */
function toModelPricing(name: string, pricing: unknown): ModelPricing {
  // A ModelPricing of another copy of llmteam is used as it is.
  if (pricing instanceof ModelPricing || typeof (pricing as ModelPricing)?.costNano === "function")
    return pricing as ModelPricing;
  if (typeof pricing !== "object" || pricing === null || Array.isArray(pricing)) {
    throw new ConfigError(
      `The price of "${name}" must be a ModelPricing or an object such as { inputPer1k, outputPer1k }, got ${pricing === null ? "null" : Array.isArray(pricing) ? "an array" : typeof pricing}.`,
    );
  }
  try {
    return new ModelPricing(pricing);
  } catch (error) {
    if (!ConfigError.isInstance(error)) throw error;
    throw new ConfigError(`Invalid price of "${name}": ${error.message}`, { cause: error });
  }
}

function registered(
  entry: { name: string; pricing: ModelPricing },
  match: PriceMatchKind,
): CachedLookup {
  return { source: "registered", match, matchedName: entry.name, pricingAt: () => entry.pricing };
}
