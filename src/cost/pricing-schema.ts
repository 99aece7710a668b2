import * as z from "zod";
import { modelPriceSchema, type ModelPriceConfig } from "../config/price-schema.js";
import type { ModelPricingOptions } from "./model-pricing.js";
import type { PricingRegistry } from "./pricing-registry.js";

/**
 * Declared prices by model name (`pricing:` of a team file): the name may be a full model name
 * (`lab/qwen2.5-7b`), a prefix (`lab/qwen` prices `lab/qwen-…`) or a provider (`lab/`).
 */
export const pricingConfigSchema = z.record(
  z.string().min(1, "A priced model name must not be empty."),
  modelPriceSchema,
  {
    error:
      'pricing must map model names to prices, e.g. { "lab/qwen": { inputPer1M: 0.2, outputPer1M: 0.6 } }.',
  },
);

/** Declared prices by model name, as written in configuration. */
export type PricingConfig = z.input<typeof pricingConfigSchema>;

/**
 * Registers a team's declared prices: each provider's `pricing` as the price of every model of
 * that provider (`<name>/`), then the `pricing:` entries by model name (more specific, so they
 * win for the models they name).
 */
export function registerDeclaredPrices(
  registry: PricingRegistry,
  pricing: PricingConfig | undefined,
  providers: Record<string, { pricing?: ModelPriceConfig | undefined }> | undefined,
): void {
  for (const [name, provider] of Object.entries(providers ?? {}))
    if (provider.pricing) registry.register(`${name}/`, provider.pricing as ModelPricingOptions);
  for (const [name, price] of Object.entries(pricing ?? {}))
    registry.register(name, price as ModelPricingOptions);
}
