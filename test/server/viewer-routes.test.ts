import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { Hono } from "hono";
import { LLMTeam, SqliteRunStore } from "llmteam";
import { createServer, type LLMTeamServer } from "llmteam/server";
import { ScriptedModel } from "llmteam/testing";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureViewerBundle } from "../support/viewer-bundle.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

beforeAll(ensureViewerBundle, 30_000);

async function serverWith(viewer?: false | { directory: string }): Promise<LLMTeamServer> {
  const folder = mkdtempSync(join(tmpdir(), "llmteam-viewer-"));
  const store = new SqliteRunStore({ path: join(folder, "runs.db") });
  const model = new ScriptedModel({ responses: [] });
  const team = new LLMTeam({
    teamId: "t",
    model: "m/x",
    models: { "m/x": model },
    runStore: store,
  });
  team.addAgent({ type: "llm", role: "writer", prompt: "{query}" });
  const server = await createServer({
    teams: [team],
    runStore: store,
    log: () => undefined,
    ...(viewer === undefined ? {} : { viewer }),
  });
  cleanups.push(
    () => rmSync(folder, { recursive: true, force: true }),
    () => store.close(),
    () => server.close(),
  );
  return server;
}

const get = (server: LLMTeamServer, path: string, headers: Record<string, string> = {}) =>
  server.fetch(new Request(`http://x${path}`, { headers }));

describe("the run viewer's routes", () => {
  it("serves the page at / with its bundle's versions, a strict CSP and an ETag that answers 304", async () => {
    const server = await serverWith();
    const page = await get(server, "/");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("cache-control")).toBe("no-cache");
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).toMatch(
      /<script type="module" src="\/viewer\/viewer\.js\?v=[0-9a-f]{16}"><\/script>/,
    );
    expect(html).toMatch(/<link rel="stylesheet" href="\/viewer\/viewer\.css\?v=[0-9a-f]{16}">/);
    const etag = page.headers.get("etag")!;
    expect(etag).toMatch(/^"[0-9a-f]{16}"$/);
    const again = await get(server, "/", { "if-none-match": etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
  });

  it("serves the bundle: immutable under its current version, revalidated otherwise, 304 on a matching ETag", async () => {
    const server = await serverWith();
    const html = await (await get(server, "/")).text();
    const src = /src="([^"]+)"/.exec(html)![1]!;
    const script = await get(server, src);
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(script.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(await script.text()).toBe(readFileSync("dist/viewer/viewer.js", "utf8"));
    expect(`"${src.split("v=")[1]}"`).toBe(script.headers.get("etag"));
    const unversioned = await get(server, "/viewer/viewer.js");
    expect(unversioned.headers.get("cache-control")).toBe("no-cache");
    const notModified = await get(server, "/viewer/viewer.css", {
      "if-none-match": (await get(server, "/viewer/viewer.css")).headers.get("etag")!,
    });
    expect(notModified.status).toBe(304);
    const unknown = await get(server, "/viewer/secrets.txt");
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { detail: string }).detail).toBe(
      'The run viewer has no file "secrets.txt". Its files: viewer.js, viewer.css.',
    );
  });

  it("answers 503 saying to run `npm run build` when the bundle is missing, never a blank page", async () => {
    const empty = mkdtempSync(join(tmpdir(), "llmteam-viewer-empty-"));
    cleanups.push(() => rmSync(empty, { recursive: true, force: true }));
    const server = await serverWith({ directory: empty });
    for (const path of ["/", "/viewer/viewer.js"]) {
      const response = await get(server, path);
      expect(response.status).toBe(503);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      const { detail } = (await response.json()) as { detail: string };
      expect(detail).toContain("The run viewer is not built");
      expect(detail).toContain("Run `npm run build`");
    }
    expect((await get(server, "/health")).status).toBe(200);
  });

  it("serves a rebuilt bundle with a new ETag without a restart", async () => {
    const folder = mkdtempSync(join(tmpdir(), "llmteam-viewer-own-"));
    cleanups.push(() => rmSync(folder, { recursive: true, force: true }));
    writeFileSync(join(folder, "viewer.js"), "console.log(1);");
    writeFileSync(join(folder, "viewer.css"), "body{}");
    const server = await serverWith({ directory: folder });
    const before = await get(server, "/viewer/viewer.js");
    expect(await before.text()).toBe("console.log(1);");
    writeFileSync(join(folder, "viewer.js"), "console.log(22);");
    const after = await get(server, "/viewer/viewer.js", {
      "if-none-match": before.headers.get("etag")!,
    });
    expect(after.status).toBe(200);
    expect(await after.text()).toBe("console.log(22);");
    expect(after.headers.get("etag")).not.toBe(before.headers.get("etag"));
  });

  it("is left out with viewer: false, and listed in the OpenAPI document otherwise", async () => {
    const off = await serverWith(false);
    expect((await get(off, "/")).status).toBe(404);
    const on = await serverWith();
    const document = (await (await get(on, "/openapi.json")).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(["/", "/viewer/{file}"]));
  });

  it("works under a prefix when mounted in another hono app: the page loads its bundle from there", async () => {
    const server = await serverWith();
    const app = new Hono();
    app.route("/agents", server.app);
    const page = await app.request("/agents");
    expect(page.status).toBe(200);
    const src = /src="([^"]+)"/.exec(await page.text())![1]!;
    expect(src).toMatch(/^\/agents\/viewer\/viewer\.js\?v=/);
    expect((await app.request(src)).status).toBe(200);
  });
});
