import { describe, expect, it } from "vitest";
import { toGrammarSchema } from "./to-grammar-schema.js";

describe("toGrammarSchema", () => {
  it("keeps what a grammar can enforce and drops the rest", () => {
    expect(
      toGrammarSchema({
        $schema: "http://json-schema.org/draft-07/schema#",
        type: "object",
        title: "Triage",
        properties: {
          category: {
            type: "string",
            enum: ["billing", "technical"],
            description: "kind of request",
          },
          score: { type: "number", minimum: 0, maximum: 1 },
          tags: { type: "array", items: { type: "string", pattern: "^[a-z]+$" }, maxItems: 3 },
          when: { type: "string", format: "date-time" },
        },
        required: ["category"],
      }),
    ).toEqual({
      type: "object",
      properties: {
        category: { enum: ["billing", "technical"], description: "kind of request" },
        score: { type: "number" },
        tags: { type: "array", items: { type: "string" }, maxItems: 3 },
        when: { type: "string", format: "date-time" },
      },
      required: ["category"],
      additionalProperties: false,
    });
  });

  it("turns anyOf into oneOf, nullable type lists into type lists and definitions into $defs", () => {
    expect(
      toGrammarSchema({
        type: "object",
        properties: {
          value: { anyOf: [{ type: "string" }, { type: "null" }] },
          note: { type: ["string", "null"] },
          next: { $ref: "#/definitions/step" },
        },
        definitions: {
          step: {
            type: "object",
            properties: { text: { type: "string" } },
            additionalProperties: false,
          },
        },
      }),
    ).toEqual({
      type: "object",
      properties: {
        value: { oneOf: [{ type: "string" }, { type: "null" }] },
        note: { type: ["string", "null"] },
        next: { $ref: "#/$defs/step" },
      },
      additionalProperties: false,
      $defs: {
        step: {
          type: "object",
          properties: { text: { type: "string" } },
          additionalProperties: false,
        },
      },
    });
  });

  it("merges allOf objects and splits mixed type lists into alternatives", () => {
    expect(
      toGrammarSchema({
        allOf: [
          { type: "object", properties: { a: { type: "integer" } }, required: ["a"] },
          { properties: { b: { type: ["array", "null"], items: { type: "boolean" } } } },
        ],
      }),
    ).toEqual({
      type: "object",
      properties: {
        a: { type: "integer" },
        b: { oneOf: [{ type: "array", items: { type: "boolean" } }, { type: "null" }] },
      },
      required: ["a"],
      additionalProperties: false,
    });
  });
});
