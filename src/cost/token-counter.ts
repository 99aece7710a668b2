/** A count of tokens that may be exact (a known tokenizer) or a range (an approximation). */
export interface TokenCount {
  min: number;
  max: number;
}

/**
 * Counts the tokens of text for one model: exactly with the model's own tokenizer when it is
 * known (OpenAI's `o200k_base` and `cl100k_base`, through `gpt-tokenizer`), else as a range
 * from the text's UTF-8 size.
 */
export interface TokenCounter {
  /** `o200k_base`, `cl100k_base`, or `approximate` (no tokenizer known for the model). */
  readonly tokenizer: string;
  /** True when counts are exact (min = max). */
  readonly exact: boolean;
  count(text: string): TokenCount;
}

/**
 * Bytes per token of the approximation: at least `bytes / 5` tokens (English with a large
 * vocabulary runs ~4–5 bytes a token) and at most `bytes / 3` (CJK text ~3 bytes a token), the
 * same upper rule as the budget reservation's `estimateInputTokens`.
 */
export const APPROXIMATE_BYTES_PER_TOKEN = { min: 5, max: 3 } as const;

type Encoding = "o200k_base" | "cl100k_base";

const loaded = new Map<Encoding, Promise<(text: string) => number>>();

/**
 * The tokenizer of a model named `provider/model`, when known: OpenAI's GPT-4o, GPT-4.1,
 * GPT-5 and o-series models use `o200k_base`; GPT-4 and GPT-3.5 use `cl100k_base`. Other
 * providers' tokenizers are not bundled.
 */
export function tokenizerOf(model: string): Encoding | undefined {
  const slash = model.indexOf("/");
  const provider = slash === -1 ? "" : model.slice(0, slash);
  const id = (slash === -1 ? model : model.slice(slash + 1)).toLowerCase();
  if (provider !== "openai" && provider !== "azure" && provider !== "") return undefined;
  if (/^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|chatgpt-4o|o\d)/.test(id)) return "o200k_base";
  if (/^(gpt-4|gpt-3\.5)/.test(id)) return "cl100k_base";
  return undefined;
}

/**
 * The token counter of a model (its tokenizer is loaded on first use; `gpt-tokenizer` is
 * imported only here, so a team that never estimates never loads it).
 * @example
 * const counter = await tokenCounterFor("openai/gpt-4o-mini");
 * counter.count("How do I brew good coffee?"); // { min: 8, max: 8 }
 */
export async function tokenCounterFor(model: string): Promise<TokenCounter> {
  const encoding = tokenizerOf(model);
  if (encoding === undefined) return APPROXIMATE_COUNTER;
  let counting = loaded.get(encoding);
  if (!counting) {
    counting = loadEncoding(encoding);
    loaded.set(encoding, counting);
  }
  const countTokens = await counting;
  return {
    tokenizer: encoding,
    exact: true,
    count: (text) => {
      const tokens = countTokens(text);
      return { min: tokens, max: tokens };
    },
  };
}

async function loadEncoding(encoding: Encoding): Promise<(text: string) => number> {
  const module =
    encoding === "o200k_base"
      ? await import("gpt-tokenizer/encoding/o200k_base")
      : await import("gpt-tokenizer/encoding/cl100k_base");
  return (text) => module.countTokens(text);
}

const APPROXIMATE_COUNTER: TokenCounter = {
  tokenizer: "approximate",
  exact: false,
  count: (text) => {
    const bytes = Buffer.byteLength(text);
    return {
      min: Math.ceil(bytes / APPROXIMATE_BYTES_PER_TOKEN.min),
      max: Math.ceil(bytes / APPROXIMATE_BYTES_PER_TOKEN.max),
    };
  },
};
