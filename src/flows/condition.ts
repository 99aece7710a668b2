/**
 * Edge conditions (`when`): a small expression language parsed once at load time and
 * evaluated without `eval`. Paths read the run's variables: the run input (`query`) and
 * agents' outputs (`triage`, `triage.category`).
 */

import { ownValue } from "../agents/template.js";

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

/** A condition as data: `{ path, equals }`, `{ all: [...] }`, `{ any: [...] }`, `{ not: ... }`. */
export type StructuredCondition =
  | {
      /** Dotted path, e.g. `triage.category`. */
      path: string;
      equals?: unknown;
      notEquals?: unknown;
      in?: unknown[];
      contains?: unknown;
      exists?: boolean;
      greaterThan?: number;
      greaterThanOrEqual?: number;
      lessThan?: number;
      lessThanOrEqual?: number;
    }
  | { all: ConditionConfig[] }
  | { any: ConditionConfig[] }
  | { not: ConditionConfig };

/** A `when` as written: an expression string or a structured condition. */
export type ConditionConfig = string | StructuredCondition;

/** The operators of structured leaf conditions, mapped to expression operators. */
export const STRUCTURED_OPERATORS = {
  equals: "==",
  notEquals: "!=",
  in: "in",
  contains: "contains",
  greaterThan: ">",
  greaterThanOrEqual: ">=",
  lessThan: "<",
  lessThanOrEqual: "<=",
  exists: "exists",
} as const;

const VALID_SYNTAX =
  'Valid: paths (triage.category), "strings", numbers, true, false, null, [lists], ==, !=, <, <=, >, >=, contains, in, and (&&), or (||), not (!), parentheses.';

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
  const tokens = tokenize(source);
  let position = 0;
  let depth = 0;
  /** Enters one level of nesting (parenthesis, list, `not`), refusing more than the limit. */
  const nested = <T>(parse: () => T): T => {
    if (++depth > MAX_CONDITION_DEPTH) {
      const token = peek();
      throw new ConditionSyntaxError(
        `nesting deeper than ${MAX_CONDITION_DEPTH} levels (parentheses, lists and "not") at column ${token.column}`,
        token.column,
      );
    }
    const parsed = parse();
    depth--;
    return parsed;
  };
  const peek = (): Token => tokens[position]!;
  const isWord = (token: Token, ...words: string[]): boolean =>
    token.type === "word" && words.includes(token.text);
  const describe = (token: Token): string =>
    token.type === "end" ? "the end" : `"${token.text}" at column ${token.column}`;
  const fail = (expected: string): never => {
    const token = peek();
    throw new ConditionSyntaxError(`expected ${expected}, found ${describe(token)}`, token.column);
  };

  const parseOr = (): Condition => {
    let left = parseAnd();
    while (isWord(peek(), "or") || peek().text === "||") {
      position++;
      left = { kind: "or", left, right: parseAnd() };
    }
    return left;
  };
  const parseAnd = (): Condition => {
    let left = parseNot();
    while (isWord(peek(), "and") || peek().text === "&&") {
      position++;
      left = { kind: "and", left, right: parseNot() };
    }
    return left;
  };
  const parseNot = (): Condition => {
    if (isWord(peek(), "not") || (peek().type === "operator" && peek().text === "!")) {
      position++;
      return { kind: "not", operand: nested(parseNot) };
    }
    return parseComparison();
  };
  const parseComparison = (): Condition => {
    const left = parseValue();
    const token = peek();
    const operator =
      token.type === "operator" && ["==", "!=", "<", "<=", ">", ">="].includes(token.text)
        ? (token.text as CompareOperator)
        : isWord(token, "contains", "in")
          ? (token.text as CompareOperator)
          : undefined;
    if (!operator) return left;
    position++;
    return { kind: "compare", operator, left, right: parseValue() };
  };
  const parseValue = (): Condition => {
    const token = peek();
    if (token.type === "string" || token.type === "number") {
      position++;
      return { kind: "literal", value: token.value };
    }
    if (token.type === "punct" && token.text === "(") {
      position++;
      const inner = nested(parseOr);
      if (peek().text !== ")") fail('")"');
      position++;
      return inner;
    }
    if (token.type === "punct" && token.text === "[") {
      position++;
      const items: unknown[] = [];
      while (peek().text !== "]") {
        const item = nested(parseValue);
        if (item.kind !== "literal")
          throw new ConditionSyntaxError(
            `lists may hold only literals (column ${token.column})`,
            token.column,
          );
        items.push(item.value);
        if (peek().text === ",") position++;
        else if (peek().text !== "]") fail('"," or "]"');
      }
      position++;
      return { kind: "literal", value: items };
    }
    if (token.type === "word") {
      position++;
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
    return fail("a value (a path, a string, a number, true, false, null or a list)");
  };

  const condition = parseOr();
  if (peek().type !== "end") fail("an operator or the end");
  return condition;
}

