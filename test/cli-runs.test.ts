import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import pg from "pg";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { PostgresRunStore, SqliteRunStore, type RunStore, type StreamEventJSON } from "llmteam";
import { cli } from "./support/run-cli.js";

const directory = mkdtempSync(join(tmpdir(), "llmteam-cli-runs-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
let files = 0;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The events of a two-agent run that completed, numbered from 1. */
function twoAgentRun(runId: string, start: number): StreamEventJSON[] {
  const usage = { inputTokens: 12, outputTokens: 4, totalTokens: 16 };
  const raw: Omit<StreamEventJSON, "seq" | "runId">[] = [
    {
      type: "run_started",
      timestamp: start,
      data: { teamId: "support", agents: ["triage", "writer"], input: {}, mode: "sequential" },
    },
    {
      type: "agent_started",
      timestamp: start + 5,
      agentId: "triage",
      data: { role: "triage", model: "lab/small", step: 1 },
    },
    { type: "token", timestamp: start + 40, agentId: "triage", data: { token: "billing" } },
    {
      type: "cost_update",
      timestamp: start + 50,
      agentId: "triage",
      data: { model: "lab/small", deltaUsd: 0.0002, totalUsd: 0.0002, tokens: usage },
    },
    {
      type: "agent_completed",
      timestamp: start + 51,
      agentId: "triage",
      data: { output: "billing", usage, model: "lab/small", latencyMs: 46 },
    },
    {
      type: "agent_started",
      timestamp: start + 60,
      agentId: "writer",
      data: { role: "writer", model: "lab/small", step: 2 },
    },
    {
      type: "tool_call",
      timestamp: start + 70,
      agentId: "writer",
      data: { callId: "c1", toolName: "lookup_invoice", arguments: { id: 7 }, round: 1 },
    },
    {
      type: "tool_result",
      timestamp: start + 80,
      agentId: "writer",
      data: {
        callId: "c1",
        toolName: "lookup_invoice",
        success: true,
        output: { total: 12 },
        durationMs: 10,
        round: 1,
      },
    },
    { type: "token", timestamp: start + 90, agentId: "writer", data: { token: "We fixed it." } },
    {
      type: "cost_update",
      timestamp: start + 95,
      agentId: "writer",
      data: { model: "lab/small", deltaUsd: 0.0003, totalUsd: 0.0005, tokens: usage },
    },
    {
      type: "agent_completed",
      timestamp: start + 96,
      agentId: "writer",
      data: { output: "We fixed it.", usage, model: "lab/small", latencyMs: 36 },
    },
    {
      type: "run_completed",
      timestamp: start + 100,
      data: { output: "We fixed it.", usage, durationMs: 100 },
    },
  ];
  return raw.map((event, index) => ({ ...event, runId, seq: index + 1 }));
}

async function addRun(
  store: RunStore,
  runId: string,
  options: {
    teamId?: string;
    status?: "running" | "completed" | "waiting_approval";
    createdAt: number;
    events?: StreamEventJSON[];
  },
): Promise<void> {
  await store.createRun({
    runId,
    teamId: options.teamId ?? "support",
    configHash: "f".repeat(64),
    config: {},
    input: { query: "My invoice is wrong" },
    options: {},
    status: "running",
    createdAt: options.createdAt,
  });
  const events = options.events ?? twoAgentRun(runId, options.createdAt);
  const status = options.status ?? "completed";
  await store.commit(runId, {
    events: status === "completed" ? events : events.slice(0, 5),
    status,
    now: options.createdAt + 100,
  });
}

describe("llmteam runs", () => {
  let file: string;
  let store: SqliteRunStore;
  const now = Date.now();

  beforeEach(async () => {
    file = join(directory, `runs-${files++}.db`);
    store = new SqliteRunStore({ path: file });
    await addRun(store, "run-old", { createdAt: now - 40 * DAY });
    await addRun(store, "run-sales", { teamId: "sales", createdAt: now - 3 * HOUR });
    await addRun(store, "run-live", { status: "running", createdAt: now - HOUR });
    await addRun(store, "run-approval", { status: "waiting_approval", createdAt: now - 60_000 });
    return () => store.close();
  });

  it("lists runs newest first with their status, tokens and cost", async () => {
    const { code, stdout } = await cli(["runs", "list", "--store", file]);
    expect(code).toBe(0);
    const lines = stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^RUN\s+TEAM\s+STATUS\s+CREATED\s+EVENTS\s+TOKENS IN\/OUT\s+COST$/);
    expect(lines.slice(1).map((line) => line.split(/\s+/)[0])).toEqual([
      "run-approval",
      "run-live",
      "run-sales",
      "run-old",
    ]);
    expect(lines[3]).toMatch(/run-sales\s+sales\s+completed\s+\S+ \S+\s+12\s+24\/8\s+\$0\.0005$/);
  });

  it("filters by status, team, time and count, and prints JSON", async () => {
    const ids = async (...args: string[]) =>
      (
        JSON.parse((await cli(["runs", "list", "--store", file, "--json", ...args])).stdout) as {
          runId: string;
        }[]
      ).map((run) => run.runId);
    expect(await ids("--status", "completed")).toEqual(["run-sales", "run-old"]);
    expect(await ids("--status", "running,waiting_approval")).toEqual(["run-approval", "run-live"]);
    expect(await ids("--team", "support", "--since", "2h")).toEqual(["run-approval", "run-live"]);
    expect(await ids("--since", new Date(now - 10 * DAY).toISOString().slice(0, 10))).toHaveLength(
      3,
    );
    expect(await ids("--limit", "1")).toEqual(["run-approval"]);
    const bad = await cli(["runs", "list", "--store", file, "--status", "done"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--status done is not a run status. Valid: running, paused");
    const since = await cli(["runs", "list", "--store", file, "--since", "yesterday"]);
    expect(since.code).toBe(2);
    expect(since.stderr).toContain("Use a duration such as 30m, 2h, 7d or 2w");
  });

  it("shows a run: status, agents with outputs, usage, cost and the timeline", async () => {
    const { code, stdout } = await cli(["runs", "show", "run-sales", "--store", file]);
    expect(code).toBe(0);
    expect(stdout).toContain("Run run-sales — team sales — completed");
    expect(stdout).toContain("usage   24 in + 8 out tokens, $0.0005");
    expect(stdout).toMatch(
      /triage\s+lab\/small\s+completed\s+46 ms\s+12 in \+ 4 out tokens\n\s+→ billing/,
    );
    expect(stdout).toMatch(/writer\s+lab\/small\s+completed[^\n]*\n\s+→ We fixed it\./);
    const timeline = stdout.slice(stdout.indexOf("Timeline:"));
    expect(timeline).toMatch(/\+0\.000s {2}▶ support: 2 agents \(sequential\)/);
    expect(timeline).toMatch(/\+0\.070s {2}↳ lookup_invoice\(\{"id":7\}\) \[round 1\]/);
    expect(timeline).toMatch(/\+0\.100s {2}■ run completed/);
    expect(timeline.indexOf("● triage")).toBeLessThan(timeline.indexOf("● writer"));
    const json = JSON.parse(
      (await cli(["runs", "show", "run-sales", "--store", file, "--json"])).stdout,
    ) as {
      agents: { agent: string; output: unknown }[];
    };
    expect(json.agents.map((agent) => [agent.agent, agent.output])).toEqual([
      ["triage", "billing"],
      ["writer", "We fixed it."],
    ]);
  });

  it("names an unknown run and the closest id", async () => {
    const { code, stderr } = await cli(["runs", "show", "run-sale", "--store", file]);
    expect(code).toBe(1);
    expect(stderr).toContain(`no run "run-sale" in the run store ${file}. Did you mean run-sales?`);
  });

  it("prints the event log, as lines or JSON", async () => {
    const lines = await cli(["runs", "events", "run-sales", "--store", file]);
    expect(lines.code).toBe(0);
    const rows = lines.stdout.trim().split("\n");
    expect(rows).toHaveLength(12);
    expect(rows[2]).toMatch(/^\s+3\s+\+0\.040s token\s+triage\s+"billing"$/);
    expect(rows[3]).toMatch(/cost_update\s+triage\s+lab\/small: 12 in \+ 4 out tokens, \$0\.0002$/);
    const json = await cli(["runs", "events", "run-sales", "--store", file, "--json"]);
    const events = json.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as StreamEventJSON);
    expect(events).toEqual(twoAgentRun("run-sales", now - 3 * HOUR));
  });

  it("follows a running run's events until it ends", async () => {
    const events = twoAgentRun("run-live", now - HOUR);
    const following = cli(["runs", "events", "run-live", "--store", file, "--json", "--follow"]);
    await new Promise((resolve) => setTimeout(resolve, 400));
    await store.commit("run-live", { events: events.slice(5, 9), now: now - HOUR + 200 });
    await new Promise((resolve) => setTimeout(resolve, 400));
    await store.commit("run-live", { events: events.slice(9), status: "completed", now: now });
    const { code, stdout } = await following;
    expect(code).toBe(0);
    expect(
      stdout
        .trim()
        .split("\n")
        .map((line) => (JSON.parse(line) as { seq: number }).seq),
    ).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it("verifies the hash chain, and names the first tampered event", async () => {
    const intact = await cli(["runs", "verify", "run-sales", "--store", file]);
    expect(intact).toMatchObject({
      code: 0,
      stdout: "✓ run run-sales: 12 events, hash chain intact.\n",
    });
    const database = new DatabaseSync(file);
    database.exec(
      "UPDATE llmteam_run_event_batches SET events = replace(events, '0.0003', '0.00003') " +
        "WHERE run = (SELECT id FROM llmteam_runs WHERE run_id = 'run-sales') AND 10 BETWEEN first_seq AND last_seq",
    );
    database.close();
    const tampered = await cli(["runs", "verify", "run-sales", "--store", file]);
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toContain(
      '✗ Event 10 of run "run-sales" was altered after it was stored',
    );
    expect(tampered.stderr).toContain('stored event 10: {"agentId":"writer"');
    const json = await cli(["runs", "verify", "run-sales", "--store", file, "--json"]);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, seq: 10, problem: "altered" });
  });

  it("cancels a parked run, asks a running one to stop, and refuses an ended one", async () => {
    const parked = await cli(["runs", "cancel", "run-approval", "--store", file]);
    expect(parked).toMatchObject({
      code: 0,
      stdout: "Run run-approval cancelled (it was waiting_approval).\n",
    });
    expect((await store.getRun("run-approval"))?.status).toBe("cancelled");
    const running = await cli(["runs", "cancel", "run-live", "--store", file]);
    expect(running.code).toBe(0);
    expect(running.stdout).toContain("stops at its next step boundary");
    expect(await store.getRun("run-live")).toMatchObject({
      status: "running",
      cancelRequested: true,
    });
    const ended = await cli(["runs", "cancel", "run-sales", "--store", file]);
    expect(ended.code).toBe(1);
    expect(ended.stderr).toContain(
      "run run-sales has already ended (completed); nothing to cancel.",
    );
  });

  it("prunes ended runs older than a duration", async () => {
    const missing = await cli(["runs", "prune", "--store", file]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("runs prune needs --older-than, e.g. --older-than 30d");
    const { code, stdout } = await cli(["runs", "prune", "--older-than", "30d", "--store", file]);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^Deleted 1 ended run \(completed, failed or cancelled\) last changed before /,
    );
    expect((await store.listRuns()).map((run) => run.runId)).toEqual([
      "run-approval",
      "run-live",
      "run-sales",
    ]);
  });

  it("says when there is no store, and what a runs command can be", async () => {
    const none = await cli(["runs", "list", "--store", join(directory, "nothing-here.db")]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("no run store at");
    expect(none.stderr).toContain("--store <file|postgres://…>");
    const typo = await cli(["runs", "lst"]);
    expect(typo).toMatchObject({ code: 2 });
    expect(typo.stderr).toContain('unknown runs command "lst". Did you mean list?');
    const help = await cli(["runs", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("llmteam runs events <run-id> [--json] [--follow]");
    const option = await cli(["runs", "show", "x", "--follow", "--store", file]);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("unknown option --follow for runs show");
  });
});

describe("llmteam runs on Postgres", () => {
  it("lists and shows runs of a postgres:// store", async () => {
    const schema = `llmteam_cli_${process.pid}`;
    const url = "postgres://postgres@127.0.0.1:5432/test";
    const store = new PostgresRunStore({ connection: url, schema });
    try {
      await addRun(store, "pg-run", { createdAt: Date.now() - 1000 });
      // The CLI's --store takes a URL; its schema parameter names the Postgres schema.
      const spec = `${url}?schema=${schema}`;
      const listed = await cli(["runs", "list", "--store", spec]);
      expect(listed.code).toBe(0);
      expect(listed.stdout).toMatch(/pg-run\s+support\s+completed/);
    } finally {
      await store.close();
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    }
  });
});
