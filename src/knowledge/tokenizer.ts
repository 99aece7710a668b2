/** Counts and cuts text in model tokens. */
export interface Tokenizer {
  /** The tokenizer's name, e.g. `o200k_base`. */
  readonly name: string;
  count(text: string): number;
  encode(text: string): number[];
  decode(tokens: readonly number[]): string;
}

let loading: Promise<Tokenizer> | undefined;

/**
 * The tokenizer chunk budgets are counted in: `o200k_base` (the GPT-4o / GPT-5 family's BPE)
 * from `gpt-tokenizer`, loaded once on first use (its ranks take ~100 ms to load).
 */
export function loadTokenizer(): Promise<Tokenizer> {
  loading ??= import("gpt-tokenizer/encoding/o200k_base").then((module) => ({
    name: "o200k_base",
    count: (text: string) => module.countTokens(text),
    encode: (text: string) => module.encode(text),
    decode: (tokens: readonly number[]) => module.decode(tokens as number[]),
  }));
  return loading;
}
