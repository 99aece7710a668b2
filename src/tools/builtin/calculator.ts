import * as z from "zod";
import { tool } from "../tool.js";
import type { ToolDefinition } from "../tool-definition.js";

/** Options of the `calculator` built-in. */
export interface CalculatorOptions {
  /** Tool name (default `calculator`). */
  name?: string;
  /** Longest expression accepted, in characters (default 1,000). */
  maxLength?: number;
}

const FUNCTIONS: Record<string, { arity: [number, number]; apply: (...args: number[]) => number }> =
  {
    sqrt: {
      arity: [1, 1],
      apply: (x) => (x < 0 ? fail(`sqrt of a negative number (${x})`) : Math.sqrt(x)),
    },
    abs: { arity: [1, 1], apply: Math.abs },
    min: { arity: [1, 100], apply: Math.min },
    max: { arity: [1, 100], apply: Math.max },
    round: { arity: [1, 2], apply: (x, digits = 0) => roundTo(x, digits) },
    floor: { arity: [1, 1], apply: Math.floor },
    ceil: { arity: [1, 1], apply: Math.ceil },
    trunc: { arity: [1, 1], apply: Math.trunc },
    pow: { arity: [2, 2], apply: (x, y) => x ** y },
    exp: { arity: [1, 1], apply: Math.exp },
    log: {
      arity: [1, 1],
      apply: (x) => (x <= 0 ? fail(`log of a non-positive number (${x})`) : Math.log(x)),
    },
    log10: {
      arity: [1, 1],
      apply: (x) => (x <= 0 ? fail(`log10 of a non-positive number (${x})`) : Math.log10(x)),
    },
    log2: {
      arity: [1, 1],
      apply: (x) => (x <= 0 ? fail(`log2 of a non-positive number (${x})`) : Math.log2(x)),
    },
    sin: { arity: [1, 1], apply: Math.sin },
    cos: { arity: [1, 1], apply: Math.cos },
    tan: { arity: [1, 1], apply: Math.tan },
  };
const CONSTANTS: Record<string, number> = { pi: Math.PI, e: Math.E };
const MAX_DEPTH = 100;

/**
 * Evaluates an arithmetic expression without `eval`: numbers (decimals, `1e3`), `+ - * / % ^`
 * (`**` too), parentheses, unary minus, constants `pi`, `e` and the functions sqrt, abs, min,
 * max, round(x, digits), floor, ceil, trunc, pow, exp, log (natural), log10, log2, sin, cos,
 * tan. `^` binds tighter than unary minus (`-2^2` is -4) and is right-associative.
 * Results are rounded to 15 significant digits (`0.1 + 0.2` is 0.3).
 *
 * @throws Error naming the problem and its position, for invalid input, division by zero or a
 *   result that is not finite.
 * @example
 * evaluateExpression("2 * (3 + 4) ^ 2"); // 98
 */
export function evaluateExpression(expression: string, maxLength = 1_000): number {
  if (expression.length > maxLength)
    throw new Error(
      `Expression is too long (${expression.length} characters, limit ${maxLength}).`,
    );
  const parser = new Parser(tokenize(expression));
  const value = parser.parse();
  if (!Number.isFinite(value)) throw new Error(`Result is not a finite number (${value}).`);
  return Number.isInteger(value) ? value : Number(value.toPrecision(15));
}

/**
 * The `calculator` built-in: safe arithmetic for the model (see {@link evaluateExpression}).
 *
 * @example
 * new LLMTeam({ tools: [builtinTools.calculator()] });
 */
export function calculator(
  options: CalculatorOptions = {},
): ToolDefinition<{ expression: string }, number> {
  const maxLength = options.maxLength ?? 1_000;
  return tool({
    name: options.name ?? "calculator",
    description:
      "Evaluate an arithmetic expression exactly. Supports + - * / % ^, parentheses, decimals, pi, e and sqrt, abs, min, max, round(x, digits), floor, ceil, pow, exp, log, log10, log2, sin, cos, tan.",
    parameters: z.object({
      expression: z.string().describe('The expression, e.g. "(12.5 * 4) / sqrt(16)"'),
    }),
    execute: ({ expression }) => evaluateExpression(expression, maxLength),
  });
}

