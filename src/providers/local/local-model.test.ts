import type {
  JSONSchema7,
  LanguageModelV4CallOptions,
  LanguageModelV4FunctionTool,
  LanguageModelV4Prompt,
  LanguageModelV4StreamPart,
} from "@ai-sdk/provider";
import { Ajv } from "ajv";
import { copyFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ChatMLChatWrapper, getLlama } from "node-llama-cpp";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../errors/config-error.js";
import { ProviderError } from "../../errors/provider-error.js";
import { convertPrompt } from "./convert-prompt.js";
import { createLocalModel, demoModelPath } from "./index.js";
import { loadCounter } from "./load-local-model.js";

const model = createLocalModel({ modelPath: demoModelPath() });
const ajv = new Ajv({ strict: false });

const user = (text: string): LanguageModelV4Prompt[number] => ({
  role: "user",
  content: [{ type: "text", text }],
});
const planPrompt: LanguageModelV4Prompt = [
  { role: "system", content: "You are the planner." },
  user("Make a short plan for: How do I brew green tea?"),
];

const tools: LanguageModelV4FunctionTool[] = [
  {
    type: "function",
    name: "calculator",
    description: "Evaluate an arithmetic expression",
    inputSchema: {
      type: "object",
      properties: { expression: { type: "string" } },
      required: ["expression"],
      additionalProperties: false,
    },
  },
  {
    type: "function",
    name: "add",
    description: "Add two numbers",
    inputSchema: {
      type: "object",
      properties: { a: { type: "number" }, b: { type: "number" } },
      required: ["a", "b"],
      additionalProperties: false,
    },
  },
  {
    type: "function",
    name: "current_time",
    description: "Get the current time in a timezone",
    inputSchema: {
      type: "object",
      properties: { timezone: { type: "string" } },
      required: ["timezone"],
      additionalProperties: false,
    },
  },
];

async function readAll(
  stream: ReadableStream<LanguageModelV4StreamPart>,
): Promise<LanguageModelV4StreamPart[]> {
  const parts: LanguageModelV4StreamPart[] = [];
  for await (const part of stream as unknown as AsyncIterable<LanguageModelV4StreamPart>)
    parts.push(part);
  return parts;
}

function textOf(result: Awaited<ReturnType<typeof model.doGenerate>>): string {
  return result.content.map((part) => (part.type === "text" ? part.text : "")).join("");
}

/** Token count of the prompt as llama.cpp sees it, computed independently of the provider. */
async function promptTokenCount(options: LanguageModelV4CallOptions): Promise<number> {
  const llama = await getLlama({ gpu: false, build: "never" });
  const vocabulary = await llama.loadModel({ modelPath: demoModelPath(), vocabOnly: true });
  const { history, functions } = convertPrompt(options);
  const { contextText } = new ChatMLChatWrapper().generateContextState({
    chatHistory: history,
    ...(functions ? { availableFunctions: functions } : {}),
  });
  const count = contextText.tokenize(vocabulary.tokenizer).length;
  await vocabulary.dispose();
  return count;
}

