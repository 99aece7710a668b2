import type { IncomingMessage, RequestOptions } from "node:http";
import type { LookupFunction } from "node:net";
import * as z from "zod";
import { ConfigError } from "../../errors/config-error.js";
import { systemClock, type Clock } from "../../internal/clock.js";
import { tool } from "../tool.js";
import type { ToolDefinition } from "../tool-definition.js";
import { ipVersion, isPrivateAddress } from "./private-address.js";

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

interface FetchArguments {
  url: string;
  method?: "GET" | "POST" | undefined;
  headers?: Record<string, string> | undefined;
  body?: string | undefined;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const FORBIDDEN_HEADERS = new Set([
  "host",
  "connection",
  "content-length",
  "transfer-encoding",
  "upgrade",
  "proxy-authorization",
]);

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
): ToolDefinition<FetchArguments, HttpFetchResult> {
  const name = options.name ?? "http_fetch";
  const methods = options.methods ?? ["GET", "POST"];
  if (methods.length === 0) throw new ConfigError(`${name}: methods must list GET and/or POST.`);
  const settings: FetchSettings = {
    allowHosts: options.allowHosts?.map((host) => host.toLowerCase()),
    isRefused: refusalCheck(options.allowPrivate ?? false, name),
    lookup: options.lookup,
    maxBytes: options.maxBytes ?? 1_000_000,
    timeoutMs: options.timeoutMs ?? 10_000,
    maxRedirects: options.maxRedirects ?? 5,
    headers: options.headers ?? {},
    clock: options.clock ?? systemClock,
  };
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
    execute: (args, { signal }) => fetchWithLimits(args, settings, signal),
    // A fetch has its own time limit; leave the executor's a little above it.
    timeoutMs: settings.timeoutMs + 1_000,
  });
}

interface FetchSettings {
  allowHosts: string[] | undefined;
  /** True for an address the tool must not connect to. */
  isRefused: (address: string) => boolean;
  lookup: typeof import("node:dns").lookup | undefined;
  maxBytes: number;
  timeoutMs: number;
  maxRedirects: number;
  headers: Record<string, string>;
  clock: Clock;
}

async function fetchWithLimits(
  args: FetchArguments,
  settings: FetchSettings,
  signal: AbortSignal,
): Promise<HttpFetchResult> {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(signal.reason);
  signal.addEventListener("abort", onAbort, { once: true });
  const timer = new AbortController();
  settings.clock.sleep(settings.timeoutMs, timer.signal).then(
    () => controller.abort(new Error(`The request took longer than ${settings.timeoutMs} ms.`)),
    () => undefined,
  );
  try {
    let url = parseUrl(args.url);
    let method: string = args.method ?? "GET";
    let body = method === "POST" ? args.body : undefined;
    let headers = requestHeaders(args, settings, body);
    for (let redirects = 0; ; redirects++) {
      checkUrl(url, settings);
      const response = await send(url, method, headers, body, settings, controller.signal);
      const location = response.headers.location;
      if (!REDIRECTS.has(response.statusCode ?? 0) || !location)
        return await readBody(url, response, settings, controller.signal);
      response.destroy();
      if (redirects >= settings.maxRedirects)
        throw new Error(`Too many redirects (more than ${settings.maxRedirects}).`);
      const next = parseUrl(new URL(location, url).href);
      if (
        response.statusCode === 303 ||
        ((response.statusCode === 301 || response.statusCode === 302) && method === "POST")
      ) {
        method = "GET";
        body = undefined;
        headers = requestHeaders({ ...args, method: "GET" }, settings, undefined);
      }
      if (next.origin !== url.origin) {
        delete headers.authorization;
        delete headers.cookie;
      }
      url = next;
    }
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    if (controller.signal.aborted) throw controller.signal.reason;
    throw error;
  } finally {
    timer.abort();
    signal.removeEventListener("abort", onAbort);
  }
}

function parseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`Invalid URL "${text}": give an absolute http:// or https:// URL.`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`Refused URL "${text}": only http: and https: are allowed.`);
  }
  return url;
}

function checkUrl(url: URL, settings: FetchSettings): void {
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, "");
  if (settings.allowHosts && !settings.allowHosts.some((allowed) => hostMatches(host, allowed))) {
    throw new Error(
      `Refused: host "${host}" is not allowed. Allowed hosts: ${settings.allowHosts.join(", ")}.`,
    );
  }
  if (isIPLiteral(host) && settings.isRefused(host)) {
    throw new Error(`Refused: ${host} is a private, loopback or link-local address.`);
  }
}

