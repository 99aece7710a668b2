import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { describeBudgetStore } from "../../test/support/budget-store-contract.js";
import { SqliteBudgetStore } from "./index.js";

const directory = mkdtempSync(join(tmpdir(), "llmteam-sqlite-budget-"));
let files = 0;
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describeBudgetStore(
  "SqliteBudgetStore (file)",
  () => new SqliteBudgetStore({ path: join(directory, `contract-${files++}.db`) }),
);
describeBudgetStore(
  "SqliteBudgetStore (:memory:)",
  () => new SqliteBudgetStore({ path: ":memory:" }),
);

const run = promisify(execFile);
const childScript = fileURLToPath(
  new URL("../../test/support/budget-store-child.ts", import.meta.url),
);

/** Runs the child script in a new Node process (the test's own Node, with tsx for TypeScript). */
async function child(...args: string[]): Promise<{ granted: number; spentNano: number }> {
  return childWith({}, ...args);
}

async function childWith(
  env: Record<string, string>,
  ...args: string[]
): Promise<{ granted: number; spentNano: number }> {
  const { stdout } = await run(process.execPath, ["--import", "tsx", childScript, ...args], {
    cwd: process.cwd(),
    env: { ...process.env, ...env },
  });
  return JSON.parse(stdout.trim().split("\n").at(-1)!) as { granted: number; spentNano: number };
}

describe("SqliteBudgetStore across processes", () => {
  it("keeps the spend of a process that ended, for the next one", async () => {
    const path = join(directory, "restart.db");
    const first = await child("sqlite", path, "day-budget", "5", "100", "10000");
    expect(first).toEqual({ granted: 5, spentNano: 500 });
    // A new process sees the 500 spent and can take only 5 more calls of 100 under 1,000.
    const second = await child("sqlite", path, "day-budget", "8", "100", "1000");
    expect(second).toEqual({ granted: 5, spentNano: 1_000 });
    const store = new SqliteBudgetStore({ path });
    expect(
      await store.usage({ key: "day-budget", windowStartMs: 0, nowMs: Date.UTC(2026, 0, 1) }),
    ).toEqual({
      spentNano: 1_000,
      reservedNano: 0,
    });
    await store.close();
  });

  it("lets two processes share one file without passing the limit", async () => {
    const path = join(directory, "shared.db");
    const results = await Promise.all([
      child("sqlite", path, "shared", "30", "70", "1000"),
      child("sqlite", path, "shared", "30", "70", "1000"),
    ]);
    const granted = results[0].granted + results[1].granted;
    expect(granted).toBe(14); // 14 × 70 = 980 ≤ 1,000 < 15 × 70
    const store = new SqliteBudgetStore({ path });
    expect(
      (await store.usage({ key: "shared", windowStartMs: 0, nowMs: Date.UTC(2026, 0, 1) }))
        .spentNano,
    ).toBe(980);
    await store.close();
  });
});
