import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One answer of the fake server. */
export interface WireReply {
  text?: string;
  /** Deltas for a streamed answer (default: the text split in words). */
  chunks?: string[];
  toolCalls?: { name: string; arguments: string }[];
  usage?: { prompt_tokens: number; completion_tokens: number; cached_tokens?: number };
  status?: number;
  headers?: Record<string, string>;
  /** Error body for a non-200 status. */
  error?: string;
  /** Raw body for a non-200 status, sent as it is (e.g. llama.cpp's 404 page). */
  rawError?: string;
  /**
   * A fault: `cut` destroys the connection, `freeze` stops answering but keeps it open.
   * `afterChunks` is how many text deltas of a streamed answer go out first (`0`: only the
   * headers and the role chunk); without it the fault strikes before the response headers.
   */
  fault?: { kind: "cut" | "freeze"; afterChunks?: number };
  /** Streamed answers: wait this long before each delta (so concurrent streams overlap). */
  chunkDelayMs?: number;
  /** Wait this long before answering at all (a model's latency). */
  delayMs?: number;
}

/** A request the server received. */
export interface WireRequest {
  path: string;
  headers: IncomingMessage["headers"];
  body: Record<string, unknown>;
}

/**
 * A real HTTP server on 127.0.0.1 speaking the OpenAI chat-completions wire format,
 * plain JSON and streamed SSE with a final usage chunk, with scripted faults (a cut or frozen
 * connection, an error status). `replies` is a queue, or a function of each request.
 */
export async function startOpenAIWireServer(
  replies: WireReply[] | ((request: WireRequest) => WireReply | undefined),
): Promise<{
  baseURL: string;
  requests: WireRequest[];
  close: () => Promise<void>;
}> {
  const requests: WireRequest[] = [];
  const server: Server = createServer((request, response) => {
    let raw = "";
    request.on("data", (chunk: Buffer) => (raw += chunk.toString("utf8")));
    request.on("end", () => void respond());
    const respond = async () => {
      const body = JSON.parse(raw || "{}") as Record<string, unknown>;
      const received = { path: request.url ?? "", headers: request.headers, body };
      requests.push(received);
      const reply = typeof replies === "function" ? replies(received) : replies.shift();
      if (!reply) {
        response.writeHead(500, { "content-type": "application/json" });
        response.end(JSON.stringify({ error: { message: "no reply scripted" } }));
        return;
      }
      if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
      if (reply.fault && reply.fault.afterChunks === undefined) {
        if (reply.fault.kind === "cut") request.socket.destroy();
        return;
      }
      if (reply.status && reply.status !== 200) {
        if (reply.rawError !== undefined) {
          response.writeHead(reply.status, { "content-type": "text/plain", ...reply.headers });
          response.end(reply.rawError);
          return;
        }
        response.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
        response.end(
          JSON.stringify({
            error: { message: reply.error ?? `status ${reply.status}`, type: "test" },
          }),
        );
        return;
      }
      const usage = reply.usage ?? { prompt_tokens: 10, completion_tokens: 5 };
      const wireUsage = {
        prompt_tokens: usage.prompt_tokens,
        completion_tokens: usage.completion_tokens,
        total_tokens: usage.prompt_tokens + usage.completion_tokens,
        ...(usage.cached_tokens === undefined
          ? {}
          : { prompt_tokens_details: { cached_tokens: usage.cached_tokens } }),
      };
      const toolCalls = reply.toolCalls?.map((call, index) => ({
        index,
        id: `call_${index}`,
        type: "function",
        function: { name: call.name, arguments: call.arguments },
      }));
      const finish = toolCalls ? "tool_calls" : "stop";
      const base = { id: "chatcmpl-1", created: 1_700_000_000, model: String(body.model) };
      if (!body.stream) {
        response.writeHead(200, { "content-type": "application/json", ...reply.headers });
        response.end(
          JSON.stringify({
            ...base,
            object: "chat.completion",
            choices: [
              {
                index: 0,
                message: { role: "assistant", content: reply.text ?? null, tool_calls: toolCalls },
                finish_reason: finish,
              },
            ],
            usage: wireUsage,
          }),
        );
        return;
      }
      response.writeHead(200, { "content-type": "text/event-stream", ...reply.headers });
      const send = (payload: unknown): boolean =>
        response.write(`data: ${JSON.stringify(payload)}\n\n`);
      const chunks = reply.chunks ?? (reply.text ? (reply.text.match(/\s*\S+\s*/g) ?? []) : []);
      send({
        ...base,
        object: "chat.completion.chunk",
        choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }],
      });
      for (const [index, delta] of chunks.entries()) {
        if (reply.fault && index === reply.fault.afterChunks) {
          // Cut once what was written has reached the client.
          if (reply.fault.kind === "cut") setTimeout(() => request.socket.destroy(), 30);
          return;
        }
        if (reply.chunkDelayMs)
          await new Promise((resolve) => setTimeout(resolve, reply.chunkDelayMs));
        send({
          ...base,
          object: "chat.completion.chunk",
          choices: [{ index: 0, delta: { content: delta }, finish_reason: null }],
        });
      }
      if (toolCalls)
        send({
          ...base,
          object: "chat.completion.chunk",
          choices: [{ index: 0, delta: { tool_calls: toolCalls }, finish_reason: null }],
        });
      send({
        ...base,
        object: "chat.completion.chunk",
        choices: [{ index: 0, delta: {}, finish_reason: finish }],
      });
      send({ ...base, object: "chat.completion.chunk", choices: [], usage: wireUsage });
      response.end("data: [DONE]\n\n");
    };
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        // Frozen connections would keep the server open.
        server.closeAllConnections();
      }),
  };
}
