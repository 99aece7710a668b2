import { describe, expect, it } from "vitest";
import { canonicalJson } from "./run-log-hash.js";

describe("canonicalJson", () => {
  it("sorts keys at every depth and otherwise writes what JSON.stringify writes", () => {
    const value = {
      b: [3, { z: 1, y: [{ d: 1, c: 2 }] }],
      a: 'quote " and \n',
      skipped: undefined,
      fn: () => 1,
      when: new Date(Date.UTC(2026, 0, 1)),
      numbers: [Number.NaN, Infinity, -0, 1e21, 1.5e-7],
      holes: [undefined, null],
    };
    expect(canonicalJson(value)).toBe(
      '{"a":"quote \\" and \\n","b":[3,{"y":[{"c":2,"d":1}],"z":1}],"holes":[null,null],' +
        '"numbers":[null,null,0,1e+21,1.5e-7],"when":"2026-01-01T00:00:00.000Z"}',
    );
    expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
  });

  it("writes the same text for the same value built in another key order", () => {
    expect(canonicalJson({ type: "token", seq: 1, data: { token: "a" } })).toBe(
      canonicalJson({ data: { token: "a" }, seq: 1, type: "token" }),
    );
    expect(canonicalJson(undefined)).toBe("null");
  });

  it("escapes strings as JSON.stringify does: quotes, controls, surrogates, keys too", () => {
    const strings = [
      "plain",
      'a "q"',
      "back\\slash",
      "tab\tnew\n\u0001",
      "\ud83d\ude00 é",
      "\ud800 lone",
      "\u2028",
    ];
    for (const text of strings) expect(canonicalJson(text)).toBe(JSON.stringify(text));
    expect(canonicalJson({ 'k"\n': 1, "10": 2, "9": 3 })).toBe('{"10":2,"9":3,"k\\"\\n":1}');
  });
});
