import { describe, expect, it } from "vitest";
import { encodeSSE, eventFromJSON, toSSEStream } from "llmteam";

describe("SSE encoding", () => {
  it("splits multi-line data into one data line per line", () => {
    expect(encodeSSE("token", 3, "a\nb\r\nc")).toBe(
      "event: token\nid: 3\ndata: a\ndata: b\ndata: c\n\n",
    );
  });

  it("frames an event with its type, seq and JSON payload, unicode intact", () => {
    const event = eventFromJSON({
      type: "token",
      runId: "run-1",
      seq: 7,
      timestamp: 0,
      agentId: "writer",
      data: { token: "héllo 👋\nworld" },
    });
    const frame = event.toSSE();
    expect(frame.startsWith("event: token\nid: 7\ndata: ")).toBe(true);
    const json = frame.split("\n")[2]!.slice("data: ".length);
    expect(JSON.parse(json)).toMatchObject({ seq: 7, data: { token: "héllo 👋\nworld" } });
  });

  it("turns events into a byte stream of frames", async () => {
    async function* events() {
      yield eventFromJSON({
        type: "token",
        runId: "r",
        seq: 1,
        timestamp: 0,
        data: { token: "a" },
      });
      yield eventFromJSON({
        type: "token",
        runId: "r",
        seq: 2,
        timestamp: 0,
        data: { token: "b" },
      });
    }
    const text = await new Response(toSSEStream(events())).text();
    expect(text.match(/^event: token$/gm)).toHaveLength(2);
    expect(text).toContain("id: 2\n");
  });
});
