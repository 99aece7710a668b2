import type {
  LanguageModelV4CallOptions,
  LanguageModelV4ToolResultOutput,
  SharedV4Warning,
} from "@ai-sdk/provider";
import type {
  ChatHistoryItem,
  ChatModelFunctionCall,
  ChatModelFunctions,
  ChatModelResponse,
} from "node-llama-cpp";
import { toGrammarSchema } from "./to-grammar-schema.js";

/** A prompt in node-llama-cpp's terms, ready for `LlamaChat.generateResponse`. */
export interface ConvertedPrompt {
  /** Chat history ending with the model response to generate (empty, or partial after tool results). */
  history: ChatHistoryItem[];
  /** Functions the model may call, or undefined when none are offered. */
  functions: ChatModelFunctions | undefined;
  warnings: SharedV4Warning[];
}

/**
 * Converts an AI SDK prompt to a node-llama-cpp chat history. Tool calls of an assistant message
 * and the tool results that follow become one model response with `functionCall` items (the
 * shape node-llama-cpp renders with the model's chat template). When the prompt ends with tool
 * results, the last model response is left open so that the model continues after them.
 */
export function convertPrompt(
  options: Pick<LanguageModelV4CallOptions, "prompt" | "tools" | "toolChoice">,
): ConvertedPrompt {
  const warnings: SharedV4Warning[] = [];
  const history: ChatHistoryItem[] = [];
  const callsById = new Map<string, ChatModelFunctionCall>();
  let openResponse: ChatModelResponse | undefined;

  for (const message of options.prompt) {
    switch (message.role) {
      case "system":
        openResponse = undefined;
        history.push({ type: "system", text: message.content });
        break;
      case "user": {
        openResponse = undefined;
        const texts: string[] = [];
        for (const part of message.content) {
          if (part.type === "text") texts.push(part.text);
          else
            warnings.push({
              type: "unsupported",
              feature: "file parts",
              details: `Local models read text only; a ${part.mediaType} file was left out.`,
            });
        }
        history.push({ type: "user", text: texts.join("\n") });
        break;
      }
      case "assistant": {
        // An assistant message right after tool results continues the same model response.
        const response = openResponse ?? { type: "model", response: [] };
        if (!openResponse) history.push(response);
        openResponse = undefined;
        for (const part of message.content) {
          if (part.type === "text") {
            if (part.text.length > 0) response.response.push(part.text);
          } else if (part.type === "tool-call") {
            const call: ChatModelFunctionCall = {
              type: "functionCall",
              name: part.toolName,
              params: parseInput(part.input),
              result: undefined,
            };
            callsById.set(part.toolCallId, call);
            response.response.push(call);
          } else if (part.type === "tool-result") {
            const call = callsById.get(part.toolCallId);
            if (call) call.result = toolResultValue(part.output);
          }
        }
        if (
          response.response.some((item) => typeof item === "object" && item.type === "functionCall")
        )
          openResponse = response;
        break;
      }
      case "tool":
        for (const part of message.content) {
          if (part.type !== "tool-result") continue;
          const call = callsById.get(part.toolCallId);
          if (call) call.result = toolResultValue(part.output);
          else
            warnings.push({
              type: "compatibility",
              feature: "tool results",
              details: `Result for unknown tool call "${part.toolCallId}" was left out.`,
            });
        }
        break;
    }
  }

  const last = history.at(-1);
  if (last?.type !== "model" || !openResponse) history.push({ type: "model", response: [] });

  return { history, functions: convertTools(options, warnings), warnings };
}

function convertTools(
  options: Pick<LanguageModelV4CallOptions, "tools" | "toolChoice">,
  warnings: SharedV4Warning[],
): ChatModelFunctions | undefined {
  const choice = options.toolChoice ?? { type: "auto" };
  if (!options.tools || options.tools.length === 0 || choice.type === "none") return undefined;
  if (choice.type === "required") {
    warnings.push({
      type: "unsupported",
      feature: "toolChoice: required",
      details: "Local models treat it as auto: the model may answer without calling a tool.",
    });
  }
  const functions: Record<string, ChatModelFunctions[string]> = {};
  for (const tool of options.tools) {
    if (tool.type !== "function") {
      warnings.push({
        type: "unsupported",
        feature: `provider tool ${tool.id}`,
        details: "Local models run function tools only.",
      });
      continue;
    }
    if (choice.type === "tool" && tool.name !== choice.toolName) continue;
    functions[tool.name] = {
      ...(tool.description ? { description: tool.description } : {}),
      params: toGrammarSchema(tool.inputSchema),
    };
  }
  return Object.keys(functions).length > 0 ? functions : undefined;
}

function parseInput(input: unknown): unknown {
  if (typeof input !== "string") return input;
  try {
    return JSON.parse(input) as unknown;
  } catch {
    return input;
  }
}

/** The value the model sees after `||result:` (or the template's equivalent). */
function toolResultValue(output: LanguageModelV4ToolResultOutput): unknown {
  switch (output.type) {
    case "text":
      return output.value;
    case "json":
      return output.value;
    case "error-text":
      return { error: output.value };
    case "error-json":
      return { error: output.value };
    case "execution-denied":
      return { error: `Tool execution denied${output.reason ? `: ${output.reason}` : ""}` };
    case "content":
      return output.value
        .filter((part) => part.type === "text")
        .map((part) => part.text)
        .join("\n");
  }
}
