import { parseTemplate, renderTemplate, type Template } from "../../agents/template.js";

/** An http step's request as templates, parsed once. */
export interface HttpTemplates {
  method: string;
  url: Template;
  /** Header values, `${NAME}` already read from the environment. */
  headers: Record<string, string>;
  body: Template | undefined;
  /** A JSON body whose strings are templates. */
  json: unknown;
}

/** A request ready to send. */
export interface HttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | undefined;
}

/**
 * The request for this run: the URL with its variables URL-encoded, the body filled in.
 * @throws ConfigError when a template reads a variable without a value.
 */
export function httpRequestOf(
  templates: HttpTemplates,
  variables: Readonly<Record<string, unknown>>,
  agentId: string,
): HttpRequest {
  const headers = { ...templates.headers };
  let body: string | undefined;
  if (templates.body !== undefined) body = renderTemplate(templates.body, variables, agentId);
  if (templates.json !== undefined) {
    body = JSON.stringify(fillJson(templates.json, variables, agentId));
    headers["content-type"] ??= "application/json";
  }
  return {
    method: templates.method,
    url: renderTemplate(templates.url, variables, agentId, encodeURIComponent),
    headers,
    body,
  };
}

const WHOLE_VARIABLE = /^\{([A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*)\}$/;

/**
 * A JSON body with its templates filled: a string that is exactly `{name}` becomes the
 * variable's value itself; any other string is a template rendered as text.
 */
function fillJson(
  value: unknown,
  variables: Readonly<Record<string, unknown>>,
  agentId: string,
): unknown {
  if (typeof value === "string") {
    const whole = WHOLE_VARIABLE.exec(value);
    if (whole) {
      let found: unknown = variables;
      for (const key of whole[1]!.split(".")) {
        found =
          typeof found === "object" && found !== null && Object.hasOwn(found, key)
            ? (found as Record<string, unknown>)[key]
            : undefined;
      }
      if (found !== undefined) return found;
    }
    return renderTemplate(parseTemplateCached(value), variables, agentId);
  }
  if (Array.isArray(value)) return value.map((item) => fillJson(item, variables, agentId));
  if (typeof value === "object" && value !== null)
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, fillJson(item, variables, agentId)]),
    );
  return value;
}

const parsed = new Map<string, Template>();

function parseTemplateCached(source: string): Template {
  let template = parsed.get(source);
  if (!template) {
    template = parseTemplate(source);
    if (parsed.size < 1_000) parsed.set(source, template);
  }
  return template;
}
