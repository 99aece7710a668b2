import { describe, expect, it } from "vitest";
import { SseFrameParser } from "./sse-frames.js";

describe("SseFrameParser", () => {
  it("parses frames cut anywhere, with any line ending, skipping comments", () => {
    const text =
      'retry: 2000\n\nevent: token\r\nid: 7\r\ndata: {"a":\r\ndata: 1}\r\n\r\n: heartbeat\n\nid: 8\rdata: x\r\r\n';
    for (const size of [1, 2, 5, text.length]) {
      const parser = new SseFrameParser();
      const frames = [];
      for (let index = 0; index < text.length; index += size)
        frames.push(...parser.push(text.slice(index, index + size)));
      expect(frames).toEqual([
        { event: undefined, id: undefined, data: "", retry: 2000 },
        { event: "token", id: "7", data: '{"a":\n1}', retry: undefined },
        { event: undefined, id: "8", data: "x", retry: undefined },
      ]);
    }
  });

  it("keeps the last id for a frame without one, as the standard says", () => {
    const parser = new SseFrameParser();
    expect(parser.push("id: 3\ndata: a\n\ndata: b\n\n").map((frame) => frame.id)).toEqual([
      "3",
      "3",
    ]);
  });
});
