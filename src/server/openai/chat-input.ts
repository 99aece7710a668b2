import { z } from "zod";
import { DEFAULT_INPUTS, inputsJsonSchema, type TeamInputs } from "../../team/team-inputs.js";
import { HttpProblem } from "../http-problem.js";

/** The input a team may declare to get the conversation before the last user message. */
export const HISTORY_INPUT = "history";

const contentPart = z.looseObject({
  type: z.string({ error: 'a content part needs a "type", e.g. "text".' }),
  text: z.string().optional(),
});

/** One message of a chat, as OpenAI clients send it (fields besides these are ignored). */
export const chatMessageSchema = z.looseObject({
  role: z.enum(["system", "developer", "user", "assistant", "tool", "function"], {
    error: "role must be one of system, developer, user, assistant, tool, function.",
  }),
  content: z
    .union([z.string(), z.array(contentPart), z.null()], {
      error: "content must be a string or a list of content parts.",
    })
    .optional(),
});

/** A chat message as the endpoint reads it. */
export type ChatMessage = z.output<typeof chatMessageSchema>;

/** How a chat fills a team's run input: which key gets the text, and whether history is wanted. */
export interface ChatInputMapping {
  /** The input that gets the last user message's text. */
  textKey: string;
  /** How the earlier messages are given (as `history`), when the team declares that input. */
  history: "array" | "text" | undefined;
}

/**
 * Which input of a team a chat's last user message fills: the team's one required string
 * input, else `query` when the team has it. A declared `history` input gets the messages before
 * it (a list of `{ role, content }`, or a transcript when declared as a string).
 * @throws HttpProblem 422 when the team needs inputs a chat cannot give.
 */
export function chatInputMapping(teamId: string, inputs: TeamInputs | undefined): ChatInputMapping {
  const schema = inputsJsonSchema(inputs ?? DEFAULT_INPUTS);
  const properties = schema.properties as Record<string, { type?: unknown }>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const names = Object.keys(properties).filter((name) => name !== HISTORY_INPUT);
  const requiredText = names.filter(
    (name) => required.has(name) && properties[name]?.type === "string",
  );
  const textKey =
    requiredText.length === 1 ? requiredText[0]! : "query" in properties ? "query" : undefined;
  const unfilled = names.filter((name) => required.has(name) && name !== textKey);
  if (textKey === undefined || unfilled.length > 0) {
    throw new HttpProblem(
      422,
      `Team "${teamId}" cannot take its input from a chat: it declares the inputs ${Object.keys(properties).join(", ")}${unfilled.length > 0 ? ` (${unfilled.join(", ")} required)` : ""}, and a chat fills one text input (the team's only required string input, else "query") and "${HISTORY_INPUT}". Start its runs with POST /teams/${teamId}/runs.`,
    );
  }
  const history = properties[HISTORY_INPUT];
  return {
    textKey,
    history: history === undefined ? undefined : history.type === "string" ? "text" : "array",
  };
}

/**
 * The run input of a chat: the last user message's text under the mapping's key, and the
 * messages before it as `history` when the team declares it.
 * @throws HttpProblem 422 without a user message, or for a part that is not text.
 */
export function chatRunInput(
  mapping: ChatInputMapping,
  messages: readonly ChatMessage[],
): Record<string, unknown> {
  const last = messages.findLastIndex((message) => message.role === "user");
  if (last < 0) {
    throw new HttpProblem(
      422,
      'Invalid request body: messages has no message with role "user"; its last one is the team\'s input.',
    );
  }
  const input: Record<string, unknown> = {
    [mapping.textKey]: messageText(messages[last]!, last),
  };
  if (mapping.history === undefined) return input;
  const earlier = messages
    .slice(0, last)
    .map((message, index) => ({ role: message.role, content: messageText(message, index) }));
  input[HISTORY_INPUT] =
    mapping.history === "array"
      ? earlier
      : earlier.map(({ role, content }) => `${role}: ${content}`).join("\n");
  return input;
}

/** The text of a message: its string, or its text parts joined by new lines. */
function messageText(message: ChatMessage, index: number): string {
  const { content } = message;
  if (typeof content === "string") return content;
  if (content === null || content === undefined) return "";
  return content
    .map((part, partIndex) => {
      if (part.type === "text" && typeof part.text === "string") return part.text;
      throw new HttpProblem(
        422,
        `Invalid request body: messages.${index}.content.${partIndex} is a "${part.type}" part; a team takes text only (parts of type "text").`,
      );
    })
    .join("\n");
}
