/**
 * Step 3 of the demo model build: tokenizes the rendered corpus with llama.cpp's own tokenizer
 * (through node-llama-cpp, from a vocabulary-only GGUF), exactly as inference will.
 *
 * Usage: npx tsx scripts/demo-model/tokenize-corpus.ts <work-dir> [max-tokens=1024]
 * Reads corpus.jsonl and vocab.gguf; writes tokens.bin (uint16 ids, conversations one after
 * another), index.json (per conversation: offset, length, lossStart = where the model's first
 * answer begins) and mask.bin (one byte per token: the weight training gives the token). Scored:
 * what the model writes, from its first answer on (weight 1; tool calls, the hardest part,
 * weight 3), except tool results (`||result: ...` up to the end of the line), which the runtime
 * inserts and the model never writes (weight 0).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LlamaText, getLlama, type LlamaTextJSON } from "node-llama-cpp";

const workDir = process.argv[2] ?? "scripts/demo-model/build";
/** Longer conversations are left out: the model's context (model.py `context_length`). */
const maxTokens = Number(process.argv[3] ?? 1024);
const llama = await getLlama({ gpu: false, build: "never" });
const model = await llama.loadModel({ modelPath: join(workDir, "vocab.gguf"), vocabOnly: true });
const lines = readFileSync(join(workDir, "corpus.jsonl"), "utf8")
  .split("\n")
  .filter((line) => line.length > 0);
const resultPrefix = model.tokenize("||result:");
const callPrefix = model.tokenize("||call: ");
if (callPrefix.length !== 1)
  throw new Error(
    `"||call: " should be one token, got ${callPrefix.length}: is the tokenizer from train_tokenizer.py?`,
  );
const newline = model.tokenize("\n")[0]!;
const chunks: Uint16Array[] = [];
const masks: Uint8Array[] = [];
const index: [number, number, number][] = [];
let offset = 0;
let longest = 0;
let skipped = 0;
for (const line of lines) {
  const { prompt, full } = JSON.parse(line) as { prompt: LlamaTextJSON; full: LlamaTextJSON };
  const promptTokens = LlamaText.fromJSON(prompt).tokenize(model.tokenizer);
  const fullTokens = LlamaText.fromJSON(full).tokenize(model.tokenizer);
  for (let position = 0; position < promptTokens.length; position++) {
    if (promptTokens[position] !== fullTokens[position])
      throw new Error(
        `Prompt is not a token prefix of the conversation at ${position}: ${line.slice(0, 200)}`,
      );
  }
  if (fullTokens.length > maxTokens) {
    skipped++;
    continue;
  }
  chunks.push(Uint16Array.from(fullTokens as number[]));
  masks.push(scoreMask(fullTokens, promptTokens.length));
  index.push([offset, fullTokens.length, promptTokens.length]);
  offset += fullTokens.length;
  longest = Math.max(longest, fullTokens.length);
}
const all = new Uint16Array(offset);
let position = 0;
for (const chunk of chunks) {
  all.set(chunk, position);
  position += chunk.length;
}
writeFileSync(join(workDir, "tokens.bin"), all);
writeFileSync(join(workDir, "mask.bin"), Buffer.concat(masks));
writeFileSync(join(workDir, "index.json"), JSON.stringify(index));
const scored = masks.reduce(
  (sum, mask) => sum + mask.reduce((count, value) => count + (value > 0 ? 1 : 0), 0),
  0,
);
console.log(
  JSON.stringify({
    conversations: index.length,
    skipped,
    tokens: offset,
    scoredTokens: scored,
    longest,
    bos: model.tokens.bos,
    eos: model.tokens.eos,
  }),
);
await model.dispose();

/** Weights: 1 from `start` on, 3 on tool call lines, 0 on tool result lines. */
function scoreMask(tokens: number[], start: number): Uint8Array {
  const mask = new Uint8Array(tokens.length);
  mask.fill(1, start);
  for (let position = start; position < tokens.length; position++) {
    if (tokens[position] === callPrefix[0]) {
      let end = position;
      while (end < tokens.length && tokens[end] !== newline) end++;
      mask.fill(3, position, end);
      position = end - 1;
      continue;
    }
    if (!resultPrefix.every((token, offset) => tokens[position + offset] === token)) continue;
    let end = position;
    while (end < tokens.length && tokens[end] !== newline) end++;
    mask.fill(0, position, end + 1);
    position = end;
  }
  return mask;
}
