import * as z from "zod";
import { ConfigError } from "../../errors/config-error.js";
import { systemClock, type Clock } from "../../internal/clock.js";
import { tool } from "../tool.js";
import type { ToolDefinition } from "../tool-definition.js";
import { fetchSettings, fetchWithLimits, type FetchArguments } from "./http-request.js";

/** Options of the `http_fetch` built-in. */
export interface HttpFetchOptions {
  /** Tool name (default `http_fetch`). */
  name?: string;
  /**
   * Hosts the tool may reach: exact names (`api.example.com`) or `*.example.com` for every
   * subdomain. Default: any public host.
   */
  allowHosts?: readonly string[];
  /**
   * Allow loopback, private, link-local and other non-public addresses: `true` for all, or a
   * list of addresses and CIDR ranges (`["10.0.0.7", "192.168.1.0/24"]`). Default false: a
   * hostname that resolves to one is refused, on every redirect too.
   */
  allowPrivate?: boolean | readonly string[];
  /** Most response bytes returned; the rest is cut and flagged `truncated` (default 1,000,000). */
  maxBytes?: number;
  /** Time limit of the whole fetch, redirects included (default 10,000 ms). */
  timeoutMs?: number;
  /** Redirects followed before giving up (default 5). */
  maxRedirects?: number;
  /** Methods the model may use (default GET and POST). */
  methods?: readonly ("GET" | "POST")[];
  /** Headers sent with every request (e.g. an API key for an allowed host); the model cannot override them. */
  headers?: Record<string, string>;
  /** Clock for the time limit (default: the system clock). */
  clock?: Clock;
  /** DNS lookup, `dns.lookup`-compatible (default: `dns.lookup`); its answers are checked like any other. */
  lookup?: typeof import("node:dns").lookup;
}

/** What `http_fetch` returns. Any HTTP status is a result, not an error. */
export interface HttpFetchResult {
  /** The final URL, after redirects. */
  url: string;
  status: number;
  statusText: string;
  contentType: string | undefined;
  /** The response body as UTF-8 text (at most `maxBytes`). */
  body: string;
  /** True when the body was longer than `maxBytes`. */
  truncated: boolean;
}

/**
 * The `http_fetch` built-in: a real HTTP GET/POST with SSRF protection. Only `http:` and
 * `https:`; hosts outside `allowHosts` are refused; every address a hostname resolves to is
 * checked at connection time (so DNS rebinding cannot slip through), IP literals are checked
 * directly, and each redirect is checked again. Loopback/private/link-local targets are
 * refused unless `allowPrivate`. Responses are cut at `maxBytes`; the whole fetch has a time limit.
 *
 * @throws ConfigError (from the factory) for invalid options.
 * @example
 * builtinTools.httpFetch({ allowHosts: ["api.github.com", "*.wikipedia.org"], maxBytes: 200_000 });
 */
export function httpFetch(
  options: HttpFetchOptions = {},
): ToolDefinition<FetchArguments & { method?: "GET" | "POST" | undefined }, HttpFetchResult> {
  const name = options.name ?? "http_fetch";
  const methods = options.methods ?? ["GET", "POST"];
  if (methods.length === 0) throw new ConfigError(`${name}: methods must list GET and/or POST.`);
  const settings = fetchSettings(
    {
      allowHosts: options.allowHosts,
      allowPrivate: options.allowPrivate,
      lookup: options.lookup,
      maxBytes: options.maxBytes ?? 1_000_000,
      timeoutMs: options.timeoutMs ?? 10_000,
      maxRedirects: options.maxRedirects ?? 5,
      headers: options.headers,
      clock: options.clock ?? systemClock,
      userAgent: "llmteam-http-fetch",
    },
    name,
  );
  const hosts = settings.allowHosts ? ` Allowed hosts: ${settings.allowHosts.join(", ")}.` : "";
  return tool({
    name,
    description: `Fetch a URL over HTTP(S) (${methods.join(" or ")}) and return the status and body text (at most ${settings.maxBytes} bytes).${hosts}`,
    parameters: z.object({
      url: z.string().describe("Absolute http:// or https:// URL"),
      method: z
        .enum(methods as ["GET" | "POST", ...("GET" | "POST")[]])
        .optional()
        .describe(`HTTP method (default ${methods[0]})`),
      headers: z.record(z.string(), z.string()).optional().describe("Extra request headers"),
      body: z.string().optional().describe("Request body, for POST"),
    }),
    execute: async (args, { signal }) => {
      const { headers: _headers, ...result } = await fetchWithLimits(args, settings, signal);
      return result;
    },
    // A fetch has its own time limit; leave the executor's a little above it.
    timeoutMs: settings.timeoutMs + 1_000,
  });
}
