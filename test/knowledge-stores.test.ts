import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll } from "vitest";
import { PostgresKnowledgeStore, SqliteKnowledgeStore } from "llmteam";
import { describeKnowledgeStore } from "./support/knowledge-store-contract.js";

const dir = mkdtempSync(join(tmpdir(), "llmteam-kbstore-"));
let files = 0;
describeKnowledgeStore(
  "SqliteKnowledgeStore",
  () => new SqliteKnowledgeStore({ path: join(dir, `kb-${++files}.db`) }),
  () => new SqliteKnowledgeStore({ path: join(dir, `kb-${files}.db`) }),
);

const pool = new pg.Pool({
  host: "127.0.0.1",
  port: 5432,
  database: "test",
  user: "postgres",
  max: 4,
});
const schema = `kb_test_${process.pid}_${Date.now()}`;
let bases = 0;
describeKnowledgeStore(
  "PostgresKnowledgeStore",
  () => PostgresKnowledgeStore.connect({ pool, schema, knowledgeBase: `kb-${++bases}` }),
  () => PostgresKnowledgeStore.connect({ pool, schema, knowledgeBase: `kb-${bases}` }),
);

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
});
