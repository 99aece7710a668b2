/** The parser of `when` expressions: tokens, then recursive descent with a nesting limit. */

/** Longest `when` expression, in characters. */
export const MAX_CONDITION_LENGTH = 2_000;
/** Deepest nesting of parentheses, lists and `not` in a `when` expression. */
export const MAX_CONDITION_DEPTH = 32;

/** A parsed condition. */
export type Condition =
  | { kind: "literal"; value: unknown }
  | { kind: "path"; path: string[] }
  | { kind: "exists"; path: string[] }
  | { kind: "not"; operand: Condition }
  | { kind: "and" | "or"; left: Condition; right: Condition }
  | { kind: "compare"; operator: CompareOperator; left: Condition; right: Condition };

/** Comparison operators of conditions. */
export type CompareOperator = "==" | "!=" | "<" | "<=" | ">" | ">=" | "contains" | "in";

/** A condition that cannot be parsed; `column` is 1-based. */
export class ConditionSyntaxError extends Error {
  override readonly name = "ConditionSyntaxError";
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(message);
  }
}

type Token =
  | {
      type: "string" | "number" | "word" | "operator" | "punct";
      text: string;
      value?: unknown;
      column: number;
    }
  | { type: "end"; text: ""; column: number };

const WORD = /[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*/y;
const NUMBER = /-?\d+(?:\.\d+)?/y;
const OPERATORS = ["==", "!=", "<=", ">=", "&&", "||", "<", ">", "!"];

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < source.length) {
    const char = source[index]!;
    if (/\s/.test(char)) {
      index++;
      continue;
    }
    const column = index + 1;
    if (char === '"' || char === "'") {
      let value = "";
      let end = index + 1;
      for (; end < source.length && source[end] !== char; end++) {
        if (source[end] === "\\" && end + 1 < source.length) end++;
        value += source[end];
      }
      if (end >= source.length)
        throw new ConditionSyntaxError(`unterminated string starting at column ${column}`, column);
      tokens.push({ type: "string", text: source.slice(index, end + 1), value, column });
      index = end + 1;
      continue;
    }
    NUMBER.lastIndex = index;
    const number = NUMBER.exec(source);
    if (number && (char !== "-" || /\d/.test(source[index + 1] ?? ""))) {
      tokens.push({ type: "number", text: number[0], value: Number(number[0]), column });
      index += number[0].length;
      continue;
    }
    WORD.lastIndex = index;
    const word = WORD.exec(source);
    if (word) {
      tokens.push({ type: "word", text: word[0], column });
      index += word[0].length;
      continue;
    }
    const operator = OPERATORS.find((candidate) => source.startsWith(candidate, index));
    if (operator) {
      tokens.push({ type: "operator", text: operator, column });
      index += operator.length;
      continue;
    }
    if ("()[],".includes(char)) {
      tokens.push({ type: "punct", text: char, column });
      index++;
      continue;
    }
    const hint = char === "=" ? ' ("=" is not an operator: write ==)' : "";
    throw new ConditionSyntaxError(`unexpected "${char}" at column ${column}${hint}`, column);
  }
  tokens.push({ type: "end", text: "", column: source.length + 1 });
  return tokens;
}

/**
 * Parses an expression such as `triage.category == "billing" and not review.approved`.
 * @throws ConditionSyntaxError with the column of the problem.
 */
export function parseCondition(source: string): Condition {
  if (source.length > MAX_CONDITION_LENGTH) {
    throw new ConditionSyntaxError(
      `the expression is ${source.length} characters long; the limit is ${MAX_CONDITION_LENGTH}`,
      MAX_CONDITION_LENGTH + 1,
    );
  }
  return new ConditionParser(tokenize(source)).parse();
}

const COMPARE_OPERATORS = ["==", "!=", "<", "<=", ">", ">="];

/** Recursive descent over the tokens: or > and > not > comparison > value. */
class ConditionParser {
  private position = 0;
  private depth = 0;

  constructor(private readonly tokens: Token[]) {}

