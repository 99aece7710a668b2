import { describe, expect, it } from "vitest";
import { FakeClock } from "llmteam/testing";
import { ToolExecutor, builtinTools, currentTimeIn } from "../index.js";

describe("current_time", () => {
  it("gives the time in the zone asked for, with its offset", async () => {
    const clock = new FakeClock(Date.UTC(2026, 6, 1, 12, 30, 15));
    const executor = new ToolExecutor({ tools: [builtinTools.currentTime({ clock })] });
    expect((await executor.execute("current_time", { timezone: "Europe/Berlin" })).output).toEqual({
      iso: "2026-07-01T12:30:15.000Z",
      timezone: "Europe/Berlin",
      localTime: "2026-07-01T14:30:15",
      utcOffset: "+02:00",
      weekday: "Wednesday",
      unixMs: Date.UTC(2026, 6, 1, 12, 30, 15),
    });
    expect((await executor.execute("current_time", {})).output).toMatchObject({
      timezone: "UTC",
      localTime: "2026-07-01T12:30:15",
      utcOffset: "+00:00",
    });
  });

  it("handles negative and fractional offsets and the date line", () => {
    const instant = Date.UTC(2026, 0, 1, 2, 0, 0);
    expect(currentTimeIn("America/New_York", instant)).toMatchObject({
      localTime: "2025-12-31T21:00:00",
      utcOffset: "-05:00",
      weekday: "Wednesday",
    });
    expect(currentTimeIn("Asia/Kolkata", instant)).toMatchObject({
      localTime: "2026-01-01T07:30:00",
      utcOffset: "+05:30",
    });
    expect(currentTimeIn("Pacific/Kiritimati", instant)).toMatchObject({
      localTime: "2026-01-01T16:00:00",
      utcOffset: "+14:00",
    });
  });

  it("refuses an unknown zone with examples, at call time and at configuration time", async () => {
    const executor = new ToolExecutor({ tools: [builtinTools.currentTime()] });
    expect((await executor.execute("current_time", { timezone: "Mars/Olympus" })).error).toBe(
      'Tool "current_time" failed: Unknown time zone "Mars/Olympus". Use an IANA name such as "UTC", "Europe/London" or "America/New_York".',
    );
    expect(() => builtinTools.currentTime({ defaultTimezone: "Nowhere/City" })).toThrow(
      'Unknown time zone "Nowhere/City"',
    );
  });
});
