import { describe, expect, it } from "vitest";
import { convertPrompt } from "./convert-prompt.js";

const calculator = {
  type: "function" as const,
  name: "calculator",
  description: "Evaluate an arithmetic expression",
  inputSchema: {
    type: "object" as const,
    properties: { expression: { type: "string" as const } },
    required: ["expression"],
  },
};

describe("convertPrompt", () => {
  it("ends a plain conversation with an empty model response to generate", () => {
    const { history, functions } = convertPrompt({
      prompt: [
        { role: "system", content: "You are the planner." },
        { role: "user", content: [{ type: "text", text: "Make a short plan for: tea" }] },
      ],
    });
    expect(history).toEqual([
      { type: "system", text: "You are the planner." },
      { type: "user", text: "Make a short plan for: tea" },
      { type: "model", response: [] },
    ]);
    expect(functions).toBeUndefined();
  });

  it("joins tool calls with their results and leaves the response open after tool results", () => {
    const { history, functions } = convertPrompt({
      tools: [calculator],
      prompt: [
        { role: "user", content: [{ type: "text", text: "What is 12 * 7?" }] },
        {
          role: "assistant",
          content: [
            {
              type: "tool-call",
              toolCallId: "c1",
              toolName: "calculator",
              input: { expression: "12 * 7" },
            },
          ],
        },
        {
          role: "tool",
          content: [
            {
              type: "tool-result",
              toolCallId: "c1",
              toolName: "calculator",
              output: { type: "json", value: { result: 84 } },
            },
          ],
        },
      ],
    });
    expect(history).toEqual([
      { type: "user", text: "What is 12 * 7?" },
      {
        type: "model",
        response: [
          {
            type: "functionCall",
            name: "calculator",
            params: { expression: "12 * 7" },
            result: { result: 84 },
          },
        ],
      },
    ]);
    expect(Object.keys(functions ?? {})).toEqual(["calculator"]);
  });

  it("merges the answer after tool results into the same model response, then starts a new one", () => {
    const { history } = convertPrompt({
      prompt: [
        { role: "user", content: [{ type: "text", text: "Add 1 and 2." }] },
        {
          role: "assistant",
          content: [
            { type: "text", text: "" },
            { type: "tool-call", toolCallId: "c1", toolName: "add", input: '{"a":1,"b":2}' },
          ],
        },
        {
          role: "tool",
          content: [
            {
              type: "tool-result",
              toolCallId: "c1",
              toolName: "add",
              output: { type: "error-text", value: "boom" },
            },
          ],
        },
        { role: "assistant", content: [{ type: "text", text: "The add tool failed." }] },
        { role: "user", content: [{ type: "text", text: "Thanks" }] },
      ],
    });
    expect(history).toEqual([
      { type: "user", text: "Add 1 and 2." },
      {
        type: "model",
        response: [
          { type: "functionCall", name: "add", params: { a: 1, b: 2 }, result: { error: "boom" } },
          "The add tool failed.",
        ],
      },
      { type: "user", text: "Thanks" },
      { type: "model", response: [] },
    ]);
  });

  it("offers no functions for toolChoice none and only the named one for toolChoice tool", () => {
    const add = { ...calculator, name: "add" };
    const prompt = [{ role: "user" as const, content: [{ type: "text" as const, text: "hi" }] }];
    expect(
      convertPrompt({ prompt, tools: [calculator, add], toolChoice: { type: "none" } }).functions,
    ).toBeUndefined();
    expect(
      Object.keys(
        convertPrompt({
          prompt,
          tools: [calculator, add],
          toolChoice: { type: "tool", toolName: "add" },
        }).functions ?? {},
      ),
    ).toEqual(["add"]);
    const required = convertPrompt({
      prompt,
      tools: [calculator],
      toolChoice: { type: "required" },
    });
    expect(required.warnings).toEqual([
      expect.objectContaining({ type: "unsupported", feature: "toolChoice: required" }),
    ]);
  });

  it("warns about file parts instead of dropping them silently", () => {
    const { history, warnings } = convertPrompt({
      prompt: [
        {
          role: "user",
          content: [
            { type: "text", text: "Look:" },
            {
              type: "file",
              mediaType: "image/png",
              data: { type: "data", data: new Uint8Array([1]) },
            },
          ],
        },
      ],
    });
    expect(history[0]).toEqual({ type: "user", text: "Look:" });
    expect(warnings).toEqual([
      expect.objectContaining({ type: "unsupported", feature: "file parts" }),
    ]);
  });
});
