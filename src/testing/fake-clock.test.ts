import { describe, expect, it } from "vitest";
import { FakeClock } from "llmteam/testing";

describe("FakeClock", () => {
  it("wakes sleepers in time order only when advanced past their time", async () => {
    const clock = new FakeClock(0);
    const woke: string[] = [];
    void clock.sleep(300).then(() => woke.push("late"));
    void clock.sleep(100).then(() => woke.push("early"));
    await clock.advance(99);
    expect(woke).toEqual([]);
    await clock.advance(1);
    expect(woke).toEqual(["early"]);
    await clock.advance(500);
    expect(woke).toEqual(["early", "late"]);
    expect(clock.now()).toBe(600);
  });

  it("runs sleeps scheduled by woken code within the same advance", async () => {
    const clock = new FakeClock(0);
    const times: number[] = [];
    void (async () => {
      for (let index = 0; index < 3; index++) {
        await clock.sleep(10);
        times.push(clock.now());
      }
    })();
    await clock.advance(30);
    expect(times).toEqual([10, 20, 30]);
  });

  it("rejects a sleep with the signal's reason on abort", async () => {
    const clock = new FakeClock(0);
    const controller = new AbortController();
    const sleeping = clock.sleep(1_000, controller.signal);
    controller.abort(new Error("stop"));
    await expect(sleeping).rejects.toThrow("stop");
    expect(clock.pendingSleeps).toBe(0);
  });
});
