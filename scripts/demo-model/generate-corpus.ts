/**
 * Step 1 of the demo model build: generates the synthetic conversations and renders them with
 * node-llama-cpp's own ChatML chat wrapper, so training sees exactly the text (system prompt,
 * function documentation, `||call:` / `||result:` syntax) that inference will produce.
 *
 * Usage: npx tsx scripts/demo-model/generate-corpus.ts <out-dir> [conversations=12000] [seed=20261125]
 * Writes <out-dir>/corpus.jsonl ({kind, prompt, full} as LlamaText JSON; `prompt` ends where the
 * first model answer starts) and <out-dir>/corpus.txt (plain text, to train the tokenizer).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  ChatMLChatWrapper,
  LlamaText,
  SpecialTokensText,
  type ChatHistoryItem,
  type LlamaTextJSON,
} from "node-llama-cpp";
import {
  Random,
  assistant,
  planner,
  researcher,
  reviewer,
  supportReply,
  triage,
  writer,
  type Conversation,
} from "./conversations.js";
import { toolError, toolNotNeeded, toolUse } from "./tool-conversations.js";

/** Share of each kind of conversation in the corpus. */
const MIX: [(random: Random) => Conversation, number][] = [
  [planner, 14],
  [researcher, 10],
  [writer, 13],
  [reviewer, 10],
  [triage, 9],
  [supportReply, 6],
  [toolUse, 25],
  [toolError, 2],
  [toolNotNeeded, 5],
  [assistant, 6],
];

function pickMaker(random: Random): (random: Random) => Conversation {
  const total = MIX.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = random.next() * total;
  for (const [maker, weight] of MIX) {
    roll -= weight;
    if (roll < 0) return maker;
  }
  return MIX[0]![0];
}

function plainText(json: LlamaTextJSON): string {
  const values = Array.isArray(json) ? json : [json];
  return values
    .map((value) =>
      typeof value === "string" ? value : value.type === "specialTokensText" ? value.value : "",
    )
    .join("");
}

const outDir = process.argv[2] ?? "scripts/demo-model/build";
const count = Number(process.argv[3] ?? 12_000);
const seed = Number(process.argv[4] ?? 20_261_125);
const random = new Random(seed);
const wrapper = new ChatMLChatWrapper();
mkdirSync(outDir, { recursive: true });
const lines: string[] = [];
const texts: string[] = [];
const kinds = new Map<string, number>();
for (let index = 0; index < count; index++) {
  const conversation = pickMaker(random)(random);
  const firstModel = conversation.history.findIndex((item) => item.type === "model");
  const promptHistory: ChatHistoryItem[] = [
    ...conversation.history.slice(0, firstModel),
    { type: "model", response: [] },
  ];
  const render = (history: ChatHistoryItem[]): LlamaText =>
    wrapper.generateContextState({
      chatHistory: history,
      ...(conversation.functions ? { availableFunctions: conversation.functions } : {}),
    }).contextText;
  const prompt = render(promptHistory).toJSON();
  const full = LlamaText([
    render(conversation.history),
    new SpecialTokensText("<|im_end|>"),
  ]).toJSON();
  lines.push(JSON.stringify({ kind: conversation.kind, prompt, full }));
  texts.push(plainText(full));
  kinds.set(conversation.kind, (kinds.get(conversation.kind) ?? 0) + 1);
}
writeFileSync(join(outDir, "corpus.jsonl"), `${lines.join("\n")}\n`);
writeFileSync(join(outDir, "corpus.txt"), `${texts.join("\n")}\n`);
console.log(
  JSON.stringify({
    conversations: count,
    seed,
    characters: texts.reduce((sum, text) => sum + text.length, 0),
    kinds: Object.fromEntries(kinds),
  }),
);