function refusalCheck(
  allowPrivate: boolean | readonly string[],
  toolName: string,
): (address: string) => boolean {
  if (allowPrivate === true) return () => false;
  if (allowPrivate === false || allowPrivate.length === 0) return isPrivateAddress;
  // Loaded on first use, so importing llmteam does not load node:net.
  const { BlockList } = process.getBuiltinModule("node:net");
  const allowed = new BlockList();
  for (const entry of allowPrivate) {
    const [address = "", prefix] = entry.split("/");
    const family = ipVersion(address) === 6 ? "ipv6" : "ipv4";
    if (ipVersion(address) === 0 || (prefix !== undefined && !/^\d{1,3}$/.test(prefix))) {
      throw new ConfigError(
        `${toolName}: allowPrivate entry "${entry}" is not an IP address or CIDR range.`,
      );
    }
    if (prefix === undefined) allowed.addAddress(address, family);
    else allowed.addSubnet(address, Number(prefix), family);
  }
  return (address) => {
    if (!isPrivateAddress(address)) return false;
    const plain = address.replace(/^\[|\]$/g, "");
    return !allowed.check(plain, ipVersion(plain) === 6 ? "ipv6" : "ipv4");
  };
}

function hostMatches(host: string, allowed: string): boolean {
  if (allowed.startsWith("*.")) return host.endsWith(allowed.slice(1));
  return host === allowed;
}

function isIPLiteral(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(":");
}

function requestHeaders(
  args: FetchArguments,
  settings: FetchSettings,
  body: string | undefined,
): Record<string, string> {
  const headers: Record<string, string> = { "user-agent": "llmteam-http-fetch", accept: "*/*" };
  for (const [key, value] of Object.entries(args.headers ?? {})) {
    if (!FORBIDDEN_HEADERS.has(key.toLowerCase())) headers[key.toLowerCase()] = value;
  }
  for (const [key, value] of Object.entries(settings.headers)) headers[key.toLowerCase()] = value;
  if (body !== undefined && headers["content-type"] === undefined) {
    headers["content-type"] = looksLikeJSON(body)
      ? "application/json"
      : "text/plain; charset=utf-8";
  }
  return headers;
}

function looksLikeJSON(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

async function send(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
  settings: FetchSettings,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  const network = await loadNetwork(url.protocol);
  const lookup = settings.lookup ?? network.lookup;
  const guardedLookup: LookupFunction = (hostname, options, callback) => {
    lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, "", 4);
      const refused = addresses.find((entry) => settings.isRefused(entry.address));
      if (refused) {
        return callback(
          new Error(
            `Refused: ${hostname} resolves to ${refused.address}, a private, loopback or link-local address.`,
          ),
          "",
          4,
        );
      }
      if (addresses.length === 0) return callback(new Error(`${hostname} has no address.`), "", 4);
      if (options.all)
        return (callback as unknown as (error: null, list: typeof addresses) => void)(
          null,
          addresses,
        );
      return callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
  const requestOptions: RequestOptions = {
    method,
    headers,
    signal,
    lookup: guardedLookup,
    agent: false,
  };
  if (body !== undefined) headers["content-length"] = String(Buffer.byteLength(body));
  return new Promise<IncomingMessage>((resolve, reject) => {
    const outgoing = network.request(url, requestOptions, resolve);
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}

async function readBody(
  url: URL,
  response: IncomingMessage,
  settings: FetchSettings,
  signal: AbortSignal,
): Promise<HttpFetchResult> {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  try {
    for await (const chunk of response as AsyncIterable<Buffer>) {
      signal.throwIfAborted();
      const room = settings.maxBytes - size;
      if (chunk.length > room) {
        chunks.push(chunk.subarray(0, room));
        size += room;
        truncated = true;
        break;
      }
      chunks.push(chunk);
      size += chunk.length;
    }
  } finally {
    response.destroy();
  }
  return {
    url: url.href,
    status: response.statusCode ?? 0,
    statusText: response.statusMessage ?? "",
    contentType: response.headers["content-type"],
    body: Buffer.concat(chunks, size).toString("utf8"),
    truncated,
  };
}

type Network = {
  request: typeof import("node:http").request;
  lookup: typeof import("node:dns").lookup;
};

const loaded = new Map<string, Promise<Network>>();

/** Loads node:http(s) and node:dns on first use, so importing llmteam stays cheap. */
function loadNetwork(protocol: string): Promise<Network> {
  let network = loaded.get(protocol);
  if (!network) {
    network = Promise.all([
      protocol === "https:" ? import("node:https") : import("node:http"),
      import("node:dns"),
    ]).then(([http, dns]) => ({ request: http.request, lookup: dns.lookup }));
    loaded.set(protocol, network);
  }
  return network;
}
