import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";
import { z } from "zod";
import { LLMTeam, SqliteRunStore, tool } from "llmteam";
import {
  createServer,
  HttpProblem,
  SCOPES,
  type LLMTeamServer,
  type ListeningServer,
  type ServerAuth,
} from "llmteam/server";
import { ScriptedModel } from "llmteam/testing";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureViewerBundle } from "../support/viewer-bundle.js";

/**
 * The run viewer end to end in real headless Chromium (Debian's `chromium`, which .ci/run
 * installs): start a run from the page, watch the tokens stream in, reload mid-run, lose the
 * connection mid-run, approve the tool call with the button, check the final state. Without
 * Chromium this fails, unless LLMTEAM_SKIP_BROWSER_TESTS=1 says to skip it (local use only).
 */
const CHROMIUM = "/usr/bin/chromium";
const skip = process.env.LLMTEAM_SKIP_BROWSER_TESTS === "1";
/** Screenshots kept for a person to look at (gitignored). */
const ARTIFACTS = ".ci/out";

const WORDS = (
  "Solar power turns sunlight into electricity with photovoltaic cells. Panels on a roof " +
  "feed an inverter, which turns direct current into the alternating current a house uses. " +
  "Costs fell ninety percent in a decade, and storage now smooths the evening peak."
).split(/(?<= )/);
const RESEARCH = WORDS.join("");
const PUBLISHED: string[] = [];

const publish = tool({
  name: "publish",
  description: "Publishes a report.",
  parameters: z.object({ title: z.string() }),
  needsApproval: true,
  execute: ({ title }) => {
    PUBLISHED.push(title);
    return `published "${title}"`;
  },
});

let browser: Browser;
let server: LLMTeamServer;
let listening: ListeningServer;
let store: SqliteRunStore;
let folder: string;

