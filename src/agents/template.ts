import { ConfigError } from "../errors/config-error.js";

/** A parsed prompt: literal text and `{variable.path}` references. */
export interface Template {
  source: string;
  parts: (string | string[])[];
  /** Top-level names the template reads (`query` for `{query}` and `{query.text}`). */
  variables: string[];
}

const TOKEN = /\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*)\}/g;

/**
 * Parses a prompt template. `{name}` and `{name.field}` are variables; `{{` and `}}` are
 * literal braces; any other brace (such as JSON in a prompt) stays as written.
 */
export function parseTemplate(source: string): Template {
  const parts: (string | string[])[] = [];
  const variables = new Set<string>();
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
    parts.push(path);
    variables.add(path[0]!);
  }
  literal += source.slice(last);
  if (literal) parts.push(literal);
  return { source, parts, variables: [...variables] };
}

/**
 * Fills a template from `values`. Strings go in as they are; other values as JSON.
 * @throws ConfigError when a variable or a field of it has no value.
 */
export function renderTemplate(template: Template, values: Record<string, unknown>, where: string): string {
  let out = "";
  for (const part of template.parts) {
    if (typeof part === "string") {
      out += part;
      continue;
    }
    let value: unknown = values;
    for (const key of part) {
      value = typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined;
      if (value === undefined) {
        throw new ConfigError(`${where}: the prompt reads {${part.join(".")}}, which has no value.`);
      }
    }
    out += typeof value === "string" ? value : JSON.stringify(value);
  }
  return out;
}
