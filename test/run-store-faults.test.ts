import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import {
  PostgresRunStore,
  RunStoreError,
  openRunStore,
  verifyRunLog,
  type StreamEventJSON,
} from "llmteam";
import { startTcpProxy } from "./support/tcp-proxy.js";

const directory = mkdtempSync(join(tmpdir(), "llmteam-run-store-faults-"));
const POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test";
const schema = `llmteam_faults_${process.pid}`;
const writer = fileURLToPath(new URL("./support/run-store-writer.ts", import.meta.url));

afterAll(async () => {
  rmSync(directory, { recursive: true, force: true });
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
});

/** Starts the writer, kills it with SIGKILL after `commits` acknowledged commits; the last one acknowledged. */
async function killWriterAfter(spec: string, runId: string, commits: number): Promise<number> {
  const child = spawn(process.execPath, ["--import", "tsx", writer, spec, schema, runId], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  let acknowledged = 0;
  let seen = 0;
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let buffer = "";
    child.stdout.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split("\n");
      buffer = lines.pop()!;
      for (const line of lines) {
        acknowledged = Number(line.split(" ")[1]);
        if (++seen === commits) {
          child.kill("SIGKILL");
          resolve();
        }
      }
    });
    child.on("exit", () =>
      reject(new Error(`the writer ended before ${commits} commits: ${stderr}`)),
    );
  });
  await exited;
  return acknowledged;
}

function tokens(runId: string, from: number, count: number): StreamEventJSON[] {
  return Array.from({ length: count }, (_, index) => ({
    runId,
    seq: from + index,
    timestamp: Date.now(),
    type: "token" as const,
    data: { token: "after " },
  }));
}

describe.each([
  ["SqliteRunStore", join(directory, "crash.db")],
  ["PostgresRunStore", POSTGRES_URL],
])("%s after its writer is killed (kill -9) mid-commit", (_name, spec) => {
  it("keeps every acknowledged commit whole, and the next process continues the chain", async () => {
    const runId = `crash-${process.pid}`;
    const acknowledged = await killWriterAfter(spec, runId, 30);
    const store = await openRunStore(spec, { schema });
    try {
      const run = (await store.getRun(runId))!;
      // Every commit that returned is stored; at most the one in flight was lost, never half of it.
      expect(run.lastSeq).toBeGreaterThanOrEqual(acknowledged);
      expect(run.lastSeq % 8).toBe(0);
      expect(await verifyRunLog(store, runId)).toEqual({ ok: true, events: run.lastSeq });
      expect(await store.readSnapshot(runId)).toEqual({
        seq: run.lastSeq,
        state: { at: run.lastSeq },
      });
      await store.commit(runId, { events: tokens(runId, run.lastSeq + 1, 3), now: Date.now() });
      expect(await verifyRunLog(store, runId)).toEqual({ ok: true, events: run.lastSeq + 3 });
    } finally {
      await store.close();
    }
  });
});

describe("PostgresRunStore when the server goes away mid-run", () => {
  it("fails the commit with the server's address, stores none of it, and takes it again when the server is back", async () => {
    const proxy = await startTcpProxy(5432);
    const store = new PostgresRunStore({
      connection: `postgres://postgres:pw-not-shown@127.0.0.1:${proxy.port}/test`,
      schema,
      connectTimeoutMs: 1000,
    });
    const runId = `outage-${process.pid}`;
    try {
      await store.createRun({
        runId,
        teamId: "outage",
        configHash: "0".repeat(64),
        config: {},
        input: {},
        options: {},
        status: "running",
        createdAt: Date.now(),
      });
      await store.commit(runId, { events: tokens(runId, 1, 4), now: Date.now() });
      proxy.cut("reset");
      const batch = { events: tokens(runId, 5, 4), status: "running" as const, now: Date.now() };
      const error = await store.commit(runId, batch).catch((e: unknown) => e);
      expect(RunStoreError.isInstance(error)).toBe(true);
      expect((error as RunStoreError).message).toContain(`127.0.0.1:${proxy.port}`);
      expect((error as RunStoreError).message).not.toContain("pw-not-shown");
      expect((error as RunStoreError).operation).toBe("commit");
      proxy.restore();
      await store.commit(runId, batch);
      expect(await verifyRunLog(store, runId)).toEqual({ ok: true, events: 8 });
    } finally {
      proxy.restore();
      await store.close();
      await proxy.close();
    }
  });

  it("fails a commit to a server that stopped answering within queryTimeoutMs", async () => {
    const proxy = await startTcpProxy(5432);
    const store = new PostgresRunStore({
      connection: `postgres://postgres@127.0.0.1:${proxy.port}/test`,
      schema,
      connectTimeoutMs: 1000,
      queryTimeoutMs: 500,
    });
    const runId = `hang-${process.pid}`;
    try {
      await store.createRun({
        runId,
        teamId: "outage",
        configHash: "0".repeat(64),
        config: {},
        input: {},
        options: {},
        status: "running",
        createdAt: Date.now(),
      });
      proxy.cut("hang");
      const started = Date.now();
      const batch = { events: tokens(runId, 1, 4), now: Date.now() };
      await expect(store.commit(runId, batch)).rejects.toThrow(
        new RegExp(
          `Cannot reach the Postgres run store at postgres://postgres@127\\.0\\.0\\.1:${proxy.port}/test\\?schema=\\w+ \\(commit\\)`,
        ),
      );
      expect(Date.now() - started).toBeLessThan(5000);
      proxy.restore();
      await store.commit(runId, batch);
      expect(await verifyRunLog(store, runId)).toEqual({ ok: true, events: 4 });
    } finally {
      proxy.restore();
      await store.close();
      await proxy.close();
    }
  });
});
