import { PRICE_DATA_JSON } from "./data/price-data.js";
import { ModelPricing, type ModelPricingOptions } from "./model-pricing.js";

/** A match rule of the catalog (the genai-prices format). */
type MatchRule =
  | { equals: string }
  | { starts_with: string }
  | { ends_with: string }
  | { contains: string }
  | { regex: string }
  | { or: MatchRule[] }
  | { and: MatchRule[] };

type TieredPrice = number | { base: number; tiers: { start: number; price: number }[] };
type RawPrices = Partial<
  Record<"input_mtok" | "output_mtok" | "cache_read_mtok" | "cache_write_mtok", TieredPrice>
>;
type Constraint =
  | { type: "start_date"; start_date: string }
  | { type: "time_of_date"; start_time: string; end_time: string };

interface CatalogModel {
  id: string;
  match: MatchRule;
  prices: RawPrices | { constraint?: Constraint; prices: RawPrices }[];
  /** Lower-cased literal names of the model (`equals` rules and the id), for prefix lookups. */
  names?: string[];
  /** Built prices, one per variant, with their constraints made ready to check (on first use). */
  built?: BuiltVariant[];
}

/** A price variant ready for lookups: its pricing, and when it applies (epoch ms or seconds of the UTC day). */
interface BuiltVariant {
  pricing: ModelPricing;
  startsAtMs?: number;
  dailyFrom?: number;
  dailyTo?: number;
}

interface CatalogProvider {
  id: string;
  providerMatch?: MatchRule;
  modelMatch?: MatchRule;
  fallbackProviders?: string[];
  models: CatalogModel[];
}

/** A model found in the bundled catalog. */
export interface CatalogMatch {
  /** The catalog's provider id, e.g. `openai`. */
  provider: string;
  /** The catalog's model id, e.g. `gpt-4o`. */
  modelId: string;
  /** `pattern`: the catalog's own match rules; `prefix`: the longest known name that starts the model name. */
  match: "pattern" | "prefix";
  /** The prices in force at `atMs`. */
  pricingAt: (atMs: number) => ModelPricing;
}

let providers: CatalogProvider[] | undefined;

function loadProviders(): CatalogProvider[] {
  providers ??= JSON.parse(PRICE_DATA_JSON) as CatalogProvider[];
  return providers;
}

/**
 * Finds `model` in the bundled catalog (parsed on first use). `provider` is the part before
 * the first `/` of a configured name (`openai`, `xai`, `amazon-bedrock`, …), when there is one.
 *
 * Providers searched: the named provider (by id or the catalog's provider match) and its
 * fallback providers (Azure → OpenAI, …); none for a provider the catalog does not know; for a
 * bare name, the providers whose model rule matches it (`gpt-` → OpenAI, `claude` → Anthropic, …). In each, the
 * catalog's own rules first, then the longest literal model name that is a prefix of `model`
 * at a `-`, `:`, `@`, `/` or `_` boundary (so `gpt-4o-2099-01-01` → `gpt-4o`).
 */
export function findInCatalog(
  provider: string | undefined,
  model: string,
): CatalogMatch | undefined {
  const all = loadProviders();
  const candidates = providersFor(all, provider, model);
  for (const candidate of candidates) {
    const found = candidate.models.find((entry) => matches(entry.match, model));
    if (found) return toMatch(candidate, found, "pattern");
  }
  const lower = model.toLowerCase();
  for (const candidate of candidates) {
    let best: CatalogModel | undefined;
    let bestLength = 0;
    for (const entry of candidate.models) {
      for (const name of namesOf(entry)) {
        if (name.length > bestLength && isPrefixAtBoundary(name, lower)) {
          best = entry;
          bestLength = name.length;
        }
      }
    }
    if (best) return toMatch(candidate, best, "prefix");
  }
  return undefined;
}

function providersFor(
  all: CatalogProvider[],
  provider: string | undefined,
  model: string,
): CatalogProvider[] {
  if (provider !== undefined) {
    const lower = provider.toLowerCase();
    const named =
      all.find((entry) => entry.id === lower) ??
      all.find((entry) => entry.providerMatch !== undefined && matches(entry.providerMatch, lower));
    if (named) {
      const fallbacks = (named.fallbackProviders ?? [])
        .map((id) => all.find((entry) => entry.id === id))
        .filter((entry): entry is CatalogProvider => entry !== undefined);
      return [named, ...fallbacks];
    }
    // A provider the catalog does not know (a self-hosted or custom server): its models are not
    // the catalog's, even when named alike (`lab/gpt-4o-mini` is not OpenAI's).
    return [];
  }
  return all.filter((entry) => entry.modelMatch !== undefined && matches(entry.modelMatch, model));
}

function toMatch(
  provider: CatalogProvider,
  model: CatalogModel,
  match: "pattern" | "prefix",
): CatalogMatch {
  return {
    provider: provider.id,
    modelId: model.id,
    match,
    pricingAt: (atMs) => pricingAt(model, atMs),
  };
}