  parse(): Condition {
    const condition = this.parseOr();
    if (this.peek().type !== "end") this.fail("an operator or the end");
    return condition;
  }

  private peek(): Token {
    return this.tokens[this.position]!;
  }

  private fail(expected: string): never {
    const token = this.peek();
    throw new ConditionSyntaxError(`expected ${expected}, found ${describe(token)}`, token.column);
  }

  /** Enters one level of nesting (parenthesis, list, `not`), refusing more than the limit. */
  private nested<T>(parse: () => T): T {
    if (++this.depth > MAX_CONDITION_DEPTH) {
      const token = this.peek();
      throw new ConditionSyntaxError(
        `nesting deeper than ${MAX_CONDITION_DEPTH} levels (parentheses, lists and "not") at column ${token.column}`,
        token.column,
      );
    }
    const parsed = parse();
    this.depth--;
    return parsed;
  }

  private parseOr(): Condition {
    let left = this.parseAnd();
    while (isWord(this.peek(), "or") || this.peek().text === "||") {
      this.position++;
      left = { kind: "or", left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): Condition {
    let left = this.parseNot();
    while (isWord(this.peek(), "and") || this.peek().text === "&&") {
      this.position++;
      left = { kind: "and", left, right: this.parseNot() };
    }
    return left;
  }

  private parseNot(): Condition {
    const token = this.peek();
    if (isWord(token, "not") || (token.type === "operator" && token.text === "!")) {
      this.position++;
      return { kind: "not", operand: this.nested(() => this.parseNot()) };
    }
    return this.parseComparison();
  }

  private parseComparison(): Condition {
    const left = this.parseValue();
    const token = this.peek();
    const operator =
      token.type === "operator" && COMPARE_OPERATORS.includes(token.text)
        ? (token.text as CompareOperator)
        : isWord(token, "contains", "in")
          ? (token.text as CompareOperator)
          : undefined;
    if (!operator) return left;
    this.position++;
    return { kind: "compare", operator, left, right: this.parseValue() };
  }

  private parseValue(): Condition {
    const token = this.peek();
    if (token.type === "string" || token.type === "number") {
      this.position++;
      return { kind: "literal", value: token.value };
    }
    if (token.type === "punct" && token.text === "(") {
      this.position++;
      const inner = this.nested(() => this.parseOr());
      if (this.peek().text !== ")") this.fail('")"');
      this.position++;
      return inner;
    }
    if (token.type === "punct" && token.text === "[") return this.parseList(token);
    if (token.type === "word") {
      this.position++;
      return wordValue(token);
    }
    return this.fail("a value (a path, a string, a number, true, false, null or a list)");
  }

  /** A `[...]` list of literals; `open` is its `[` token. */
  private parseList(open: Token): Condition {
    this.position++;
    const items: unknown[] = [];
    while (this.peek().text !== "]") {
      const item = this.nested(() => this.parseValue());
      if (item.kind !== "literal")
        throw new ConditionSyntaxError(
          `lists may hold only literals (column ${open.column})`,
          open.column,
        );
      items.push(item.value);
      if (this.peek().text === ",") this.position++;
      else if (this.peek().text !== "]") this.fail('"," or "]"');
    }
    this.position++;
    return { kind: "literal", value: items };
  }
}

function isWord(token: Token, ...words: string[]): boolean {
  return token.type === "word" && words.includes(token.text);
}

function describe(token: Token): string {
  return token.type === "end" ? "the end" : `"${token.text}" at column ${token.column}`;
}

/** A word token as a value: true, false, null or a path (an operator word is an error). */
function wordValue(token: Token): Condition {
  if (token.text === "true") return { kind: "literal", value: true };
  if (token.text === "false") return { kind: "literal", value: false };
  if (token.text === "null") return { kind: "literal", value: null };
  if (["and", "or", "not", "contains", "in"].includes(token.text)) {
    throw new ConditionSyntaxError(
      `expected a value, found the operator "${token.text}" at column ${token.column}`,
      token.column,
    );
  }
  return { kind: "path", path: token.text.split(".") };
}