describe.skipIf(skip)("the run viewer in Chromium", () => {
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium is missing at ${CHROMIUM}: install it with "apt-get install -y chromium" (.ci/run does), or set LLMTEAM_SKIP_BROWSER_TESTS=1 to skip the browser tests locally.`,
      );
    }
    await ensureViewerBundle();
    folder = mkdtempSync(join(tmpdir(), "llmteam-viewer-e2e-"));
    store = new SqliteRunStore({ path: join(folder, "runs.db") });
    const model = new ScriptedModel({
      modelId: "gpt-4o-mini",
      responses: [
        // research: streamed a word every 150 ms (~6 s)
        { chunks: WORDS, chunkDelayMs: 150, usage: { inputTokens: 1000, outputTokens: 2000 } },
        // publisher: asks for the tool (which needs approval), then answers
        {
          toolCalls: [
            { toolName: "publish", input: { title: "Solar power" }, toolCallId: "call-1" },
          ],
          usage: { inputTokens: 1000, outputTokens: 100 },
        },
        { text: "Published: Solar power", usage: { inputTokens: 1000, outputTokens: 200 } },
      ],
    });
    const team = new LLMTeam({
      teamId: "press",
      model: "openai/gpt-4o-mini", // catalog price: $0.15 in, $0.60 out per 1M tokens
      models: { "openai/gpt-4o-mini": model },
      runStore: store,
      tools: [publish],
      maxCostPerRun: 0.05,
    });
    team.addAgent({ type: "llm", role: "research", prompt: "Research: {query}", stream: true });
    team.addAgent({
      type: "llm",
      role: "publisher",
      prompt: "Publish: {research}",
      tools: ["publish"],
      stream: true,
    });
    server = await createServer({ teams: [team], runStore: store, log: () => undefined });
    listening = await server.listen({ port: 0 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await listening?.close();
    await server?.close();
    await store?.close();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it("starts a run, streams its tokens, survives a reload and a lost connection, approves the tool call and shows the result", async () => {
    const page = await newPage();
    await page.goto(`${listening.url}/`);
    await page.fill("input[name=team]", "press");
    await page.fill("textarea[name=input]", "solar power");
    await page.click("button[type=submit]");
    await page.waitForURL(/#\/runs\/run_/);
    const runId = decodeURIComponent(new URL(page.url()).hash.slice("#/runs/".length));

    // Tokens appear one by one: some of the text is there before all of it.
    const stream = page.locator("article[data-agent=research] pre.stream");
    const partial = await waitForPartial(page, "article[data-agent=research] pre.stream");
    expect(RESEARCH.startsWith(partial)).toBe(true);

    // A reload mid-run reads the run again: the text goes on from where it is, once.
    await page.reload();
    const afterReload = await waitForPartial(page, "article[data-agent=research] pre.stream");
    expect(RESEARCH.startsWith(afterReload)).toBe(true);

    // The server drops every connection mid-run and comes back on the same port: the page
    // reconnects with Last-Event-ID and gets each later event once.
    const resumedFrom: string[] = [];
    page.on("request", (request) => {
      const header = request.headers()["last-event-id"];
      if (request.url().includes("/events") && header) resumedFrom.push(header);
    });
    const port = listening.port;
    await listening.close();
    await page.waitForSelector(".connection.reconnecting");
    listening = await server.listen({ port });
    await expect.poll(() => stream.textContent(), { timeout: 15_000 }).toBe(RESEARCH);
    expect(resumedFrom.length).toBeGreaterThan(0);
    expect(Number(resumedFrom[0])).toBeGreaterThan(0);

    // The tool call waits for a person: the run list shows the run live and waiting.
    await page.waitForSelector(".approvals button.approve");
    expect(PUBLISHED).toEqual([]);
    await expect
      .poll(() => page.locator(".approvals .approval").textContent())
      .toContain("publish");
    await expect
      .poll(() => page.locator(".approvals pre.json").textContent())
      .toContain('"title": "Solar power"');
    const list = await newPage();
    await list.goto(`${listening.url}/`);
    const row = list.locator(`tr[data-run-id="${runId}"]`);
    await row.waitFor();
    expect(await row.getAttribute("class")).toBe("live");
    await expect.poll(() => row.textContent()).toContain("waiting_approval");
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}/viewer-approval.png`, fullPage: true });

    await page.click(".approvals button.approve");
    await page.waitForSelector(".final-output");
    expect(await page.textContent(".final-output")).toBe("Published: Solar power");
    expect(PUBLISHED).toEqual(["Solar power"]);
    await expect
      .poll(() => page.locator("[data-call-id=call-1] .approval-state").textContent())
      .toBe("approved");
    await expect
      .poll(() => page.locator("[data-call-id=call-1] pre.result").textContent())
      .toBe('published "Solar power"');

    // Final state: every event once, the cost the store has, against the run's budget.
    const stored = (await (await fetch(`${listening.url}/runs/${runId}`)).json()) as {
      status: string;
      lastSeq: number;
      costUsd: number;
    };
    expect(stored).toMatchObject({ status: "completed", costUsd: 0.00183 });
    const view = page.locator(".run");
    await expect.poll(() => view.getAttribute("data-status")).toBe("completed");
    expect(await view.getAttribute("data-last-seq")).toBe(String(stored.lastSeq));
    expect(await view.getAttribute("data-event-count")).toBe(String(stored.lastSeq));
    expect(await view.getAttribute("data-duplicates")).toBe("0");
    expect(await view.getAttribute("data-gaps")).toBe("0");
    expect(await page.getAttribute("[data-cost-usd]", "data-cost-usd")).toBe("0.00183");
    await expect.poll(() => page.locator(".cost").textContent()).toContain("$0.0018");
    await expect
      .poll(() => page.locator(".cost").textContent())
      .toContain("of $0.0500 (run budget)");
    await expect
      .poll(() => page.locator(".report").textContent())
      .toContain("research → publisher");
    expect(await page.locator(".timeline .bar.completed").count()).toBe(2);
    await page.screenshot({ path: `${ARTIFACTS}/viewer.png`, fullPage: true });

    // The list refreshes by itself: the run is no longer live.
    await expect.poll(() => row.textContent(), { timeout: 10_000 }).toContain("completed");
    expect(pageErrors).toEqual([]);
  }, 90_000);

  it("asks for an API key when the server has keys, and sends it with every request, the event stream's too", async () => {
    const keyed = await keyedServer();
    try {
      const page = await newPage();
      const sent: string[] = [];
      page.on("request", (request) => {
        if (!request.url().includes("/viewer/") && request.url() !== `${keyed.url}/`)
          sent.push(`${new URL(request.url()).pathname} ${request.headers().authorization ?? "-"}`);
      });
      await page.goto(`${keyed.url}/`);
      await expect
        .poll(() => page.locator(".error").first().textContent())
        .toContain("401: An API key is needed");
      await page.click("text=API key…");
      await page.fill("input[name=apiKey]", "s3cret");
      await page.click("text=Use");
      await page.waitForSelector("text=No runs yet");
      await page.fill("input[name=team]", "desk");
      await page.fill("textarea[name=input]", "hello");
      await page.click("button[type=submit]");
      await page.waitForSelector(".final-output");
      expect(await page.textContent(".final-output")).toBe("Hello there.");
      const events = sent.filter((line) => /^\/runs\/[^/]+\/events /.test(line));
      expect(events.length).toBeGreaterThan(0);
      expect(events.every((line) => line.endsWith("Bearer s3cret"))).toBe(true);
      // The key is kept for the tab: a reload needs no new paste.
      await page.reload();
      await page.waitForSelector(".final-output");
      expect(await page.textContent(".key")).toContain("API key set");
      expect(pageErrors).toEqual([]);
    } finally {
      await keyed.close();
    }
  }, 60_000);
});

