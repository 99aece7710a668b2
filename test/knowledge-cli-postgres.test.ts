import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectPostgresKnowledgeCatalog, LLMTeam } from "llmteam";
import { cli } from "./support/run-cli.js";

const SERVER = "postgres://postgres@127.0.0.1:5432/test";
const schema = `kbcli_${process.pid}_${Date.now()}`;
const store = `${SERVER}?schema=${schema}`;
let dir: string;
let admin: pg.Pool;

beforeAll(() => {
  admin = new pg.Pool({ connectionString: SERVER, max: 1 });
  dir = mkdtempSync(join(tmpdir(), "llmteam-kbcli-pg-"));
  mkdirSync(join(dir, "docs"));
  writeFileSync(
    join(dir, "docs", "coffee.md"),
    "# Coffee\n\nBrew coffee at 93 degrees for four minutes.",
  );
  writeFileSync(join(dir, "docs", "tea.md"), "# Tea\n\nGreen tea wants water at 80 degrees.");
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
});

describe("llmteam ingest and kb with --store postgres://…", () => {
  it("ingests into a Postgres schema, then lists, shows, queries and drops its knowledge bases", async () => {
    const first = await cli(["ingest", join(dir, "docs"), "--kb", "drinks", "--store", store]);
    expect(first.stderr).not.toContain("Error");
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^Knowledge base "drinks": 2 files — 2 ingested, 0 unchanged/);
    // The rows are in the schema the URL named, not in a local file.
    const { rows } = await admin.query<{ kb: string; n: string }>(
      `SELECT kb, count(*) AS n FROM "${schema}".llmteam_kb_documents GROUP BY kb`,
    );
    expect(rows).toEqual([{ kb: "drinks", n: "2" }]);
    const again = await cli([
      "ingest",
      join(dir, "docs"),
      "--kb",
      "drinks",
      "--store",
      store,
      "--json",
    ]);
    expect(JSON.parse(again.stdout)).toMatchObject({ ingested: 0, unchanged: 2 });
    await cli(["ingest", join(dir, "docs", "tea.md"), "--kb", "tea", "--store", store]);

    const list = await cli(["kb", "list", "--store", store]);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(`Knowledge bases in postgres://postgres@127.0.0.1:5432/test:`);
    expect(list.stdout).toMatch(/drinks +2 documents, 2 chunks, \d+ tokens/);
    expect(list.stdout).toMatch(/tea +1 document, 1 chunk/);
    const show = await cli(["kb", "show", "drinks", "--store", store]);
    expect(show.stdout).toContain(
      'Knowledge base "drinks" (postgres://postgres@127.0.0.1:5432/test, "drinks")',
    );
    expect(show.stdout).toMatch(/coffee\.md {2}markdown, 1 chunk/);
    const query = await cli([
      "kb",
      "query",
      "How hot should the water be for green tea?",
      "--kb",
      "drinks",
      "--store",
      store,
      "--top-k",
      "1",
    ]);
    expect(query.code).toBe(0);
    expect(query.stdout).toContain("[1] Green tea wants water at 80 degrees.");

    // A team reads the same knowledge bases through the catalog.
    const catalog = await connectPostgresKnowledgeCatalog({ url: store });
    const team = new LLMTeam({
      teamId: "drinks",
      knowledge: catalog,
      agents: [{ type: "rag", role: "lookup", knowledgeBase: "drinks", topK: 1 }],
    });
    const result = await team.run({ query: "coffee brewing minutes" });
    expect(result.error).toBeUndefined();
    expect(String(result.agentResults[0]!.output)).toContain(
      "[1] Brew coffee at 93 degrees for four minutes.",
    );
    await catalog.close();

    const dropped = await cli(["kb", "drop", "tea", "--store", store]);
    expect(dropped.stdout).toBe('Dropped knowledge base "tea".\n');
    const after = await cli(["kb", "list", "--store", store, "--json"]);
    expect((JSON.parse(after.stdout) as { name: string }[]).map((row) => row.name)).toEqual([
      "drinks",
    ]);
    const missing = await cli(["kb", "drop", "tea", "--store", store]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain(
      'Knowledge base "tea" does not exist in postgres://postgres@127.0.0.1:5432/test. Available: drinks.',
    );
  }, 60_000);

  it("refuses a --store that is not a Postgres URL, and one given with --kb-dir", async () => {
    const file = await cli(["kb", "list", "--store", "kb.db"]);
    expect(file.code).toBe(2);
    expect(file.stderr).toContain("--store takes a postgres://… URL");
    const both = await cli(["kb", "list", "--store", store, "--kb-dir", dir]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("--store and --kb-dir name two places");
  });
});

describe("llmteam run --kb-store postgres://…", () => {
  it("runs a team whose rag agent reads a knowledge base of the Postgres schema", async () => {
    const ingested = await cli(["ingest", join(dir, "docs"), "--kb", "beans", "--store", store]);
    expect(ingested.code).toBe(0);
    const file = join(dir, "beans.yaml");
    writeFileSync(
      file,
      `teamId: baristas
agents:
  - { type: rag, role: lookup, knowledgeBase: beans, topK: 1 }
`,
    );
    const run = await cli(["run", file, "--kb-store", store, "--query", "coffee brew temperature"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Brew coffee at 93 degrees for four minutes.");
    const wrong = await cli(["run", file, "--kb-store", "kb.db", "--query", "q"]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain("--kb-store takes a postgres://… URL");
  });
});
