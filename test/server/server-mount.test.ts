import { describe, expect, it } from "vitest";
import { Hono } from "hono";
import { LLMTeam, SqliteRunStore } from "llmteam";
import { createServer } from "llmteam/server";
import { ScriptedModel } from "llmteam/testing";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

describe("createServer inside an existing hono app", () => {
  it("serves runs under a prefix, with its own problem+json errors", async () => {
    const store = new SqliteRunStore({
      path: join(mkdtempSync(join(tmpdir(), "llmteam-mount-")), "runs.db"),
    });
    const team = new LLMTeam({
      teamId: "support",
      model: "m/x",
      models: { "m/x": new ScriptedModel({ responses: ["We fixed your invoice."] }) },
      runStore: store,
    });
    team.addAgent({ type: "llm", role: "answer", prompt: "Answer: {query}" });
    const server = await createServer({ teams: [team], runStore: store, log: () => undefined });
    const app = new Hono();
    app.get("/", (c) => c.text("my app"));
    app.route("/agents", server.app);
    try {
      const ran = await app.request("/agents/teams/support/runs?wait=true", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ input: "My invoice is wrong" }),
      });
      expect(ran.status).toBe(200);
      expect(await ran.json()).toMatchObject({ finalOutput: "We fixed your invoice." });
      const unknown = await app.request("/agents/runs/run_missing");
      expect(unknown.status).toBe(404);
      expect(unknown.headers.get("content-type")).toBe("application/problem+json");
      expect(await (await app.request("/")).text()).toBe("my app");
    } finally {
      await server.close();
      await store.close();
    }
  });
});