interface Token {
  kind: "number" | "name" | "operator";
  text: string;
  value: number;
  position: number;
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < source.length) {
    const char = source[index]!;
    if (/\s/.test(char)) {
      index++;
      continue;
    }
    const number = /^(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/.exec(source.slice(index, index + 400));
    if (number) {
      tokens.push({ kind: "number", text: number[0], value: Number(number[0]), position: index });
      index += number[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(index, index + 100));
    if (name) {
      tokens.push({ kind: "name", text: name[0].toLowerCase(), value: 0, position: index });
      index += name[0].length;
      continue;
    }
    if (source.startsWith("**", index)) {
      tokens.push({ kind: "operator", text: "^", value: 0, position: index });
      index += 2;
      continue;
    }
    const operator = { "×": "*", "÷": "/", "−": "-" }[char] ?? char;
    if ("+-*/%^(),".includes(operator)) {
      tokens.push({ kind: "operator", text: operator, value: 0, position: index });
      index++;
      continue;
    }
    throw new Error(`Unexpected character "${char}" at position ${index + 1}.`);
  }
  return tokens;
}

class Parser {
  private index = 0;
  private depth = 0;

  constructor(private readonly tokens: Token[]) {}

  parse(): number {
    if (this.tokens.length === 0) throw new Error("Empty expression.");
    const value = this.additive();
    const extra = this.tokens[this.index];
    if (extra) throw new Error(`Unexpected "${extra.text}" at position ${extra.position + 1}.`);
    return value;
  }

  private additive(): number {
    let value = this.multiplicative();
    for (let token = this.peek(); token?.text === "+" || token?.text === "-"; token = this.peek()) {
      this.index++;
      const right = this.multiplicative();
      value = token.text === "+" ? value + right : value - right;
    }
    return value;
  }

  private multiplicative(): number {
    let value = this.unary();
    for (
      let token = this.peek();
      token && (token.text === "*" || token.text === "/" || token.text === "%");
      token = this.peek()
    ) {
      this.index++;
      const right = this.unary();
      if ((token.text === "/" || token.text === "%") && right === 0)
        throw new Error(`Division by zero at position ${token.position + 1}.`);
      value =
        token.text === "*" ? value * right : token.text === "/" ? value / right : value % right;
    }
    return value;
  }

  private unary(): number {
    const token = this.peek();
    if (token?.text === "-" || token?.text === "+") {
      this.index++;
      const value = this.nested(() => this.unary());
      return token.text === "-" ? -value : value;
    }
    return this.power();
  }

  private power(): number {
    const base = this.primary();
    if (this.peek()?.text === "^") {
      this.index++;
      return base ** this.nested(() => this.unary());
    }
    return base;
  }

  private primary(): number {
    const token = this.tokens[this.index++];
    if (!token) throw new Error("Unexpected end of expression.");
    if (token.kind === "number") return token.value;
    if (token.text === "(") {
      const value = this.nested(() => this.additive());
      this.expect(")");
      return value;
    }
    if (token.kind === "name") {
      if (this.peek()?.text === "(") return this.call(token);
      if (Object.hasOwn(CONSTANTS, token.text)) return CONSTANTS[token.text]!;
      const known = Object.hasOwn(FUNCTIONS, token.text)
        ? ` (it is a function: ${token.text}(…))`
        : "";
      throw new Error(
        `Unknown name "${token.text}" at position ${token.position + 1}${known}. Constants: pi, e.`,
      );
    }
    throw new Error(`Unexpected "${token.text}" at position ${token.position + 1}.`);
  }

  private call(name: Token): number {
    const definition = Object.hasOwn(FUNCTIONS, name.text) ? FUNCTIONS[name.text] : undefined;
    if (!definition)
      throw new Error(
        `Unknown function "${name.text}". Functions: ${Object.keys(FUNCTIONS).join(", ")}.`,
      );
    this.expect("(");
    const args: number[] = [];
    if (this.peek()?.text !== ")") {
      for (;;) {
        args.push(this.nested(() => this.additive()));
        if (this.peek()?.text !== ",") break;
        this.index++;
      }
    }
    this.expect(")");
    const [least, most] = definition.arity;
    if (args.length < least || args.length > most) {
      const wanted = least === most ? `${least}` : `${least} to ${most}`;
      throw new Error(`${name.text}() takes ${wanted} argument(s), got ${args.length}.`);
    }
    return definition.apply(...args);
  }

  private nested(parse: () => number): number {
    if (++this.depth > MAX_DEPTH)
      throw new Error(`Expression nests deeper than ${MAX_DEPTH} levels.`);
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  private expect(text: string): void {
    const token = this.tokens[this.index];
    if (token?.text !== text) {
      throw new Error(
        token
          ? `Expected "${text}" at position ${token.position + 1}, found "${token.text}".`
          : `Expected "${text}" at the end.`,
      );
    }
    this.index++;
  }

  private peek(): Token | undefined {
    return this.tokens[this.index];
  }
}

function roundTo(value: number, digits: number): number {
  if (!Number.isInteger(digits) || digits < 0 || digits > 15)
    fail(`round() digits must be a whole number from 0 to 15 (got ${digits})`);
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function fail(message: string): never {
  throw new Error(`${message.charAt(0).toUpperCase()}${message.slice(1)}.`);
}
