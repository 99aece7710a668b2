import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ToolExecutor, builtinTools, evaluateExpression } from "../index.js";

describe("calculator", () => {
  it.each([
    ["1 + 2 * 3", 7],
    ["(1 + 2) * 3", 9],
    ["2 ^ 3 ^ 2", 512],
    ["2 ** 10", 1024],
    ["-2 ^ 2", -4],
    ["(-2) ^ 2", 4],
    ["2 ^ -1", 0.5],
    ["- -3", 3],
    ["10 % 4", 2],
    ["7 / 2", 3.5],
    [".5 + 1.25", 1.75],
    ["1e3 / 4", 250],
    ["0.1 + 0.2", 0.3],
    ["sqrt(16) + abs(-3)", 7],
    ["min(4, 2, 8) + max(1, 9)", 11],
    ["round(3.14159, 2)", 3.14],
    ["round(2.5)", 3],
    ["floor(2.7) + ceil(2.1) + trunc(-2.7)", 3],
    ["pow(2, 8)", 256],
    ["log(e) + log10(1000) + log2(8)", 7],
    ["2 * pi", 6.28318530717959],
    ["sin(0) + cos(0)", 1],
    ["3 × 4 − 2 ÷ 2", 11],
    ["  12   ", 12],
  ])("%s = %d", (expression, expected) => {
    expect(evaluateExpression(expression)).toBe(expected);
  });

  it.each([
    ["1 / 0", "Division by zero at position 3."],
    ["5 % 0", "Division by zero at position 3."],
    ["sqrt(-1)", "Sqrt of a negative number (-1)."],
    ["2 +", "Unexpected end of expression."],
    ["(1 + 2", 'Expected ")" at the end.'],
    ["1 + 2)", 'Unexpected ")" at position 6.'],
    ["2 (3)", 'Unexpected "(" at position 3.'],
    ["foo(1)", 'Unknown function "foo".'],
    ["x + 1", 'Unknown name "x" at position 1'],
    ["sqrt", 'Unknown name "sqrt" at position 1 (it is a function: sqrt(…))'],
    ["min()", "min() takes 1 to 100 argument(s), got 0."],
    ["process.exit(1)", 'Unexpected character "." at position 8.'],
    ["constructor", 'Unknown name "constructor"'],
    ["10 ^ 400", "Result is not a finite number (Infinity)."],
    ["", "Empty expression."],
    ["1; 2", 'Unexpected character ";" at position 2.'],
  ])("refuses %s", (expression, message) => {
    expect(() => evaluateExpression(expression)).toThrow(message);
  });

  it("limits length and nesting", () => {
    expect(() => evaluateExpression("1+".repeat(600) + "1")).toThrow(
      "Expression is too long (1201 characters, limit 1000).",
    );
    expect(() => evaluateExpression(`${"(".repeat(150)}1${")".repeat(150)}`)).toThrow(
      "nests deeper than 100 levels",
    );
    expect(() => evaluateExpression(`${"-".repeat(150)}1`)).toThrow("nests deeper than 100 levels");
  });

  it("agrees with JavaScript arithmetic on random integer expressions", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1000, max: 1000 }),
        fc.integer({ min: -1000, max: 1000 }),
        fc.integer({ min: 1, max: 50 }),
        (a, b, c) => {
          expect(evaluateExpression(`${a} - (${b}) * ${c} + ${a} % ${c}`)).toBe(
            a - b * c + (a % c),
          );
        },
      ),
    );
  });

  it("returns errors to the model through the executor", async () => {
    const executor = new ToolExecutor({ tools: [builtinTools.calculator()] });
    expect((await executor.execute("calculator", { expression: "6 * 7" })).output).toBe(42);
    expect((await executor.execute("calculator", { expression: "6 / 0" })).error).toBe(
      'Tool "calculator" failed: Division by zero at position 3.',
    );
  });
});