describe("createLocalModel on the demo model", () => {
  it("generates text and reports the model's real token counts", async () => {
    const result = await model.doGenerate({ prompt: planPrompt, maxOutputTokens: 60 });
    expect(textOf(result).length).toBeGreaterThan(10);
    expect(result.usage.inputTokens.total).toBe(await promptTokenCount({ prompt: planPrompt }));
    expect(result.usage.outputTokens.total).toBeGreaterThan(5);
    expect(result.usage.outputTokens.total).toBeLessThanOrEqual(60);
    expect(result.finishReason.unified).toMatch(/^(stop|length)$/);
  });

  it("streams text deltas whose concatenation is the generated text", async () => {
    const expected = textOf(await model.doGenerate({ prompt: planPrompt, maxOutputTokens: 60 }));
    const parts = await readAll(
      (await model.doStream({ prompt: planPrompt, maxOutputTokens: 60 })).stream,
    );
    const types = parts.map((part) => part.type);
    expect(types.slice(0, 3)).toEqual(["stream-start", "response-metadata", "text-start"]);
    expect(types.slice(-2)).toEqual(["text-end", "finish"]);
    const deltas = parts.flatMap((part) => (part.type === "text-delta" ? [part.delta] : []));
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.join("")).toBe(expected);
    const finish = parts.at(-1);
    expect(finish?.type === "finish" && finish.usage.outputTokens.total).toBeGreaterThan(0);
  });

  it("calls a tool with schema-valid arguments, then answers with its result", async () => {
    const prompt: LanguageModelV4Prompt = [
      { role: "system", content: "You are a helpful assistant." },
      user("Add 17 and 25."),
    ];
    const first = await model.doGenerate({ prompt, tools, maxOutputTokens: 40 });
    const call = first.content.find((part) => part.type === "tool-call");
    expect(first.finishReason.unified).toBe("tool-calls");
    if (call?.type !== "tool-call")
      throw new Error(`no tool call in ${JSON.stringify(first.content)}`);
    const tool = tools.find((candidate) => candidate.name === call.toolName);
    const input = JSON.parse(call.input) as Record<string, unknown>;
    expect(ajv.validate(tool!.inputSchema as object, input)).toBe(true);

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
          output: { type: "json", value: 42 },
        },
      ],
    });
    const second = await model.doGenerate({ prompt, tools, maxOutputTokens: 40 });
    expect(second.finishReason.unified).toBe("stop");
    expect(textOf(second).length).toBeGreaterThan(0);
    expect(second.usage.inputTokens.total).toBeGreaterThan(first.usage.inputTokens.total!);
  });

  it("writes JSON valid against the requested schema", async () => {
    const schemas: JSONSchema7[] = [
      {
        type: "object",
        properties: {
          category: {
            type: "string",
            enum: ["billing", "technical", "account", "sales", "general"],
          },
          urgency: { type: "string", enum: ["low", "medium", "high"] },
        },
        required: ["category", "urgency"],
        additionalProperties: false,
      },
      {
        type: "object",
        properties: {
          steps: { type: "array", items: { type: "string" }, minItems: 1, maxItems: 4 },
        },
        required: ["steps"],
        additionalProperties: false,
      },
    ];
    for (const [schema, question] of [
      [schemas[0]!, "Classify this request: I was charged twice. This is urgent!"],
      [schemas[1]!, "Make a short plan for: learning Python"],
    ] as const) {
      const result = await model.doGenerate({
        prompt: [user(question)],
        responseFormat: { type: "json", schema },
        maxOutputTokens: 120,
      });
      const value: unknown = JSON.parse(textOf(result));
      expect(ajv.validate(schema as object, value), `${textOf(result)} ${ajv.errorsText()}`).toBe(
        true,
      );
    }
  });

  it("stops at a stop sequence and at maxOutputTokens", async () => {
    const full = textOf(await model.doGenerate({ prompt: planPrompt, maxOutputTokens: 60 }));
    const stop = full.slice(5, 8);
    const stopped = await model.doGenerate({
      prompt: planPrompt,
      maxOutputTokens: 60,
      stopSequences: [stop],
    });
    expect(textOf(stopped)).toBe(full.slice(0, full.indexOf(stop)));
    expect(stopped.finishReason.unified).toBe("stop");
    const short = await model.doGenerate({ prompt: planPrompt, maxOutputTokens: 3 });
    expect(short.finishReason.unified).toBe("length");
    expect(short.usage.outputTokens.total).toBeLessThanOrEqual(3);
  });

  it("loads a model file once, for every model and concurrent caller on its path", async () => {
    const copy = join(mkdtempSync(join(tmpdir(), "llmteam-local-")), "copy.gguf");
    copyFileSync(demoModelPath(), copy);
    const before = loadCounter.loads;
    const first = createLocalModel({ modelPath: copy });
    const second = createLocalModel({ modelPath: copy });
    await Promise.all(
      [first, second, first].map((each) =>
        each.doGenerate({ prompt: planPrompt, maxOutputTokens: 5 }),
      ),
    );
    await second.doGenerate({ prompt: planPrompt, maxOutputTokens: 5 });
    expect(loadCounter.loads - before).toBe(1);
  });

  it("runs more concurrent generations than sequences, each as if alone", async () => {
    const narrow = createLocalModel({ modelPath: demoModelPath(), concurrency: 2 });
    const prompts = ["learning Python", "healthy sleep", "saving money", "Docker", "coffee"].map(
      (topic) => [user(`Make a short plan for: ${topic}`)],
    );
    const alone: string[] = [];
    for (const prompt of prompts)
      alone.push(textOf(await narrow.doGenerate({ prompt, maxOutputTokens: 30 })));
    const together = await Promise.all(
      prompts.map((prompt) => narrow.doGenerate({ prompt, maxOutputTokens: 30 })),
    );
    expect(together.map(textOf)).toEqual(alone);
  });

  it("stops generating when the call is aborted", async () => {
    const controller = new AbortController();
    const reason = new Error("stop now");
    const { stream } = await model.doStream({
      prompt: planPrompt,
      maxOutputTokens: 400,
      temperature: 1,
      seed: 3,
      abortSignal: controller.signal,
    });
    const reader = stream.getReader();
    let deltas = 0;
    await expect(
      (async () => {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return "completed";
          if (value.type === "text-delta" && ++deltas === 2) controller.abort(reason);
        }
      })(),
    ).rejects.toBe(reason);
    expect(deltas).toBeLessThan(20);
    await expect(
      model.doGenerate({ prompt: planPrompt, abortSignal: AbortSignal.abort(reason) }),
    ).rejects.toBe(reason);
  });

  it("says so when the prompt does not fit the context", async () => {
    const small = createLocalModel({ modelPath: demoModelPath(), contextSize: 64, concurrency: 1 });
    // llama.cpp rounds the context up to a multiple of 256; this prompt is about 700 tokens.
    const long = "Make a short plan for: " + "a very long question about green tea ".repeat(80);
    const error: unknown = await Promise.resolve(
      small.doGenerate({ prompt: [user(long)], maxOutputTokens: 10 }),
    ).catch((caught: unknown) => caught);
    expect(ProviderError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /the prompt \(\d+ tokens\) does not fit the context of 256 tokens/,
    );
  });

  it("reports a missing model file as a ConfigError naming the path", async () => {
    const missing = createLocalModel({ modelPath: "models/does-not-exist.gguf" });
    const error: unknown = await Promise.resolve(missing.doGenerate({ prompt: planPrompt })).catch(
      (caught: unknown) => caught,
    );
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain("does-not-exist.gguf");
  });
});
