/**
 * Last step of the demo model build: runs the model through llmteam's local provider on the
 * prompts of the example teams and prints what it wrote, whether tool calls and JSON outputs
 * were valid, and the generation speed.
 *
 * Usage: npx tsx scripts/demo-model/evaluate.ts [model.gguf]
 */
import type { LanguageModelV4CallOptions, LanguageModelV4Prompt } from "@ai-sdk/provider";
import { createLocalModel, demoModelPath } from "../../src/providers/local/index.js";
import { currentTimeIn, evaluateExpression } from "../../src/tools/index.js";
import { EXAMPLE_TOOLS } from "./example-tools.js";

const model = createLocalModel({ modelPath: process.argv[2] ?? demoModelPath() });
const user = (text: string): LanguageModelV4Prompt[number] => ({
  role: "user",
  content: [{ type: "text", text }],
});
const system = (content: string): LanguageModelV4Prompt[number] => ({ role: "system", content });
const TOOLS = Object.values(EXAMPLE_TOOLS);

/** What the example tools return for a call (the real built-ins; `add` sums). */
function runTool(name: string, input: Record<string, unknown>): unknown {
  try {
    if (name === "add") return Number(input.a) + Number(input.b);
    if (name === "current_time")
      return currentTimeIn(
        typeof input.timezone === "string" ? input.timezone : "UTC",
        Date.UTC(2026, 10, 25, 9, 30),
      );
    return evaluateExpression(typeof input.expression === "string" ? input.expression : "", 1000);
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

async function text(label: string, options: LanguageModelV4CallOptions): Promise<string> {
  const started = performance.now();
  const result = await model.doGenerate({ maxOutputTokens: 120, ...options });
  const milliseconds = performance.now() - started;
  const output = result.content
    .map((part) =>
      part.type === "text"
        ? part.text
        : part.type === "tool-call"
          ? `[tool-call ${part.toolName} ${part.input}]`
          : "",
    )
    .join("");
  console.log(
    `\n## ${label} (${result.usage.inputTokens.total} in, ${result.usage.outputTokens.total} out, ${milliseconds.toFixed(0)} ms)\n${output}`,
  );
  return output;
}

// examples/research.yaml
const query = "Why do cats purr?";
const plan = await text("planner", {
  prompt: [user(`Make a short plan of three steps for: ${query}`)],
});
const facts = await text("researcher", {
  prompt: [user(`Follow this plan and list the key facts for ${query}:\n${plan}`)],
});
const answer = await text("writer", {
  prompt: [user(`Write a short answer to ${query} using these facts:\n${facts}`)],
});
await text("reviewer", {
  prompt: [
    system("You are a careful editor."),
    user(`Review this answer to ${query} and give the final version:\n${answer}`),
  ],
});
await text("planner, unknown topic", {
  prompt: [user("Make a short plan of three steps for: How do penguins keep warm?")],
});
// examples/support.yaml
const category = await text("support triage", {
  prompt: [
    system("You sort customer requests into billing, technical or general."),
    user("Classify this request: My invoice is wrong"),
  ],
  maxOutputTokens: 50,
});
await text("support writer", {
  prompt: [
    system("You are a friendly, precise support agent. Keep replies under 120 words."),
    user(`Reply to this customer request: My invoice is wrong\nCategory: ${category}`),
  ],
});

const triageSchema = {
  type: "object" as const,
  properties: {
    category: {
      type: "string" as const,
      enum: ["billing", "technical", "account", "sales", "general"],
    },
    urgency: { type: "string" as const, enum: ["low", "medium", "high"] },
  },
  required: ["category", "urgency"],
  additionalProperties: false,
};
let validJson = 0;
const requests = [
  "I was charged twice for my subscription. This is urgent!",
  "The app crashes when I open settings.",
  "I forgot my password. No rush.",
  "Do you offer discounts for teams?",
];
for (const request of requests) {
  const output = await text("triage (JSON Schema)", {
    prompt: [system("You are the triage agent."), user(`Classify this request: ${request}`)],
    responseFormat: { type: "json", schema: triageSchema },
  });
  const parsed = JSON.parse(output) as { category?: string; urgency?: string };
  if (
    triageSchema.properties.category.enum.includes(parsed.category ?? "") &&
    triageSchema.properties.urgency.enum.includes(parsed.urgency ?? "")
  )
    validJson++;
}

let toolRoundTrips = 0;
const questions = [
  "What is 12 * 7?",
  "Add 17 and 25.",
  "What time is it in Tokyo?",
  "What is 15% of 240?",
];
for (const question of questions) {
  const prompt: LanguageModelV4Prompt = [system("You are a helpful assistant."), user(question)];
  const first = await model.doGenerate({ prompt, tools: TOOLS, maxOutputTokens: 60 });
  const call = first.content.find((part) => part.type === "tool-call");
  if (!call || call.type !== "tool-call") {
    console.log(`\n## tools: ${question}\n(no tool call) ${JSON.stringify(first.content)}`);
    continue;
  }
  const input = JSON.parse(call.input) as Record<string, unknown>;
  const value = runTool(call.toolName, input);
  prompt.push({
    role: "assistant",
    content: [{ type: "tool-call", toolCallId: call.toolCallId, toolName: call.toolName, input }],
  });
  prompt.push({
    role: "tool",
    content: [
      {
        type: "tool-result",
        toolCallId: call.toolCallId,
        toolName: call.toolName,
        output: { type: "json", value: value as never },
      },
    ],
  });
  const final = await text(
    `tools: ${question} → ${call.toolName}(${call.input}) → ${JSON.stringify(value)}`,
    { prompt, tools: TOOLS, maxOutputTokens: 60 },
  );
  if (final.length > 0) toolRoundTrips++;
}

const started = performance.now();
const long = await model.doGenerate({
  prompt: [user("Tell me about the history of the bicycle.")],
  maxOutputTokens: 400,
  temperature: 0.8,
  seed: 1,
});
const seconds = (performance.now() - started) / 1000;
const outputTokens = long.usage.outputTokens.total ?? 0;
console.log(
  `\n${JSON.stringify({ validTriageJson: `${validJson}/${requests.length}`, toolRoundTrips: `${toolRoundTrips}/${questions.length}`, tokensPerSecond: Math.round(outputTokens / seconds), sampleTokens: outputTokens })}`,
);
