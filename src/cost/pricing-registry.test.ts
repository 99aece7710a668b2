import { describe, expect, it } from "vitest";
import { FakeClock } from "llmteam/testing";
import { ConfigError } from "../errors/config-error.js";
import { ModelPricing, PRICE_CATALOG, PricingRegistry } from "./index.js";

const AT = Date.UTC(2026, 9, 1, 12); // 2026-10-01 12:00 UTC
const registry = new PricingRegistry({ clock: new FakeClock(AT) });

describe("PricingRegistry with the bundled catalog", () => {
  it("is pinned to @pydantic/genai-prices 0.1.8", () => {
    expect(PRICE_CATALOG).toMatchObject({ package: "@pydantic/genai-prices", version: "0.1.8" });
    expect(PRICE_CATALOG.models).toBeGreaterThan(1_000);
  });

  it("prices gpt-4o-mini exactly, bare and provider-qualified", () => {
    // $0.15 / 1M input, $0.60 / 1M output
    expect(registry.calculateCost("gpt-4o-mini", { inputTokens: 1000, outputTokens: 500 })).toBe(
      0.00045,
    );
    expect(
      registry.calculateCost("openai/gpt-4o-mini", { inputTokens: 1000, outputTokens: 500 }),
    ).toBe(0.00045);
  });

  it("prices cached input at the cached price", () => {
    // gpt-4o: $2.50 input, $1.25 cached, $10 output per 1M: 400 × 2.5 + 600 × 1.25 + 100 × 10 = 2,750 µ$
    const usage = { inputTokens: 1000, cachedInputTokens: 600, outputTokens: 100 };
    expect(registry.calculateCost("openai/gpt-4o", usage)).toBe(0.00275);
  });

  it("prices Anthropic cache reads and cache writes at their own rates", () => {
    // claude-sonnet-4-5: $3 input, $0.30 cache read, $3.75 cache write, $15 output per 1M
    const usage = {
      inputTokens: 10_000,
      cachedInputTokens: 2_000,
      cacheWriteTokens: 3_000,
      outputTokens: 1_000,
    };
    // 5,000 × 3 + 2,000 × 0.3 + 3,000 × 3.75 + 1,000 × 15 = 41,850 µ$
    expect(registry.calculateCost("anthropic/claude-sonnet-4-5-20250929", usage)).toBe(0.04185);
  });

  it("prices a whole long-context call at its tier", () => {
    // gemini-2.5-pro above 200k input tokens: $2.50 input, $15 output per 1M
    expect(
      registry.calculateCost("google/gemini-2.5-pro", {
        inputTokens: 250_000,
        outputTokens: 1_000,
      }),
    ).toBe(0.64);
    expect(
      registry.calculateCost("google/gemini-2.5-pro", {
        inputTokens: 200_000,
        outputTokens: 1_000,
      }),
    ).toBe(0.26);
  });

  it("finds dated snapshots by the catalog's rules, then by the longest prefix", () => {
    expect(registry.lookup("gpt-4o-2024-08-06")).toMatchObject({
      matchedName: "openai/gpt-4o",
      match: "pattern",
    });
    const future = registry.lookup("openai/gpt-4o-2099-01-01");
    expect(future).toMatchObject({
      matchedName: "openai/gpt-4o",
      match: "prefix",
      source: "catalog",
    });
    expect(future?.pricing.inputPer1M).toBe(2.5);
  });

  it("maps AI SDK provider names to the catalog's providers and their fallbacks", () => {
    expect(registry.lookup("xai/grok-4")?.matchedName).toMatch(/^x-ai\//);
    expect(
      registry.lookup("amazon-bedrock/anthropic.claude-3-5-sonnet-20241022-v2:0")?.matchedName,
    ).toMatch(/^aws\//);
    expect(registry.lookup("azure/gpt-4o")?.matchedName).toBe("openai/gpt-4o");
  });

  it("takes the price in force at the call's time", () => {
    // OpenAI cut o3 from $10/$40 to $2/$8 per 1M on 2025-06-10.
    const usage = { inputTokens: 1_000_000, outputTokens: 0 };
    expect(registry.calculateCost("openai/o3", usage, Date.UTC(2025, 5, 9))).toBe(10);
    expect(registry.calculateCost("openai/o3", usage, Date.UTC(2025, 5, 10))).toBe(2);
  });

  it("applies time-of-day prices (DeepSeek peak hours)", () => {
    const usage = { inputTokens: 1_000_000, outputTokens: 0 };
    expect(registry.calculateCost("deepseek/deepseek-chat", usage, Date.UTC(2026, 0, 5, 12))).toBe(
      0.27,
    );
    expect(registry.calculateCost("deepseek/deepseek-chat", usage, Date.UTC(2026, 0, 5, 20))).toBe(
      0.135,
    );
  });

  it("leaves unknown models unpriced, never $0", () => {
    expect(
      registry.calculateCost("ollama/llama3", { inputTokens: 1000, outputTokens: 1000 }),
    ).toBeUndefined();
    expect(registry.lookup("totally-unknown-model")).toBeUndefined();
    expect(registry.has("ollama/llama3")).toBe(false);
  });
});

describe("PricingRegistry.register", () => {
  it("prices a registered model (the seed's example)", () => {
    const own = new PricingRegistry({ catalog: false });
    own.register("my-model", new ModelPricing({ inputPer1k: 0.005, outputPer1k: 0.01 }));
    expect(own.calculateCost("my-model", { inputTokens: 1000, outputTokens: 500 })).toBe(0.01);
  });

  it("looks up exact, then provider-qualified both ways, then the longest prefix", () => {
    const own = new PricingRegistry({ catalog: false });
    own.register("gpt-4o", ModelPricing.per1M({ input: 1, output: 1 }));
    own.register("gpt-4o-mini", ModelPricing.per1M({ input: 2, output: 2 }));
    own.register("acme/widget", ModelPricing.per1M({ input: 3, output: 3 }));
    expect(own.lookup("gpt-4o-mini")).toMatchObject({ match: "exact", matchedName: "gpt-4o-mini" });
    expect(own.lookup("openai/gpt-4o-mini")).toMatchObject({
      match: "provider",
      matchedName: "gpt-4o-mini",
    });
    expect(own.lookup("widget")).toMatchObject({ match: "provider", matchedName: "acme/widget" });
    expect(own.lookup("gpt-4o-mini-2024-07-18")).toMatchObject({
      match: "prefix",
      matchedName: "gpt-4o-mini",
    });
    expect(own.lookup("openai/gpt-4o-2024-08-06")).toMatchObject({
      match: "prefix",
      matchedName: "gpt-4o",
    });
  });

  it("matches a prefix only at a name boundary", () => {
    const own = new PricingRegistry({ catalog: false });
    own.register("gpt-4", ModelPricing.per1M({ input: 30, output: 60 }));
    expect(own.lookup("gpt-4o")).toBeUndefined();
    expect(own.lookup("gpt-4-0613")?.matchedName).toBe("gpt-4");
  });

  it("prices a whole provider with a name ending in /", () => {
    const own = new PricingRegistry();
    own.register("ollama/", ModelPricing.free());
    expect(own.calculateCost("ollama/llama3", { inputTokens: 1000, outputTokens: 1000 })).toBe(0);
  });

  it("wins over the catalog", () => {
    const own = new PricingRegistry();
    own.register("openai/gpt-4o", ModelPricing.per1M({ input: 1, output: 1 }));
    expect(own.calculateCost("openai/gpt-4o", { inputTokens: 1_000_000, outputTokens: 0 })).toBe(1);
  });
});

describe("ModelPricing", () => {
  it("converts between per-1k and per-1M prices", () => {
    const pricing = new ModelPricing({
      inputPer1k: 0.0025,
      outputPer1M: 10,
      cachedInputPer1M: 1.25,
    });
    expect(pricing.inputPer1M).toBe(2.5);
    expect(pricing.outputPer1k).toBe(0.01);
    expect(pricing.cachedInputPer1k).toBe(0.00125);
    expect(pricing.cacheWritePer1M).toBe(2.5);
  });

  it("rejects a missing, negative or doubly given price", () => {
    expect(() => new ModelPricing({ inputPer1k: 1 })).toThrow(ConfigError);
    expect(() => new ModelPricing({ inputPer1k: -1, outputPer1k: 1 })).toThrow(/>= 0/);
    expect(() => new ModelPricing({ inputPer1k: 1, inputPer1M: 1000, outputPer1k: 1 })).toThrow(
      /both given/,
    );
  });

  it("is exact where floats drift", () => {
    const pricing = ModelPricing.per1k({ input: 0.1, output: 0.2 });
    // 0.1 + 0.2 in floats is 0.30000000000000004
    expect(pricing.calculateCost({ inputTokens: 1000, outputTokens: 1000 })).toBe(0.3);
  });

  it("stays exact past 2^53 pico-dollars in one call", () => {
    const pricing = ModelPricing.per1M({ input: 15_000, output: 0 });
    // 1e9 tokens × 1.5e10 pico = 1.5e19 pico = 1.5e16 nano
    expect(pricing.costNano({ inputTokens: 1_000_000_000, outputTokens: 0 })).toBe(
      15_000_000_000_000_000,
    );
  });
});
