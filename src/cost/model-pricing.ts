import { ConfigError } from "../errors/config-error.js";
import {
  picoPerTokenFromPerMillion,
  picoPerTokenFromPerThousand,
  picoToNano,
  nanoToUsd,
} from "../internal/money.js";

/** Token counts a price applies to: the provider-reported {@link Usage} fits. */
export interface PricedUsage {
  /** Prompt tokens, cache reads and cache writes included. */
  inputTokens: number;
  /** Completion tokens, reasoning included. */
  outputTokens: number;
  /** Prompt tokens read from the provider's cache (part of `inputTokens`). */
  cachedInputTokens?: number;
  /** Prompt tokens written to the provider's cache (part of `inputTokens`). */
  cacheWriteTokens?: number;
}

/**
 * Prices of one model, in USD per 1k tokens (`…Per1k`) or per 1M tokens (`…Per1M`): give each
 * price in one form. `input` and `output` are required; cache prices default to the input price.
 */
export interface ModelPricingOptions {
  inputPer1k?: number;
  outputPer1k?: number;
  /** Price of prompt tokens read from the cache. Default: the input price. */
  cachedInputPer1k?: number;
  /** Price of prompt tokens written to the cache. Default: the input price. */
  cacheWritePer1k?: number;
  inputPer1M?: number;
  outputPer1M?: number;
  /** Price of prompt tokens read from the cache. Default: the input price. */
  cachedInputPer1M?: number;
  /** Price of prompt tokens written to the cache. Default: the input price. */
  cacheWritePer1M?: number;
  /**
   * Long-context tiers: when a call's input tokens exceed `aboveInputTokens`, the **whole call**
   * is priced with the tier's prices (how Anthropic, Google and OpenAI bill long prompts).
   */
  tiers?: ModelPricingTierOptions[];
}

/** One long-context tier of {@link ModelPricingOptions.tiers}. */
export interface ModelPricingTierOptions {
  /** The tier applies when the call's input tokens are strictly above this. */
  aboveInputTokens: number;
  /** Prices in the tier (same forms as {@link ModelPricingOptions}, without tiers). */
  prices: Omit<ModelPricingOptions, "tiers">;
}

interface PicoPrices {
  input: number;
  output: number;
  cachedInput: number;
  cacheWrite: number;
}

interface PicoTier {
  aboveInputTokens: number;
  prices: PicoPrices;
}

/**
 * The price of one model. Prices are kept as integer pico-dollars per token, so a price with
 * up to six decimals per 1M tokens is exact and a call's cost is exact to the nano-dollar.
 *
 * @throws {ConfigError} when a price is missing, negative, not finite or given in both forms.
 * @example
 * const pricing = new ModelPricing({ inputPer1k: 0.005, outputPer1k: 0.01 });
 * const same = ModelPricing.per1M({ input: 5, output: 10, cachedInput: 2.5 });
 * pricing.calculateCost({ inputTokens: 1000, outputTokens: 500 }); // 0.01
 */
export class ModelPricing {
  private readonly base: PicoPrices;
  private readonly tiers: PicoTier[];

  constructor(options: ModelPricingOptions) {
    this.base = toPico(options, "");
    this.tiers = (options.tiers ?? [])
      .map((tier, index) => {
        if (!Number.isSafeInteger(tier.aboveInputTokens) || tier.aboveInputTokens < 0) {
          throw new ConfigError(
            `tiers[${index}].aboveInputTokens must be a non-negative integer, got ${tier.aboveInputTokens}.`,
          );
        }
        return {
          aboveInputTokens: tier.aboveInputTokens,
          prices: toPico(tier.prices, `tiers[${index}].prices.`),
        };
      })
      .sort((left, right) => left.aboveInputTokens - right.aboveInputTokens);
  }

  /**
   * Prices in USD per 1M tokens, the form providers publish.
   * @example ModelPricing.per1M({ input: 2.5, output: 10, cachedInput: 1.25 })
   */
  static per1M(prices: {
    input: number;
    output: number;
    cachedInput?: number;
    cacheWrite?: number;
  }): ModelPricing {
    return new ModelPricing({
      inputPer1M: prices.input,
      outputPer1M: prices.output,
      ...(prices.cachedInput === undefined ? {} : { cachedInputPer1M: prices.cachedInput }),
      ...(prices.cacheWrite === undefined ? {} : { cacheWritePer1M: prices.cacheWrite }),
    });
  }

  /**
   * Prices in USD per 1k tokens, the seed's form.
   * @example ModelPricing.per1k({ input: 0.005, output: 0.01 })
   */
  static per1k(prices: {
    input: number;
    output: number;
    cachedInput?: number;
    cacheWrite?: number;
  }): ModelPricing {
    return new ModelPricing({
      inputPer1k: prices.input,
      outputPer1k: prices.output,
      ...(prices.cachedInput === undefined ? {} : { cachedInputPer1k: prices.cachedInput }),
      ...(prices.cacheWrite === undefined ? {} : { cacheWritePer1k: prices.cacheWrite }),
    });
  }

