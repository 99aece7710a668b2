import type { IncomingMessage, RequestOptions } from "node:http";
import type { LookupFunction } from "node:net";
import { ConfigError } from "../../errors/config-error.js";
import type { Clock } from "../../internal/clock.js";
import { ipVersion, isPrivateAddress } from "./private-address.js";

/**
 * The guarded HTTP request of the `http_fetch` tool and of `http` workflow steps: only http(s),
 * hosts outside the allow-list refused, every address checked at connection time (no DNS
 * rebinding), each redirect checked again, a size limit and a time limit.
 */

/** One request. */
export interface FetchArguments {
  url: string;
  /** Default GET. */
  method?: string | undefined;
  headers?: Record<string, string> | undefined;
  /** Sent with every method but GET and HEAD. */
  body?: string | undefined;
}

/** A response, read within the limits. Any HTTP status is a response, not an error. */
export interface FetchResponse {
  /** The final URL, after redirects. */
  url: string;
  status: number;
  statusText: string;
  contentType: string | undefined;
  /** Response headers, names in lower case (repeated ones joined with ", "). */
  headers: Record<string, string>;
  /** The body as UTF-8 text (at most `maxBytes`). */
  body: string;
  /** True when the body was longer than `maxBytes`. */
  truncated: boolean;
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

/** The limits and guards of requests (see {@link fetchSettings}). */
export interface FetchSettings {
  allowHosts: string[] | undefined;
  /** True for an address the tool must not connect to. */
  isRefused: (address: string) => boolean;
  lookup: typeof import("node:dns").lookup | undefined;
  maxBytes: number;
  timeoutMs: number;
  maxRedirects: number;
  headers: Record<string, string>;
  clock: Clock;
  /** The `user-agent` header. */
  userAgent: string;
}

/** Options of {@link fetchSettings}. */
export interface FetchSettingsOptions {
  allowHosts?: readonly string[] | undefined;
  allowPrivate?: boolean | readonly string[] | undefined;
  lookup?: typeof import("node:dns").lookup | undefined;
  maxBytes: number;
  timeoutMs: number;
  maxRedirects: number;
  headers?: Record<string, string> | undefined;
  clock: Clock;
  userAgent: string;
}

/**
 * Resolved request settings. @throws ConfigError naming `owner` for an `allowPrivate` entry
 * that is not an address or CIDR range.
 */
export function fetchSettings(options: FetchSettingsOptions, owner: string): FetchSettings {
  return {
    allowHosts: options.allowHosts?.map((host) => host.toLowerCase()),
    isRefused: refusalCheck(options.allowPrivate ?? false, owner),
    lookup: options.lookup,
    maxBytes: options.maxBytes,
    timeoutMs: options.timeoutMs,
    maxRedirects: options.maxRedirects,
    headers: options.headers ?? {},
    clock: options.clock,
    userAgent: options.userAgent,
  };
}

/**
 * Makes one request within `settings`' guards and limits, following redirects (each checked).
 * @throws Error for a refused URL or host, too many redirects, a network failure, or the time
 *   limit (an error with code `ETIMEDOUT`); `signal.reason` when `signal` aborts.
 */
export async function fetchWithLimits(
  args: FetchArguments,
  settings: FetchSettings,
  signal: AbortSignal,
): Promise<FetchResponse> {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(signal.reason);
  signal.addEventListener("abort", onAbort, { once: true });
  const timer = new AbortController();
  settings.clock.sleep(settings.timeoutMs, timer.signal).then(
    () =>
      controller.abort(
        Object.assign(new Error(`The request took longer than ${settings.timeoutMs} ms.`), {
          code: "ETIMEDOUT",
        }),
      ),
    () => undefined,
  );
  try {
    let url = parseUrl(args.url);
    let method: string = args.method ?? "GET";
    let body = method === "GET" || method === "HEAD" ? undefined : args.body;
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
  const headers: Record<string, string> = { "user-agent": settings.userAgent, accept: "*/*" };
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
): Promise<FetchResponse> {
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
    headers: Object.fromEntries(
      Object.entries(response.headers).map(([key, value]) => [
        key,
        Array.isArray(value) ? value.join(", ") : (value ?? ""),
      ]),
    ),
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
