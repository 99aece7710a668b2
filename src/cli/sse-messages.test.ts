import { describe, expect, it } from "vitest";
import { readSseMessages, type SseMessage } from "./sse-messages.js";

/** A body that arrives in the given pieces. */
function body(pieces: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const piece of pieces) controller.enqueue(encoder.encode(piece));
      controller.close();
    },
  });
}

async function read(pieces: string[]): Promise<SseMessage[]> {
  const messages: SseMessage[] = [];
  for await (const message of readSseMessages(body(pieces))) messages.push(message);
  return messages;
}

describe("readSseMessages", () => {
  it("reads messages whatever the line endings and however the bytes are split", async () => {
    const text =
      'retry: 2000\r\n\r\n: heartbeat\r\nevent: token\r\nid: 7\r\ndata: {"a":\r\ndata: 1}\r\n\r\ndata:x\n\n';
    const expected: SseMessage[] = [
      { event: undefined, data: "", id: undefined, retryMs: 2000 },
      { event: "token", data: '{"a":\n1}', id: "7", retryMs: undefined },
      { event: undefined, data: "x", id: undefined, retryMs: undefined },
    ];
    expect(await read([text])).toEqual(expected);
    // One byte at a time: a \r\n split in two is one line end, not two.
    expect(await read([...text])).toEqual(expected);
  });

  it("drops a message the stream cut before its blank line", async () => {
    expect(await read(["data: whole\n\ndata: cut"])).toEqual([
      { event: undefined, data: "whole", id: undefined, retryMs: undefined },
    ]);
  });
});