/** True when `name` starts `model` and the next character of `model` is a separator. */
export function isPrefixAtBoundary(name: string, model: string): boolean {
  if (!model.startsWith(name) || model.length === name.length) return false;
  if ("-:@/_".includes(name.at(-1)!)) return true;
  return "-:@/_".includes(model[name.length]!);
}

function namesOf(model: CatalogModel): string[] {
  if (!model.names) {
    const names = new Set<string>([model.id.toLowerCase()]);
    collectEquals(model.match, names);
    model.names = [...names];
  }
  return model.names;
}

function collectEquals(rule: MatchRule, into: Set<string>): void {
  if ("equals" in rule) into.add(rule.equals.toLowerCase());
  else if ("or" in rule) for (const inner of rule.or) collectEquals(inner, into);
}

/** Evaluates a catalog match rule the way genai-prices does (case-insensitive, but regexes). */
function matches(rule: MatchRule, text: string): boolean {
  if ("or" in rule) return rule.or.some((inner) => matches(inner, text));
  if ("and" in rule) return rule.and.every((inner) => matches(inner, text));
  if ("regex" in rule) return new RegExp(rule.regex).test(text);
  const lower = text.toLowerCase();
  if ("equals" in rule) return lower === rule.equals.toLowerCase();
  if ("starts_with" in rule) return lower.startsWith(rule.starts_with.toLowerCase());
  if ("ends_with" in rule) return lower.endsWith(rule.ends_with.toLowerCase());
  return lower.includes(rule.contains.toLowerCase());
}

function pricingAt(model: CatalogModel, atMs: number): ModelPricing {
  // Once per priced call: the variants are built and their constraints parsed on first use.
  const built = (model.built ??= buildVariants(model));
  // As genai-prices: the last variant whose constraint holds wins; the first is the default.
  for (let index = built.length - 1; index > 0; index--) {
    const variant = built[index]!;
    if (holds(variant, atMs)) return variant.pricing;
  }
  return built[0]!.pricing;
}

function buildVariants(model: CatalogModel): BuiltVariant[] {
  const variants = Array.isArray(model.prices) ? model.prices : [{ prices: model.prices }];
  return variants.map(({ constraint, prices }: { constraint?: Constraint; prices: RawPrices }) => {
    const variant: BuiltVariant = { pricing: buildPricing(prices) };
    if (constraint?.type === "start_date") variant.startsAtMs = Date.parse(constraint.start_date);
    else if (constraint) {
      variant.dailyFrom = secondsOfDay(constraint.start_time);
      variant.dailyTo = secondsOfDay(constraint.end_time);
    }
    return variant;
  });
}

function holds(variant: BuiltVariant, atMs: number): boolean {
  if (variant.startsAtMs !== undefined) return atMs >= variant.startsAtMs;
  if (variant.dailyFrom === undefined || variant.dailyTo === undefined) return true;
  const secondOfDay = Math.floor((atMs % 86_400_000) / 1000);
  const start = variant.dailyFrom;
  const end = variant.dailyTo;
  return end < start
    ? secondOfDay >= start || secondOfDay < end
    : secondOfDay >= start && secondOfDay < end;
}

/** `HH:MM:SSZ` or `HH:MM:SS+HH:MM` → seconds since midnight UTC. */
function secondsOfDay(time: string): number {
  const match = /^(\d\d):(\d\d):(\d\d)(?:\.\d+)?(Z|([+-])(\d\d):(\d\d))$/.exec(time);
  if (!match) throw new Error(`Invalid time of day in the price catalog: ${time}`);
  const local = Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3]);
  const offset =
    match[4] === "Z"
      ? 0
      : (match[5] === "+" ? 1 : -1) * (Number(match[6]) * 3600 + Number(match[7]) * 60);
  return (local - offset + 86_400) % 86_400;
}

function buildPricing(raw: RawPrices): ModelPricing {
  const starts = new Set<number>();
  for (const value of Object.values(raw)) {
    if (typeof value === "object") for (const tier of value.tiers) starts.add(tier.start);
  }
  const at = (start: number): Omit<ModelPricingOptions, "tiers"> => {
    const input = priceAt(raw.input_mtok, start) ?? 0;
    const options: Omit<ModelPricingOptions, "tiers"> = {
      inputPer1M: input,
      outputPer1M: priceAt(raw.output_mtok, start) ?? 0,
    };
    const cacheRead = priceAt(raw.cache_read_mtok, start);
    const cacheWrite = priceAt(raw.cache_write_mtok, start);
    if (cacheRead !== undefined) options.cachedInputPer1M = cacheRead;
    if (cacheWrite !== undefined) options.cacheWritePer1M = cacheWrite;
    return options;
  };
  return new ModelPricing({
    ...at(-1),
    tiers: [...starts].map((start) => ({ aboveInputTokens: start, prices: at(start) })),
  });
}

function priceAt(value: TieredPrice | undefined, start: number): number | undefined {
  if (value === undefined || typeof value === "number") return value;
  let price = value.base;
  for (const tier of value.tiers) if (start >= tier.start) price = tier.price;
  return price;
}
