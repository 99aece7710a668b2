import { describe, expect, it } from "vitest";
import { FakeClock, ScriptedModel } from "llmteam/testing";

const prompt = [{ role: "user" as const, content: [{ type: "text" as const, text: "hi" }] }];

describe("ScriptedModel streams", () => {
  it("sends each text delta chunkDelayMs after the previous one, on the model's clock", async () => {
    const clock = new FakeClock(0);
    const model = new ScriptedModel({
      clock,
      responses: [{ chunks: ["one ", "two ", "three"], chunkDelayMs: 100 }],
    });
    const { stream } = await model.doStream({ prompt });
    const deltas: string[] = [];
    const reader = stream.getReader();
    const reading = (async () => {
      for (let read = await reader.read(); !read.done; read = await reader.read()) {
        if (read.value.type === "text-delta") deltas.push(read.value.delta);
      }
    })();
    await clock.advance(99);
    expect(deltas).toEqual([]);
    await clock.advance(1);
    expect(deltas).toEqual(["one "]);
    await clock.advance(100);
    expect(deltas).toEqual(["one ", "two "]);
    await clock.advance(100);
    await reading;
    expect(deltas).toEqual(["one ", "two ", "three"]);
  });

  it("stops a paced stream with the signal's reason when the call is aborted", async () => {
    const clock = new FakeClock(0);
    const model = new ScriptedModel({
      clock,
      responses: [{ chunks: ["a", "b"], chunkDelayMs: 50 }],
    });
    const controller = new AbortController();
    const { stream } = await model.doStream({ prompt, abortSignal: controller.signal });
    const reader = stream.getReader();
    expect((await reader.read()).value?.type).toBe("stream-start");
    expect((await reader.read()).value?.type).toBe("text-start");
    const next = reader.read(); // the first delta waits 50 ms
    expect(clock.pendingSleeps).toBe(1);
    controller.abort(new Error("stop"));
    await expect(next).rejects.toThrow("stop");
  });
});
