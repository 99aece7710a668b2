import type { StreamEvent } from "../../events/stream-event.js";
import type { LiveRun } from "../live-runs.js";
import { nextOrBeat } from "../sse-response.js";
import { ChatAnswer } from "./chat-answer.js";
import { completionChunk, openAIUsage, type CompletionIdentity } from "./openai-wire.js";
import { runFailureMessage } from "./run-failure-problem.js";

const encoder = new TextEncoder();

/** Options of {@link streamChatCompletion}. */
export interface ChatStreamOptions {
  live: LiveRun;
  identity: CompletionIdentity;
  answer: ChatAnswer;
  /** `stream_options.include_usage`: a last chunk with the run's usage (and `usage: null` before). */
  includeUsage: boolean;
  /** A comment line goes to the client after this long without a chunk, in ms. */
  heartbeatMs: number;
  /** The client went away before the run ended. */
  onAbandon: () => void;
}

/**
 * A chat completion streamed as OpenAI does: `chat.completion.chunk` objects as SSE `data:`
 * lines — the assistant role, the answer's text deltas, a chunk with `finish_reason: "stop"`,
 * the usage chunk when asked — then `data: [DONE]`. A run that does not complete ends the
 * stream with `data: {"error": {...}}` (what OpenAI clients raise as an error), no `[DONE]`.
 *
 * Waits for the run's first event, so a run that cannot start is an error response, not a
 * stream. @throws what stopped the run from starting.
 */
export async function streamChatCompletion(options: ChatStreamOptions): Promise<Response> {
  const events = options.live.handle[Symbol.asyncIterator]();
  const first = await events.next();
  const frames = chunkFrames(options, first, events);
  let pending: Promise<IteratorResult<string>> | undefined;
  let ended = false;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      pending ??= frames.next();
      const next = await nextOrBeat(pending, options.heartbeatMs);
      if (next === "beat") {
        controller.enqueue(encoder.encode(": keep-alive\n\n"));
        return;
      }
      pending = undefined;
      if (next.done) {
        ended = true;
        controller.close();
        return;
      }
      controller.enqueue(encoder.encode(next.value));
    },
    cancel() {
      if (!ended) options.onAbandon();
      void frames.return(undefined).catch(() => undefined);
    },
  });
  return new Response(stream, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
      "x-llmteam-run-id": options.live.runId,
    },
  });
}

async function* chunkFrames(
  options: ChatStreamOptions,
  first: IteratorResult<StreamEvent>,
  events: AsyncIterator<StreamEvent>,
): AsyncGenerator<string> {
  const { identity, answer, live } = options;
  const usage = options.includeUsage ? { usage: null } : {};
  const chunk = (content: string) => frame(completionChunk(identity, { content }, usage));
  yield frame(completionChunk(identity, { role: "assistant", content: "" }, usage));
  for (let next = first; !next.done; next = await events.next()) {
    const text = answer.take(next.value);
    if (text !== undefined) yield chunk(text);
  }
  const result = await live.handle.result;
  if (!result.success) {
    const message = runFailureMessage(result);
    yield frame({ error: { message, type: "run_failed", param: null, code: result.status } });
    return;
  }
  const rest = answer.rest(result.finalOutput);
  if (rest !== "") yield chunk(rest);
  yield frame(completionChunk(identity, {}, { finishReason: "stop", ...usage }));
  if (options.includeUsage)
    yield frame(completionChunk(identity, undefined, { usage: openAIUsage(result.usage) }));
  yield "data: [DONE]\n\n";
}

function frame(value: unknown): string {
  return `data: ${JSON.stringify(value)}\n\n`;
}