  /**
   * A model that costs nothing (a local model through Ollama or llama.cpp). Register it so
   * the model is priced at $0 on purpose instead of being unpriced.
   * @example registry.register("ollama/", ModelPricing.free())
   */
  static free(): ModelPricing {
    return new ModelPricing({ inputPer1M: 0, outputPer1M: 0 });
  }

  /** USD per 1k input tokens (below any tier). */
  get inputPer1k(): number {
    return this.base.input / 1e9;
  }
  /** USD per 1k output tokens (below any tier). */
  get outputPer1k(): number {
    return this.base.output / 1e9;
  }
  /** USD per 1k cached input tokens (below any tier). */
  get cachedInputPer1k(): number {
    return this.base.cachedInput / 1e9;
  }
  /** USD per 1k cache-write tokens (below any tier). */
  get cacheWritePer1k(): number {
    return this.base.cacheWrite / 1e9;
  }
  /** USD per 1M input tokens (below any tier). */
  get inputPer1M(): number {
    return this.base.input / 1e6;
  }
  /** USD per 1M output tokens (below any tier). */
  get outputPer1M(): number {
    return this.base.output / 1e6;
  }
  /** USD per 1M cached input tokens (below any tier). */
  get cachedInputPer1M(): number {
    return this.base.cachedInput / 1e6;
  }
  /** USD per 1M cache-write tokens (below any tier). */
  get cacheWritePer1M(): number {
    return this.base.cacheWrite / 1e6;
  }
  /** The long-context tiers, as USD per 1M tokens. */
  get tierPrices(): { aboveInputTokens: number; inputPer1M: number; outputPer1M: number }[] {
    return this.tiers.map((tier) => ({
      aboveInputTokens: tier.aboveInputTokens,
      inputPer1M: tier.prices.input / 1e6,
      outputPer1M: tier.prices.output / 1e6,
    }));
  }

  /** The cost of `usage` in USD. */
  calculateCost(usage: PricedUsage): number {
    return nanoToUsd(this.costNano(usage));
  }

  /**
   * The cost of `usage` in integer nano-dollars (1e-9 USD), rounded once to the nearest
   * nano-dollar. Cached reads and cache writes are priced at their own rates; the rest of
   * the input at the input rate. Counts the provider got inconsistent are clamped to `inputTokens`.
   */
  costNano(usage: PricedUsage): number {
    const input = Math.max(0, usage.inputTokens);
    const output = Math.max(0, usage.outputTokens);
    const cacheRead = clamp(usage.cachedInputTokens ?? 0, input);
    const cacheWrite = clamp(usage.cacheWriteTokens ?? 0, input - cacheRead);
    const uncached = input - cacheRead - cacheWrite;
    const prices = this.pricesFor(input);
    const pico =
      uncached * prices.input +
      cacheRead * prices.cachedInput +
      cacheWrite * prices.cacheWrite +
      output * prices.output;
    if (Number.isSafeInteger(pico)) return picoToNano(pico);
    // Past 2^53 pico-dollars (~$9,000 in one call) a plain number is no longer exact.
    const exact =
      BigInt(uncached) * BigInt(prices.input) +
      BigInt(cacheRead) * BigInt(prices.cachedInput) +
      BigInt(cacheWrite) * BigInt(prices.cacheWrite) +
      BigInt(output) * BigInt(prices.output);
    return Number((exact + 500n) / 1000n);
  }

  private pricesFor(inputTokens: number): PicoPrices {
    let prices = this.base;
    const tiers = this.tiers;
    for (let index = 0; index < tiers.length; index++) {
      const tier = tiers[index]!;
      if (inputTokens > tier.aboveInputTokens) prices = tier.prices;
    }
    return prices;
  }
}

function clamp(tokens: number, max: number): number {
  return Math.min(Math.max(0, tokens), max);
}

function toPico(options: Omit<ModelPricingOptions, "tiers">, path: string): PicoPrices {
  const input = price(options, "input", path, undefined);
  const output = price(options, "output", path, undefined);
  return {
    input,
    output,
    cachedInput: price(options, "cachedInput", path, input),
    cacheWrite: price(options, "cacheWrite", path, input),
  };
}

function price(
  options: Omit<ModelPricingOptions, "tiers">,
  name: "input" | "output" | "cachedInput" | "cacheWrite",
  path: string,
  fallback: number | undefined,
): number {
  const per1k = options[`${name}Per1k`];
  const per1M = options[`${name}Per1M`];
  if (per1k !== undefined && per1M !== undefined) {
    throw new ConfigError(`${path}${name}Per1k and ${path}${name}Per1M both given: give one.`);
  }
  const value = per1k ?? per1M;
  if (value === undefined) {
    if (fallback !== undefined) return fallback;
    throw new ConfigError(`${path}${name}Per1k or ${path}${name}Per1M is required.`);
  }
  if (!Number.isFinite(value) || value < 0) {
    throw new ConfigError(
      `${path}${name}${per1k === undefined ? "Per1M" : "Per1k"} must be a finite price >= 0, got ${value}.`,
    );
  }
  return per1k === undefined
    ? picoPerTokenFromPerMillion(value)
    : picoPerTokenFromPerThousand(value);
}
