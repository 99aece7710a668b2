import { describe, expect, it } from "vitest";
import { parseRetryAfter } from "./retry-after.js";

const now = Date.UTC(2026, 0, 1, 12, 0, 0);

describe("parseRetryAfter", () => {
  it("reads Retry-After in seconds, decimals allowed", () => {
    expect(parseRetryAfter({ "retry-after": "2" }, now)).toBe(2_000);
    expect(parseRetryAfter({ "retry-after": "0.5" }, now)).toBe(500);
    expect(parseRetryAfter({ "retry-after": "0" }, now)).toBe(0);
  });

  it("reads Retry-After as an HTTP date, relative to now", () => {
    expect(parseRetryAfter({ "retry-after": "Thu, 01 Jan 2026 12:00:07 GMT" }, now)).toBe(7_000);
  });

  it("gives 0 for an HTTP date in the past", () => {
    expect(parseRetryAfter({ "retry-after": "Thu, 01 Jan 2026 11:00:00 GMT" }, now)).toBe(0);
  });

  it("prefers retry-after-ms, in milliseconds", () => {
    expect(parseRetryAfter({ "retry-after-ms": "1500", "retry-after": "9" }, now)).toBe(1_500);
    expect(parseRetryAfter({ "retry-after-ms": "20.5" }, now)).toBe(20.5);
  });

  it("matches header names in any case, in records and Headers objects", () => {
    expect(parseRetryAfter({ "Retry-After": "3" }, now)).toBe(3_000);
    expect(parseRetryAfter({ "Retry-After-Ms": "40" }, now)).toBe(40);
    expect(parseRetryAfter(new Headers({ "Retry-After": "4" }), now)).toBe(4_000);
    expect(parseRetryAfter(new Headers({ "retry-after-ms": "10" }), now)).toBe(10);
  });

  it("ignores malformed, negative and missing values", () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter({}, now)).toBeUndefined();
    expect(parseRetryAfter({ "retry-after": "soon" }, now)).toBeUndefined();
    expect(parseRetryAfter({ "retry-after": "-5" }, now)).toBeUndefined();
    expect(parseRetryAfter({ "retry-after-ms": "abc", "retry-after": "1" }, now)).toBe(1_000);
  });
});
