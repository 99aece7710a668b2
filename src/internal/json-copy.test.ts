import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jsonCopy } from "./json-copy.js";

/** What the copy must equal: the value written as JSON and read back. */
function roundTrip(value: unknown): unknown {
  const text = JSON.stringify(value);
  return text === undefined ? undefined : (JSON.parse(text) as unknown);
}

describe("jsonCopy", () => {
  it("copies any value as JSON.parse(JSON.stringify()) does, keys in the same order", () => {
    fc.assert(
      fc.property(
        fc.anything({
          withBoxedValues: true,
          withNullPrototype: true,
          withSparseArray: true,
          withDate: true,
          withMap: true,
          withSet: true,
          withTypedArray: true,
          withObjectString: true,
        }),
        (value) => {
          const copy = jsonCopy(value);
          expect(copy).toEqual(roundTrip(value));
          expect(JSON.stringify(copy)).toBe(JSON.stringify(value));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("keeps the cases JSON treats apart: toJSON with its key, -0, __proto__, undefined", () => {
    const value = {
      when: new Date(Date.UTC(2026, 0, 1)),
      keyed: { toJSON: (key: string) => `key:${key}` },
      list: [
        undefined,
        () => 1,
        Number.NaN,
        -0,
        new String("boxed"),
        { toJSON: (key: string) => key },
      ],
      ["__proto__"]: { polluted: true },
      gone: undefined,
    };
    Object.defineProperty(value, "__proto__", {
      value: { polluted: true },
      enumerable: true,
    });
    const copy = jsonCopy(value) as Record<string, unknown>;
    expect(JSON.stringify(copy)).toBe(JSON.stringify(value));
    expect(Object.is((copy.list as unknown[])[3], 0)).toBe(true);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toContain("__proto__");
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it("throws for a cycle and a BigInt, as JSON.stringify does", () => {
    const cyclic: Record<string, unknown> = { name: "loop" };
    cyclic.self = cyclic;
    expect(() => jsonCopy(cyclic)).toThrow(TypeError);
    expect(() => jsonCopy({ big: 1n })).toThrow(TypeError);
    const deep = JSON.parse("[".repeat(300) + "1" + "]".repeat(300)) as unknown;
    expect(jsonCopy(deep)).toEqual(deep);
  });
});
