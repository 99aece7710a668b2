import { describe, expect, it } from "vitest";
import { ToolExecutor, builtinTools, extractJsonPath } from "../index.js";

const document = {
  a: { b: [{ c: 42 }, { c: 43, "d.e": "dotted" }] },
  items: [
    { id: 1, tags: ["x"] },
    { id: 2, tags: [] },
  ],
  "key with space": true,
};

describe("json_extract", () => {
  it.each([
    ["a.b[0].c", 42],
    ["$.a.b[1].c", 43],
    ["a.b[-1].c", 43],
    ['a.b[1]["d.e"]', "dotted"],
    ["['key with space']", true],
    ["items[*].id", [1, 2]],
    ["items.*.id", [1, 2]],
    ["items[*].tags[0]", ["x"]],
    ["$", document],
    ["", document],
  ])("%s", (path, expected) => {
    expect(extractJsonPath(document, path)).toEqual(expected);
  });

  it.each([
    ["a.x", 'No key "x" at "$.a". Keys there: b.'],
    ["a.b[5]", 'Index 5 is out of range at "$.a.b" (length 2).'],
    ["a.b.c", 'No key "c" at "$.a.b". It is an array of 2.'],
    ["a.b[0].c[0]", '"$.a.b[0].c" is a number (42), not an array'],
    ["a..b", "Invalid path \"a..b\" at position 3: expected a key after '.'"],
    ["a[x]", 'expected a number, "*" or a quoted key inside [], found "x"'],
    ["a[0", "missing ']'"],
  ])("refuses %s", (path, message) => {
    expect(() => extractJsonPath(document, path)).toThrow(message);
  });

  it("parses the JSON text the model gives and limits its size", async () => {
    const executor = new ToolExecutor({ tools: [builtinTools.jsonExtract({ maxChars: 50 })] });
    expect(
      (
        await executor.execute("json_extract", {
          json: '{"user":{"name":"Ada"}}',
          path: "user.name",
        })
      ).output,
    ).toBe("Ada");
    expect((await executor.execute("json_extract", { json: "{oops", path: "a" })).error).toMatch(
      /The "json" argument is not valid JSON/,
    );
    expect(
      (await executor.execute("json_extract", { json: `[${"1,".repeat(40)}1]`, path: "[0]" }))
        .error,
    ).toMatch(/too long \(83 characters, limit 50\)/);
  });
});

describe("json_extract on hostile input", () => {
  it.each([
    ["['", "\\".repeat(10_000)],
    ['["', "\\".repeat(10_000)],
    ["['a", "\\'".repeat(5_000)],
    ["[", "[".repeat(10_000)],
    ["a.", "b.".repeat(5_000)],
    ["", "[0]".repeat(3_400)],
  ])("parses a 10k-character path (%s…) in linear time", (head, tail) => {
    const startedMs = performance.now();
    expect(() => extractJsonPath({ a: 1 }, head + tail)).toThrow(
      /Invalid path|No key|Index|not an array/,
    );
    expect(performance.now() - startedMs).toBeLessThan(1_000);
  });

  it("reads quoted keys with escapes and reports an unclosed quote", () => {
    expect(extractJsonPath({ "it's": 1 }, "['it\\'s']")).toBe(1);
    expect(extractJsonPath({ 'a"b\\': 2 }, '[ "a\\"b\\\\" ]')).toBe(2);
    expect(() => extractJsonPath({}, "['abc")).toThrow("missing closing ' of a quoted key");
    expect(() => extractJsonPath({}, "['abc' x]")).toThrow('expected "]" after the quoted key');
  });

  it("maps [*] over a 1,000,000-element array", () => {
    const items = Array.from({ length: 1_000_000 }, (_, index) => ({ id: index }));
    const ids = extractJsonPath({ items }, "items[*].id") as number[];
    expect(ids).toHaveLength(1_000_000);
    expect(ids[999_999]).toBe(999_999);
    expect((extractJsonPath({ items }, "items[*]") as unknown[]).length).toBe(1_000_000);
  });
});