/** The syntax summary used in error messages. */
export function conditionSyntaxHelp(): string {
  return VALID_SYNTAX;
}

/** Turns a `when` (string or structured) into a condition. @throws ConditionSyntaxError */
export function compileCondition(config: ConditionConfig): Condition {
  if (typeof config === "string") return parseCondition(config);
  if ("all" in config)
    return combine(config.all.map(compileCondition), "and", { kind: "literal", value: true });
  if ("any" in config)
    return combine(config.any.map(compileCondition), "or", { kind: "literal", value: false });
  if ("not" in config) return { kind: "not", operand: compileCondition(config.not) };
  const path = config.path.split(".");
  for (const [key, operator] of Object.entries(STRUCTURED_OPERATORS)) {
    if (!(key in config)) continue;
    const operand = (config as Record<string, unknown>)[key];
    if (operator === "exists") {
      const exists: Condition = { kind: "exists", path };
      return operand === false ? { kind: "not", operand: exists } : exists;
    }
    return {
      kind: "compare",
      operator,
      left: { kind: "path", path },
      right: { kind: "literal", value: operand },
    };
  }
  return { kind: "path", path };
}

function combine(parts: Condition[], kind: "and" | "or", empty: Condition): Condition {
  if (parts.length === 0) return empty;
  return parts.reduce((left, right) => ({ kind, left, right }));
}

/** Every variable path a condition reads. */
export function conditionPaths(condition: Condition): string[][] {
  switch (condition.kind) {
    case "literal":
      return [];
    case "path":
    case "exists":
      return [condition.path];
    case "not":
      return conditionPaths(condition.operand);
    default:
      return [...conditionPaths(condition.left), ...conditionPaths(condition.right)];
  }
}

/** Evaluates a condition against the run's variables. Never throws. */
export function evaluateCondition(
  condition: Condition,
  variables: Record<string, unknown>,
): boolean {
  return truthy(valueOf(condition, variables));
}

function valueOf(condition: Condition, variables: Record<string, unknown>): unknown {
  switch (condition.kind) {
    case "literal":
      return condition.value;
    case "path":
      return read(variables, condition.path);
    case "exists":
      return read(variables, condition.path) !== undefined;
    case "not":
      return !truthy(valueOf(condition.operand, variables));
    case "and":
      return (
        truthy(valueOf(condition.left, variables)) && truthy(valueOf(condition.right, variables))
      );
    case "or":
      return (
        truthy(valueOf(condition.left, variables)) || truthy(valueOf(condition.right, variables))
      );
    case "compare":
      return compare(
        condition.operator,
        valueOf(condition.left, variables),
        valueOf(condition.right, variables),
      );
  }
}

function read(variables: Record<string, unknown>, path: string[]): unknown {
  let value: unknown = variables;
  for (const key of path) {
    value = ownValue(value, key);
    if (value === undefined) return undefined;
  }
  return value;
}

function compare(operator: CompareOperator, left: unknown, right: unknown): boolean {
  switch (operator) {
    case "==":
      return same(left, right);
    case "!=":
      return !same(left, right);
    case "contains":
      if (typeof left === "string" && typeof right === "string") return left.includes(right);
      return Array.isArray(left) && left.some((item) => same(item, right));
    case "in":
      if (typeof left === "string" && typeof right === "string") return right.includes(left);
      return Array.isArray(right) && right.some((item) => same(item, left));
    default: {
      const comparable =
        (typeof left === "number" && typeof right === "number") ||
        (typeof left === "string" && typeof right === "string");
      if (!comparable) return false;
      const [a, b] = [left, right];
      return operator === "<"
        ? a < b
        : operator === "<="
          ? a <= b
          : operator === ">"
            ? a > b
            : a >= b;
    }
  }
}

function same(left: unknown, right: unknown): boolean {
  if (left === right) return true;
  if (typeof left !== "object" || typeof right !== "object" || left === null || right === null)
    return false;
  return JSON.stringify(left) === JSON.stringify(right);
}

function truthy(value: unknown): boolean {
  return Boolean(value);
}

/** Writes a condition back as an expression, for messages and reports. */
export function formatCondition(condition: Condition): string {
  switch (condition.kind) {
    case "literal":
      return JSON.stringify(condition.value);
    case "path":
      return condition.path.join(".");
    case "exists":
      return `exists(${condition.path.join(".")})`;
    case "not":
      return `not ${wrap(condition.operand)}`;
    case "and":
    case "or":
      return `${wrap(condition.left)} ${condition.kind} ${wrap(condition.right)}`;
    case "compare":
      return `${formatCondition(condition.left)} ${condition.operator} ${formatCondition(condition.right)}`;
  }
}

function wrap(condition: Condition): string {
  return condition.kind === "and" || condition.kind === "or"
    ? `(${formatCondition(condition)})`
    : formatCondition(condition);
}
