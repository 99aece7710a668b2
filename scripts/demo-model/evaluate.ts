/**
 * Last step of the demo model build: runs the model through llmteam's local provider on the
 * prompts of the example teams and prints what it wrote, whether tool calls and JSON outputs
 * were valid, and the generation speed.
 *
 * Usage: npx tsx scripts/demo-model/evaluate.ts [model.gguf]
 */
import type { LanguageModelV4CallOptions, LanguageModelV4FunctionTool, LanguageModelV4Prompt } from "@ai-sdk/provider";
import { createLocalModel, demoModelPath } from "../../src/providers/local/index.js";

const model = createLocalModel({ modelPath: process.argv[2] ?? demoModelPath() });
const user = (text: string): LanguageModelV4Prompt[number] => ({ role: "user", content: [{ type: "text", text }] });
const system = (content: string): LanguageModelV4Prompt[number] => ({ role: "system", content });

const TOOLS: LanguageModelV4FunctionTool[] = [
  { type: "function", name: "calculator", description: "Evaluate an arithmetic expression", inputSchema: { type: "object", properties: { expression: { type: "string" } }, required: ["expression"], additionalProperties: false } },
  { type: "function", name: "current_time", description: "Get the current time in a timezone", inputSchema: { type: "object", properties: { timezone: { type: "string" } }, required: ["timezone"], additionalProperties: false } },
  { type: "function", name: "add", description: "Add two numbers", inputSchema: { type: "object", properties: { a: { type: "number" }, b: { type: "number" } }, required: ["a", "b"], additionalProperties: false } },
];

/** Evaluates + - * / and parentheses on numbers; anything else is reported as an error value. */
function calculate(expression: string): number | { error: string } {
  if (!/^[\d\s+\-*/().]+$/.test(expression)) return { error: "invalid expression" };
  return Number((new Function(`return (${expression});`) as () => unknown)());
}

async function text(label: string, options: LanguageModelV4CallOptions): Promise<string> {
  const started = performance.now();
  const result = await model.doGenerate({ maxOutputTokens: 120, ...options });
  const milliseconds = performance.now() - started;
  const output = result.content.map((part) => (part.type === "text" ? part.text : part.type === "tool-call" ? `[tool-call ${part.toolName} ${part.input}]` : "")).join("");
  console.log(`\n## ${label} (${result.usage.inputTokens.total} in, ${result.usage.outputTokens.total} out, ${milliseconds.toFixed(0)} ms)\n${output}`);
  return output;
}

const plan = await text("planner", { prompt: [system("You are the planner."), user("Make a short plan for: What are the benefits of TypeScript?")] });
const answer = await text("writer", { prompt: [system("You are the writer."), user(`Write a short answer to What are the benefits of TypeScript? following this plan:\n${plan}`)] });
await text("reviewer", { prompt: [system("You are the reviewer."), user(`Review this answer to What are the benefits of TypeScript?:\n${answer}`)] });
await text("unknown topic", { prompt: [system("You are the planner."), user("Make a short plan for: How do penguins keep warm?")] });

const triageSchema = { type: "object" as const, properties: { category: { type: "string" as const, enum: ["billing", "technical", "account", "sales", "general"] }, urgency: { type: "string" as const, enum: ["low", "medium", "high"] } }, required: ["category", "urgency"], additionalProperties: false };
let validJson = 0;
const requests = ["I was charged twice for my subscription. This is urgent!", "The app crashes when I open settings.", "I forgot my password. No rush.", "Do you offer discounts for teams?"];
for (const request of requests) {
  const output = await text("triage (JSON Schema)", { prompt: [system("You are the triage agent."), user(`Classify this request: ${request}`)], responseFormat: { type: "json", schema: triageSchema } });
  const parsed = JSON.parse(output) as { category?: string; urgency?: string };
  if (triageSchema.properties.category.enum.includes(parsed.category ?? "") && triageSchema.properties.urgency.enum.includes(parsed.urgency ?? "")) validJson++;
}

let toolRoundTrips = 0;
const questions = ["What is 12 * 7?", "Add 17 and 25.", "What time is it in Tokyo?", "What is 15% of 240?"];
for (const question of questions) {
  const prompt: LanguageModelV4Prompt = [system("You are a helpful assistant."), user(question)];
  const first = await model.doGenerate({ prompt, tools: TOOLS, maxOutputTokens: 60 });
  const call = first.content.find((part) => part.type === "tool-call");
  if (!call || call.type !== "tool-call") {
    console.log(`\n## tools: ${question}\n(no tool call) ${JSON.stringify(first.content)}`);
    continue;
  }
  const input = JSON.parse(call.input) as Record<string, unknown>;
  const value = call.toolName === "add" ? Number(input.a) + Number(input.b) : call.toolName === "current_time" ? "2026-11-25T09:30:00+09:00" : calculate(String(input.expression));
  prompt.push({ role: "assistant", content: [{ type: "tool-call", toolCallId: call.toolCallId, toolName: call.toolName, input }] });
  prompt.push({ role: "tool", content: [{ type: "tool-result", toolCallId: call.toolCallId, toolName: call.toolName, output: { type: "json", value } }] });
  const final = await text(`tools: ${question} → ${call.toolName}(${call.input}) → ${JSON.stringify(value)}`, { prompt, tools: TOOLS, maxOutputTokens: 60 });
  if (final.length > 0) toolRoundTrips++;
}

const started = performance.now();
const long = await model.doGenerate({ prompt: [user("Tell me about the history of the bicycle.")], maxOutputTokens: 400, temperature: 0.8, seed: 1 });
const seconds = (performance.now() - started) / 1000;
const outputTokens = long.usage.outputTokens.total ?? 0;
console.log(
  `\n${JSON.stringify({ validTriageJson: `${validJson}/${requests.length}`, toolRoundTrips: `${toolRoundTrips}/${questions.length}`, tokensPerSecond: Math.round(outputTokens / seconds), sampleTokens: outputTokens })}`,
);
