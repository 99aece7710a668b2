import { ConfigError } from "../errors/config-error.js";

/** A parsed prompt: literal text and `{variable.path}` references. */
export interface Template {
  source: string;
  /** Literal text, a variable path (`["triage", "category"]`) or an optional read `{ optional: path }`. */
  parts: (string | string[] | { optional: string[] })[];
  /** Top-level names the template needs (`query` for `{query}` and `{query.text}`). */
  variables: string[];
  /** Top-level names read with `{name?}`: rendered empty when nothing has set them yet. */
  optionalVariables: string[];
}

const TOKEN = /\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*)(\?)?\}/g;

/**
 * Parses a prompt template. `{name}` and `{name.field}` are variables; `{name?}` is an
 * optional read (empty when unset, e.g. a branch that did not run or the first turn of a
 * loop); `{{` and `}}` are literal braces; any other brace (such as JSON in a prompt) stays
 * as written.
 */
export function parseTemplate(source: string): Template {
  const parts: Template["parts"] = [];
  const variables = new Set<string>();
  const optionalVariables = new Set<string>();
  let literal = "";
  let last = 0;
  for (const match of source.matchAll(TOKEN)) {
    literal += source.slice(last, match.index);
    last = match.index + match[0].length;
    if (match[1] === undefined) {
      literal += match[0][0];
      continue;
    }
    if (literal) parts.push(literal);
    literal = "";
    const path = match[1].split(".");
    if (match[2] === undefined) {
      parts.push(path);
      variables.add(path[0]!);
    } else {
      parts.push({ optional: path });
      optionalVariables.add(path[0]!);
    }
  }
  literal += source.slice(last);
  if (literal) parts.push(literal);
  for (const name of variables) optionalVariables.delete(name);
  return { source, parts, variables: [...variables], optionalVariables: [...optionalVariables] };
}

/**
 * Fills a template from `values`. Strings go in as they are; other values as JSON; `encode`
 * (e.g. `encodeURIComponent` for a URL) is applied to each inserted value.
 * @throws ConfigError when a variable or a field of it has no value (optional reads render empty).
 */
export function renderTemplate(
  template: Template,
  values: Readonly<Record<string, unknown>>,
  agentId: string,
  encode?: (text: string) => string,
): string {
  let out = "";
  for (const part of template.parts) {
    if (typeof part === "string") {
      out += part;
      continue;
    }
    const optional = !Array.isArray(part);
    const path = Array.isArray(part) ? part : part.optional;
    let value: unknown = values;
    for (const key of path) {
      value = ownValue(value, key);
      if (value === undefined) break;
    }
    if (value === undefined) {
      if (optional) continue;
      throw new ConfigError(
        `agent "${agentId}": the prompt reads {${path.join(".")}}, which has no value.`,
      );
    }
    const text = typeof value === "string" ? value : JSON.stringify(value);
    out += encode ? encode(text) : text;
  }
  return out;
}

/**
 * `value[key]` when `value` is an object or array that has `key` as its own property; else
 * undefined. Inherited members (`constructor`, `toString`, `__proto__`) are never read.
 */
export function ownValue(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null && Object.hasOwn(value, key)
    ? (value as Record<string, unknown>)[key]
    : undefined;
}
