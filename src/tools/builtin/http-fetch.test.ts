import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { lookup as dnsLookup } from "node:dns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeClock } from "llmteam/testing";
import { ToolExecutor, builtinTools, type HttpFetchOptions } from "../index.js";

let server: Server;
let port: number;
const received: {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}[] = [];

function handle(request: IncomingMessage, response: ServerResponse, body: string): void {
  received.push({
    method: request.method ?? "",
    url: request.url ?? "",
    headers: request.headers,
    body,
  });
  const url = new URL(request.url ?? "/", "http://x");
  switch (url.pathname) {
    case "/hello":
      response.writeHead(200, { "content-type": "text/plain" }).end("hello world");
      return;
    case "/echo":
      response
        .writeHead(201, { "content-type": "application/json" })
        .end(
          JSON.stringify({ method: request.method, body, type: request.headers["content-type"] }),
        );
      return;
    case "/big":
      response.writeHead(200, { "content-type": "text/plain" });
      for (let index = 0; index < 10; index++) response.write("x".repeat(1_000));
      response.end();
      return;
    case "/redirect":
      response.writeHead(302, { location: url.searchParams.get("to") ?? "/hello" }).end();
      return;
    case "/loop":
      response.writeHead(301, { location: "/loop" }).end();
      return;
    case "/missing":
      response.writeHead(404, { "content-type": "text/plain" }).end("not here");
      return;
    case "/hang":
      return; // never answers
    default:
      response.writeHead(500).end();
  }
}

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => (body += chunk));
    request.on("end", () => handle(request, response, body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function fetcher(options: HttpFetchOptions = {}): ToolExecutor {
  return new ToolExecutor({ tools: [builtinTools.httpFetch(options)] });
}

/** A DNS that answers from a table (the real answers are checked like any other). */
function fakeDns(table: Record<string, string>): typeof dnsLookup {
  return ((
    hostname: string,
    _options: unknown,
    callback: (error: Error | null, addresses: { address: string; family: number }[]) => void,
  ) => {
    const address = table[hostname];
    if (!address)
      callback(
        Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" }),
        [],
      );
    else callback(null, [{ address, family: address.includes(":") ? 6 : 4 }]);
  }) as unknown as typeof dnsLookup;
}

describe("http_fetch", () => {
  it("refuses loopback by default, by IP and by a name that resolves to it, without connecting", async () => {
    const before = received.length;
    const executor = fetcher();
    const byIp = await executor.execute("http_fetch", { url: `http://127.0.0.1:${port}/hello` });
    expect(byIp).toMatchObject({
      success: false,
      error:
        'Tool "http_fetch" failed: Refused: 127.0.0.1 is a private, loopback or link-local address.',
    });
    const byName = await executor.execute("http_fetch", { url: `http://localhost:${port}/hello` });
    expect(byName.error).toMatch(
      /Refused: localhost resolves to (127\.0\.0\.1|::1), a private, loopback or link-local address\./,
    );
    const mapped = await executor.execute("http_fetch", {
      url: `http://[::ffff:127.0.0.1]:${port}/hello`,
    });
    expect(mapped.error).toMatch(/Refused: ::ffff:7f00:1 is a private/);
    for (const disguised of ["2130706433", "0x7f.0.0.1", "0177.0.0.1", "127.1"]) {
      const result = await executor.execute("http_fetch", {
        url: `http://${disguised}:${port}/hello`,
      });
      expect(result.error, disguised).toMatch(/Refused: 127\.0\.0\.1 is a private/);
    }
    expect(received.length).toBe(before);
  });

  it("fetches from loopback when private addresses are allowed", async () => {
    const result = await fetcher({ allowPrivate: true }).execute("http_fetch", {
      url: `http://127.0.0.1:${port}/hello`,
    });
    expect(result.output).toEqual({
      url: `http://127.0.0.1:${port}/hello`,
      status: 200,
      statusText: "OK",
      contentType: "text/plain",
      body: "hello world",
      truncated: false,
    });
  });

  it("allows exactly the private addresses listed", async () => {
    const executor = fetcher({ allowPrivate: ["127.0.0.1"] });
    expect(
      (await executor.execute("http_fetch", { url: `http://127.0.0.1:${port}/hello` })).success,
    ).toBe(true);
    expect(
      (await executor.execute("http_fetch", { url: `http://127.0.0.2:${port}/hello` })).error,
    ).toMatch(/Refused: 127\.0\.0\.2/);
    // Allowed by the range: the tool connects (and finds nobody listening on 127.0.0.2).
    const inRange = await fetcher({ allowPrivate: ["127.0.0.0/8"] }).execute("http_fetch", {
      url: `http://127.0.0.2:${port}/hello`,
    });
    expect(inRange.error).toMatch(/ECONNREFUSED 127\.0\.0\.2/);
    expect(() => builtinTools.httpFetch({ allowPrivate: ["not-an-ip"] })).toThrow(
      'allowPrivate entry "not-an-ip" is not an IP address',
    );
  });

  it("checks every redirect again: host allow-list, IP literal and DNS answer", async () => {
    const executor = fetcher({
      allowPrivate: ["127.0.0.1"],
      allowHosts: ["127.0.0.1", "127.0.0.2", "api.test", "evil.test"],
      lookup: fakeDns({ "api.test": "127.0.0.1", "evil.test": "10.0.0.5" }),
    });
    const followed = await executor.execute("http_fetch", {
      url: `http://api.test:${port}/redirect?to=/hello`,
    });
    expect(followed.output).toMatchObject({
      url: `http://api.test:${port}/hello`,
      body: "hello world",
    });

    const toOtherHost = await executor.execute("http_fetch", {
      url: `http://127.0.0.1:${port}/redirect?to=http://example.com/`,
    });
    expect(toOtherHost.error).toMatch(
      /Refused: host "example.com" is not allowed\. Allowed hosts: 127\.0\.0\.1, 127\.0\.0\.2, api\.test, evil\.test\./,
    );
    const toPrivateIp = await executor.execute("http_fetch", {
      url: `http://127.0.0.1:${port}/redirect?to=http://127.0.0.2:${port}/hello`,
    });
    expect(toPrivateIp.error).toMatch(/Refused: 127\.0\.0\.2 is a private/);
    const toPrivateName = await executor.execute("http_fetch", {
      url: `http://127.0.0.1:${port}/redirect?to=http://evil.test:${port}/hello`,
    });
    expect(toPrivateName.error).toMatch(/Refused: evil\.test resolves to 10\.0\.0\.5/);
    const toFile = await executor.execute("http_fetch", {
      url: `http://127.0.0.1:${port}/redirect?to=file:///etc/passwd`,
    });
    expect(toFile.error).toMatch(/only http: and https: are allowed/);
    const looping = await executor.execute("http_fetch", { url: `http://127.0.0.1:${port}/loop` });
    expect(looping.error).toMatch(/Too many redirects \(more than 5\)/);
  });

  it("refuses hosts outside the allow-list before resolving them", async () => {
    let lookups = 0;
    const lookup = ((...args: Parameters<typeof dnsLookup>) => {
      lookups++;
      return (fakeDns({}) as (...rest: unknown[]) => void)(...args);
    }) as unknown as typeof dnsLookup;
    const result = await fetcher({ allowHosts: ["*.example.com"], lookup }).execute("http_fetch", {
      url: "http://internal.corp/",
    });
    expect(result.error).toMatch(/host "internal.corp" is not allowed/);
    expect(lookups).toBe(0);
  });

  it("refuses other protocols and invalid URLs", async () => {
    const executor = fetcher({ allowPrivate: true });
    expect((await executor.execute("http_fetch", { url: "file:///etc/passwd" })).error).toMatch(
      /only http: and https: are allowed/,
    );
    expect((await executor.execute("http_fetch", { url: "ftp://127.0.0.1/" })).error).toMatch(
      /only http: and https: are allowed/,
    );
    expect((await executor.execute("http_fetch", { url: "/relative" })).error).toMatch(
      /Invalid URL "\/relative"/,
    );
  });

  it("posts a body, keeps its own headers and returns any status as a result", async () => {
    const executor = fetcher({ allowPrivate: true, headers: { authorization: "Bearer secret" } });
    const posted = await executor.execute("http_fetch", {
      url: `http://127.0.0.1:${port}/echo`,
      method: "POST",
      body: '{"q":1}',
      headers: { Authorization: "Bearer stolen", Host: "evil.test", "X-Trace": "t1" },
    });
    expect(posted.output).toMatchObject({
      status: 201,
      body: JSON.stringify({ method: "POST", body: '{"q":1}', type: "application/json" }),
    });
    const last = received.at(-1)!;
    expect(last.headers).toMatchObject({
      authorization: "Bearer secret",
      host: `127.0.0.1:${port}`,
      "x-trace": "t1",
    });
    const missing = await executor.execute("http_fetch", {
      url: `http://127.0.0.1:${port}/missing`,
    });
    expect(missing).toMatchObject({ success: true, output: { status: 404, body: "not here" } });
    expect(
      (
        await fetcher({ allowPrivate: true, methods: ["GET"] }).execute("http_fetch", {
          url: `http://127.0.0.1:${port}/echo`,
          method: "POST",
        })
      ).errorReason,
    ).toBe("invalid_arguments");
  });

  it("cuts a long body at maxBytes and says so", async () => {
    const result = await fetcher({ allowPrivate: true, maxBytes: 2_500 }).execute("http_fetch", {
      url: `http://127.0.0.1:${port}/big`,
    });
    expect(result.output).toMatchObject({ truncated: true, status: 200 });
    expect((result.output as { body: string }).body).toBe("x".repeat(2_500));
  });

  it("gives up after its time limit", async () => {
    const clock = new FakeClock(0);
    const executor = new ToolExecutor({
      tools: [builtinTools.httpFetch({ allowPrivate: true, timeoutMs: 2_000, clock })],
      clock,
    });
    const pending = executor.execute("http_fetch", { url: `http://127.0.0.1:${port}/hang` });
    await new Promise((resolve) => setTimeout(resolve, 50)); // let the real request reach the server
    await clock.advance(2_000);
    const result = await pending;
    expect(result).toMatchObject({
      success: false,
      errorReason: "handler_error",
      error: 'Tool "http_fetch" failed: The request took longer than 2000 ms.',
    });
    expect(received.at(-1)?.url).toBe("/hang");
  });
});
