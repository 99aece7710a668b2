import { describe, expect, it } from "vitest";
import { windowAt } from "./budget-window.js";

describe("windowAt", () => {
  it("gives UTC calendar hours, days and months", () => {
    const now = Date.UTC(2026, 1, 14, 17, 42, 5);
    expect(windowAt("hour", "calendar", now)).toMatchObject({
      windowStartMs: Date.UTC(2026, 1, 14, 17),
      windowEndMs: Date.UTC(2026, 1, 14, 18),
    });
    expect(windowAt("day", "calendar", now)).toMatchObject({
      windowStartMs: Date.UTC(2026, 1, 14),
      windowEndMs: Date.UTC(2026, 1, 15),
    });
    expect(windowAt("month", "calendar", now)).toMatchObject({
      bucketStartMs: Date.UTC(2026, 1, 1),
      windowStartMs: Date.UTC(2026, 1, 1),
      windowEndMs: Date.UTC(2026, 2, 1),
    });
    expect(windowAt("month", "calendar", Date.UTC(2026, 11, 31, 23)).windowEndMs).toBe(
      Date.UTC(2027, 0, 1),
    );
  });

  it("covers a rolling period in 60 slices, keeping spend at least a full period", () => {
    const now = Date.UTC(2026, 1, 14, 17, 42, 5);
    const position = windowAt("hour", "rolling", now);
    expect(position.bucketStartMs).toBe(Date.UTC(2026, 1, 14, 17, 42));
    expect(position.windowStartMs).toBe(Date.UTC(2026, 1, 14, 16, 42));
    expect(now - position.windowStartMs).toBeGreaterThanOrEqual(3_600_000);
    expect(windowAt("day", "rolling", now).bucketStartMs % (24 * 60_000)).toBe(0);
    expect(windowAt("month", "rolling", now).windowStartMs).toBe(
      windowAt("month", "rolling", now).bucketStartMs - 30 * 86_400_000,
    );
  });
});
