import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { LLMTeam, PostgresRunStore, SqliteRunStore, verifyRunLog, type RunStore } from "llmteam";
import { ScriptedModel } from "llmteam/testing";
import { cli } from "./support/run-cli.js";

const directory = mkdtempSync(join(tmpdir(), "llmteam-run-store-team-"));
const POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test";
const schema = `llmteam_team_${process.pid}`;

afterAll(async () => {
  rmSync(directory, { recursive: true, force: true });
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
});

function team(store: RunStore): LLMTeam {
  const model = new ScriptedModel({
    responses: (call) => {
      const prompt = JSON.stringify(call.options.prompt);
      return {
        text: prompt.includes("Classify") ? "billing" : "We fixed your invoice.",
        usage: { inputTokens: 20, outputTokens: 6 },
      };
    },
  });
  const built = new LLMTeam({
    teamId: "support",
    model: "openai/gpt-4o-mini",
    models: { "openai/gpt-4o-mini": model },
    runStore: store,
  });
  built.addAgent({ type: "llm", role: "triage", prompt: "Classify: {query}" });
  built.addAgent({ type: "llm", role: "writer", prompt: "Reply to {query} ({triage})" });
  return built;
}

const stores: [string, () => RunStore, string][] = [
  [
    "SqliteRunStore",
    () => new SqliteRunStore({ path: join(directory, "runs.db") }),
    join(directory, "runs.db"),
  ],
  [
    "PostgresRunStore",
    () => new PostgresRunStore({ connection: POSTGRES_URL, schema }),
    `${POSTGRES_URL}?schema=${schema}`,
  ],
];

describe.each(stores)("a team run kept in %s", (_name, open, spec) => {
  it("stores the whole run: its log verifies, its totals match the result, the CLI shows it", async () => {
    const store = open();
    let runId: string;
    try {
      const result = await team(store).run("My invoice is wrong");
      expect(result.success).toBe(true);
      runId = result.runId;
      const stored = await store.getRun(runId);
      expect(stored).toMatchObject({
        teamId: "support",
        status: "completed",
        lastSeq: result.eventCount,
        inputTokens: result.usage.inputTokens,
        outputTokens: result.usage.outputTokens,
        costUsd: result.cost.totalUsd,
        input: { query: "My invoice is wrong" },
      });
      expect(result.cost.totalUsd).toBeGreaterThan(0);
      expect(await verifyRunLog(store, runId)).toEqual({ ok: true, events: result.eventCount });
      const events = await store.readEvents(runId);
      expect(events.map((event) => event.event.type).at(-1)).toBe("run_completed");
    } finally {
      await store.close();
    }
    const shown = await cli(["runs", "show", runId, "--store", spec]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`Run ${runId} — team support — completed`);
    expect(shown.stdout).toMatch(/triage\s+openai\/gpt-4o-mini\s+completed[^\n]*\n\s+→ billing/);
    expect(shown.stdout).toMatch(/writer[^\n]*\n\s+→ We fixed your invoice\./);
    const verified = await cli(["runs", "verify", runId, "--store", spec]);
    expect(verified.code).toBe(0);
  });
});
