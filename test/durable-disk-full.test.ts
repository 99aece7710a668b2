import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteRunStore, verifyRunLog } from "llmteam";
import { fullTeam } from "./support/full-team.js";

const directory = mkdtempSync(join(tmpdir(), "llmteam-disk-full-"));
const child = fileURLToPath(new URL("./support/disk-full-child.ts", import.meta.url));

afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** Runs the child under a file-size limit of `blocks` KiB (a full disk, as writes see it). */
function runFull(path: string, blocks: number): Promise<{ stdout: string; stderr: string }> {
  const command = `ulimit -f ${blocks}; exec "${process.execPath}" --import tsx "${child}" "${path}"`;
  const process_ = spawn("bash", ["-c", command], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  process_.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  process_.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => process_.on("exit", () => resolve({ stdout, stderr })));
}

describe("a disk that fills up mid-run", () => {
  it(
    "stops the run with a clear error, keeps what was stored intact, and resumes when there is room",
    { timeout: 60_000 },
    async () => {
      const path = join(directory, "runs.db");
      const { stdout, stderr } = await runFull(path, 160);
      const outcome = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as {
        status?: string;
        runId?: string;
        error?: string;
      };
      expect(outcome, stderr).toMatchObject({ status: "failed" });
      expect(outcome.error).toContain(path);
      expect(outcome.error).toMatch(/full|EFBIG|too large/i);

      const store = new SqliteRunStore({ path });
      try {
        const run = (await store.getRun(outcome.runId!))!;
        expect(["running", "interrupted"]).toContain(run.status);
        expect(await verifyRunLog(store, run.runId)).toMatchObject({ ok: true });
        const stored = (await store.readEvents(run.runId)).filter(
          (entry) => entry.event.type === "agent_completed",
        ).length;
        expect(stored).toBeGreaterThan(0);
        expect(stored).toBeLessThan(40);

        const result = await (await fullTeam(store).resume(run.runId)).result;
        expect(result.success).toBe(true);
        expect(Object.keys(result.output)).toHaveLength(40);
        expect(await verifyRunLog(store, run.runId)).toMatchObject({ ok: true });
      } finally {
        await store.close();
      }
    },
  );
});
