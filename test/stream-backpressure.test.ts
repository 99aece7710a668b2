import { setTimeout as delay } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { LLMTeam, type StreamEvent } from "llmteam";
import { ScriptedModel } from "llmteam/testing";

describe("a slow stream consumer", () => {
  it("pauses the run at the buffer limit and still receives every event in order", async () => {
    const chunks = Array.from({ length: 2_000 }, (_, index) => `t${index} `);
    const team = new LLMTeam({
      teamId: "t",
      model: "m/x",
      streamBufferSize: 16,
      models: { "m/x": new ScriptedModel({ responses: [{ chunks }] }) },
    });
    team.addAgent({ type: "llm", role: "writer", prompt: "{query}" });
    const stream = team.stream({ query: "go" });
    const iterator = stream[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value?.type).toBe("run_started");

    await delay(50); // the run would produce all 2,000 tokens now if nothing held it back
    expect(stream.buffered).toBeLessThanOrEqual(16);
    expect(stream.buffered).toBeGreaterThan(0);

    const events: StreamEvent[] = [first.value!];
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      events.push(next.value);
      if (events.length % 100 === 0) await delay(1);
    }
    const tokens = events.flatMap((event) => (event.type === "token" ? [event.data.token] : []));
    expect(tokens).toEqual(chunks);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect((await stream.result).finalOutput).toBe(chunks.join(""));
  });

  it("gives each event as a plain dict and as an SSE frame", async () => {
    const team = new LLMTeam({
      teamId: "t",
      model: "m/x",
      models: { "m/x": new ScriptedModel({ responses: [{ chunks: ["a\nb"] }] }) },
    });
    team.addAgent({ type: "llm", role: "w", prompt: "{query}" });
    const events: StreamEvent[] = [];
    for await (const event of team.stream("q")) events.push(event);
    const token = events.find((event) => event.type === "token")!;
    expect(token.toDict()).toEqual({
      type: "token",
      runId: token.runId,
      seq: token.seq,
      timestamp: token.timestamp,
      agentId: "w",
      agentPath: "t/w",
      data: { token: "a\nb" },
    });
    expect(token.toSSE()).toBe(
      `event: token\nid: ${token.seq}\ndata: ${JSON.stringify(token.toDict())}\n\n`,
    );
  });
});

describe("awaiting a stream's result without reading its events", () => {
  const chunks = Array.from({ length: 3_000 }, (_, index) => `t${index} `);
  const writerTeam = (streamBufferSize?: number) => {
    const team = new LLMTeam({
      teamId: "t",
      model: "m/x",
      ...(streamBufferSize ? { streamBufferSize } : {}),
      models: { "m/x": new ScriptedModel({ responses: [{ chunks }] }) },
    });
    team.addAgent({ type: "llm", role: "writer", prompt: "{query}" });
    return team;
  };

  it("resolves past the default buffer of 1,024 events", async () => {
    const result = await writerTeam().stream({ query: "go" }).result;
    expect(result.success).toBe(true);
    expect(result.finalOutput).toBe(chunks.join(""));
  });

  it("resolves when result is asked for after the buffer has filled", async () => {
    const stream = writerTeam(16).stream({ query: "go" });
    await delay(20);
    expect(stream.buffered).toBe(16);
    expect((await stream.result).finalOutput).toBe(chunks.join(""));
  });

  it("fails a late iteration, saying the events were discarded", async () => {
    const stream = writerTeam(16).stream({ query: "go" });
    await stream.result;
    await expect(stream[Symbol.asyncIterator]().next()).rejects.toThrow(/events were discarded/);
  });

  it("still delivers every event to a consumer that asked for result first", async () => {
    const stream = writerTeam(16).stream({ query: "go" });
    const result = stream.result;
    let tokens = 0;
    for await (const event of stream) if (event.type === "token") tokens += 1;
    expect(tokens).toBe(chunks.length);
    expect((await result).success).toBe(true);
  });
});
