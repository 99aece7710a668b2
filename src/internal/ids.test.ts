import { describe, expect, it } from "vitest";
import { newRunId } from "./ids.js";

describe("newRunId", () => {
  it("is run_ and a version 4 UUID", () => {
    for (let index = 0; index < 600; index++) {
      expect(newRunId()).toMatch(
        /^run_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
    }
  });

  it("does not repeat across refills of its random pool", () => {
    const ids = new Set(Array.from({ length: 2_000 }, () => newRunId()));
    expect(ids.size).toBe(2_000);
  });

  it("uses every hex digit in every free position", () => {
    const seen = Array.from({ length: 36 }, () => new Set<string>());
    for (let index = 0; index < 2_000; index++) {
      const uuid = newRunId().slice(4);
      for (let at = 0; at < 36; at++) seen[at]!.add(uuid[at]!);
    }
    const sizes = seen.map((digits) => digits.size);
    // Dashes at 8, 13, 18, 23; the version digit at 14; the variant digit at 19 takes 8, 9, a, b.
    expect(sizes).toEqual(
      sizes.map((_, at) => ([8, 13, 18, 23, 14].includes(at) ? 1 : at === 19 ? 4 : 16)),
    );
  });
});
