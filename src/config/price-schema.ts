import * as z from "zod";
import { strictObject } from "./strict-object.js";

const usdPrice = (name: string) =>
  z
    .number({ error: `${name} must be a number of USD.` })
    .nonnegative(`${name} must be >= 0.`)
    .optional();

const priceShape = {
  /** USD per 1,000 input tokens. */
  inputPer1k: usdPrice("inputPer1k"),
  /** USD per 1,000 output tokens. */
  outputPer1k: usdPrice("outputPer1k"),
  /** USD per 1,000 input tokens read from the provider's cache (default: the input price). */
  cachedInputPer1k: usdPrice("cachedInputPer1k"),
  /** USD per 1,000 input tokens written to the provider's cache (default: the input price). */
  cacheWritePer1k: usdPrice("cacheWritePer1k"),
  /** USD per 1M input tokens. */
  inputPer1M: usdPrice("inputPer1M"),
  /** USD per 1M output tokens. */
  outputPer1M: usdPrice("outputPer1M"),
  /** USD per 1M cached input tokens (default: the input price). */
  cachedInputPer1M: usdPrice("cachedInputPer1M"),
  /** USD per 1M cache-write tokens (default: the input price). */
  cacheWritePer1M: usdPrice("cacheWritePer1M"),
};

/**
 * The price of one model as written in configuration: each price per 1k (`inputPer1k`, …) or
 * per 1M tokens (`inputPer1M`, …); input and output are required, cache prices default to the
 * input price; optional long-context `tiers`.
 */
export const modelPriceSchema = strictObject(
  {
    ...priceShape,
    /** Long-context tiers: above `aboveInputTokens` input tokens the whole call is priced at `prices`. */
    tiers: z
      .array(
        strictObject(
          {
            aboveInputTokens: z.number().int().nonnegative(),
            prices: strictObject(priceShape, "a tier's prices"),
          },
          "a price tier",
        ),
      )
      .optional(),
  },
  "a price",
).superRefine((price, context) => {
  checkPrices(price, "", context);
  price.tiers?.forEach((tier, index) =>
    checkPrices(tier.prices, `tiers[${index}].prices.`, context),
  );
});

/** Input and output prices are required, each price in one form (per 1k or per 1M). */
function checkPrices(
  prices: Partial<Record<keyof typeof priceShape, number | undefined>>,
  path: string,
  context: z.RefinementCtx,
): void {
  for (const name of ["input", "output", "cachedInput", "cacheWrite"] as const) {
    const per1k = prices[`${name}Per1k`];
    const per1M = prices[`${name}Per1M`];
    if (per1k !== undefined && per1M !== undefined)
      context.addIssue({
        code: "custom",
        message: `${path}${name}Per1k and ${path}${name}Per1M both given: give one.`,
      });
    else if (per1k === undefined && per1M === undefined && (name === "input" || name === "output"))
      context.addIssue({
        code: "custom",
        message: `${path}${name}Per1k or ${path}${name}Per1M is required.`,
      });
  }
}

/** One model's price as written in configuration. */
export type ModelPriceConfig = z.input<typeof modelPriceSchema>;
