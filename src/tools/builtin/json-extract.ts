import * as z from "zod";
import { tool } from "../tool.js";
import type { ToolDefinition } from "../tool-definition.js";

/** Options of the `json_extract` built-in. */
export interface JsonExtractOptions {
  /** Tool name (default `json_extract`). */
  name?: string;
  /** Largest JSON text accepted, in characters (default 1,000,000). */
  maxChars?: number;
}

type Segment = { kind: "key"; key: string } | { kind: "index"; index: number } | { kind: "all" };

/**
 * Reads a value out of parsed JSON with a path such as `a.b[0].c`, `$.items[-1].name`,
 * `["key with.dots"]` or `items[*].id` (`*` maps over every element or value).
 *
 * @throws Error naming the part of the path that did not match and what was there instead.
 * @example
 * extractJsonPath({ a: { b: [{ c: 42 }] } }, "a.b[0].c"); // 42
 */
export function extractJsonPath(value: unknown, path: string): unknown {
  const segments = parsePath(path);
  let current: unknown[] = [value];
  let wildcard = false;
  let where = "$";
  for (const segment of segments) {
    const next: unknown[] = [];
    for (const item of current) {
      if (segment.kind === "all") {
        // A loop, not push(...item): spreading a large array overflows the call stack.
        if (Array.isArray(item)) for (const element of item) next.push(element);
        else if (isObject(item)) for (const key of Object.keys(item)) next.push(item[key]);
        else if (!wildcard)
          throw new Error(
            `"${where}" is ${describe(item)}, not an array or object, so "*" cannot apply.`,
          );
      } else if (segment.kind === "index") {
        if (!Array.isArray(item)) {
          if (wildcard) continue;
          throw new Error(
            `"${where}" is ${describe(item)}, not an array, so [${segment.index}] cannot apply.`,
          );
        }
        const index = segment.index < 0 ? item.length + segment.index : segment.index;
        if (index < 0 || index >= item.length) {
          if (wildcard) continue;
          throw new Error(
            `Index ${segment.index} is out of range at "${where}" (length ${item.length}).`,
          );
        }
        next.push(item[index]);
      } else {
        if (!isObject(item) || !Object.hasOwn(item, segment.key)) {
          if (wildcard) continue;
          const keys = isObject(item) ? Object.keys(item) : [];
          const known =
            keys.length > 0
              ? ` Keys there: ${keys.slice(0, 30).join(", ")}${keys.length > 30 ? ", …" : ""}.`
              : ` It is ${describe(item)}.`;
          throw new Error(`No key "${segment.key}" at "${where}".${known}`);
        }
        next.push(item[segment.key]);
      }
    }
    if (segment.kind === "all") wildcard = true;
    where +=
      segment.kind === "key"
        ? `.${segment.key}`
        : segment.kind === "index"
          ? `[${segment.index}]`
          : "[*]";
    current = next;
  }
  return wildcard ? current : current[0];
}

/**
 * The `json_extract` built-in: the model gives JSON text and a path, and gets the value there.
 *
 * @example
 * builtinTools.jsonExtract({ maxChars: 200_000 });
 */
export function jsonExtract(
  options: JsonExtractOptions = {},
): ToolDefinition<{ json: string; path: string }, unknown> {
  const maxChars = options.maxChars ?? 1_000_000;
  return tool({
    name: options.name ?? "json_extract",
    description:
      'Extract a value from a JSON document with a path such as "a.b[0].c", "items[-1].name" or "items[*].id".',
    parameters: z.object({
      json: z.string().describe("The JSON document, as text"),
      path: z
        .string()
        .describe('Path to the value, e.g. "data.items[0].name"; "$" or "" is the whole document'),
    }),
    execute: ({ json, path }) => {
      if (json.length > maxChars)
        throw new Error(
          `The JSON text is too long (${json.length} characters, limit ${maxChars}).`,
        );
      let document: unknown;
      try {
        document = JSON.parse(json);
      } catch (error) {
        throw new Error(
          `The "json" argument is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      return extractJsonPath(document, path);
    },
  });
}

/** Splits a path into segments in one pass (no regular expression can backtrack on it). */
function parsePath(path: string): Segment[] {
  const segments: Segment[] = [];
  const start = path.startsWith("$") ? 1 : 0;
  let index = start;
  const fail = (message: string): never => {
    throw new Error(`Invalid path "${clip(path)}" at position ${index + 1}: ${message}`);
  };
  /** A bare key: every character up to the next ".", "[" or "]". */
  const bareKey = (): string => {
    const from = index;
    while (index < path.length && !".[]".includes(path[index]!)) index++;
    return path.slice(from, index);
  };
  while (index < path.length) {
    const char = path[index]!;
    if (char === ".") {
      index++;
      if (path[index] === "*") {
        segments.push({ kind: "all" });
        index++;
        continue;
      }
      const key = bareKey();
      if (key === "") fail("expected a key after '.'");
      segments.push({ kind: "key", key });
    } else if (char === "[") {
      segments.push(bracket());
    } else if (segments.length === 0 && index === start) {
      const key = bareKey();
      segments.push(key === "*" ? { kind: "all" } : { kind: "key", key });
    } else {
      fail(`unexpected "${char}"`);
    }
  }
  return segments;

  /** `[0]`, `[-1]`, `[*]`, `["key"]` or `['key']` (a backslash escapes the next character). */
  function bracket(): Segment {
    index++;
    while (path[index] === " ") index++;
    const quote = path[index];
    if (quote === '"' || quote === "'") {
      let key = "";
      index++;
      while (index < path.length && path[index] !== quote) {
        if (path[index] === "\\" && index + 1 < path.length) index++;
        key += path[index];
        index++;
      }
      if (index >= path.length) fail(`missing closing ${quote} of a quoted key`);
      index++;
      while (path[index] === " ") index++;
      if (path[index] !== "]") fail(`expected "]" after the quoted key`);
      index++;
      return { kind: "key", key };
    }
    const close = path.indexOf("]", index);
    if (close < 0) fail("missing ']'");
    const inside = path.slice(index, close).trim();
    index = close + 1;
    if (inside === "*") return { kind: "all" };
    if (/^-?\d+$/.test(inside)) return { kind: "index", index: Number(inside) };
    return fail(`expected a number, "*" or a quoted key inside [], found "${clip(inside)}"`);
  }
}

/** Long paths are cut in messages. */
function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === "object") return "an object";
  return `a ${typeof value} (${JSON.stringify(value)})`;
}
