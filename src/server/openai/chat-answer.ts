import type { StreamEvent } from "../../events/stream-event.js";
import { outputText } from "./openai-wire.js";

/** Between two stretches of text the answering agent streamed (a tool round, a retry). */
const SEPARATOR = "\n\n";

/**
 * The text of a chat's answer as a run goes: the tokens of the answering agent (see
 * `answeringAgentOf`) as they come, then, when the run completes, whatever of its final output
 * they did not already say.
 *
 * A stretch of tokens ends when the agent starts a tool round, its model call is retried or
 * falls back, or its step runs again: text already sent cannot be taken back in OpenAI's
 * format, so the next stretch follows after a blank line, and the final output is checked
 * against the last stretch only.
 */
export class ChatAnswer {
  /** The last stretch of the agent's tokens. */
  private stretch = "";
  private sentAny = false;

  /** @param agentPath the answering agent's path (`teamId/agentId`); undefined: none streams. */
  constructor(private readonly agentPath: string | undefined) {}

  /** The text to send for `event`, if any. */
  take(event: StreamEvent): string | undefined {
    if (this.agentPath === undefined || event.agentPath !== this.agentPath) return undefined;
    switch (event.type) {
      case "token": {
        const token = event.data.token;
        if (token === "") return undefined;
        const text = this.stretch === "" && this.sentAny ? SEPARATOR + token : token;
        this.stretch += token;
        this.sentAny = true;
        return text;
      }
      case "agent_started":
      case "tool_call":
      case "retry":
      case "fallback":
        this.stretch = "";
        return undefined;
      default:
        return undefined;
    }
  }

  /** What is left to send of the final output: its rest after the last stretch, else all of it. */
  rest(output: unknown): string {
    const text = outputText(output);
    if (this.stretch !== "" && text.startsWith(this.stretch))
      return text.slice(this.stretch.length);
    if (text === "") return "";
    return this.sentAny ? SEPARATOR + text : text;
  }
}