/** A server whose API needs `Authorization: Bearer s3cret` (public routes: the page, health). */
async function keyedServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const keyedStore = new SqliteRunStore({ path: join(folder, "keyed.db") });
  const team = new LLMTeam({
    teamId: "desk",
    model: "m/x",
    models: { "m/x": new ScriptedModel({ responses: [{ chunks: ["Hello", " there."] }] }) },
    runStore: keyedStore,
  });
  team.addAgent({ type: "llm", role: "answer", prompt: "{query}", stream: true });
  const auth: ServerAuth = {
    enabled: true,
    authorize: (request, scope) => {
      const allowed =
        scope === "public" || request.headers.get("authorization") === "Bearer s3cret";
      if (!allowed) return Promise.reject(new HttpProblem(401, "An API key is needed."));
      return Promise.resolve({ keyId: "test", scopes: new Set(SCOPES), teams: undefined });
    },
  };
  const keyed = await createServer({
    teams: [team],
    runStore: keyedStore,
    auth,
    log: () => undefined,
  });
  const listened = await keyed.listen({ port: 0 });
  return {
    url: listened.url,
    close: async () => {
      await listened.close();
      await keyed.close();
      await keyedStore.close();
    },
  };
}

const pageErrors: string[] = [];

/** A page whose script errors and console errors (CSP violations among them) are collected. */
async function newPage(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(10_000);
  page.on("pageerror", (error) => pageErrors.push(error.message));
  page.on("console", (message) => {
    if (
      message.type() === "error" &&
      !/Failed to load resource|ERR_CONNECTION/.test(message.text())
    )
      pageErrors.push(message.text());
  });
  return page;
}

/** Waits until the element shows some of the text but not all of it, and returns what it shows. */
async function waitForPartial(page: Page, selector: string): Promise<string> {
  const handle = await page.waitForFunction(
    ({ selector, full }) => {
      const text = document.querySelector(selector)?.textContent ?? "";
      return text.length > 0 && text.length < full.length ? text : false;
    },
    { selector, full: RESEARCH },
    { timeout: 10_000, polling: 20 },
  );
  return (await handle.jsonValue()) as string;
}
