import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { openRunStore, verifyRunLog, type RunStore } from "llmteam";
import {
  startOpenAIWireServer,
  type WireReply,
  type WireRequest,
} from "./support/openai-wire-server.js";
import { cli } from "./support/run-cli.js";

const directory = mkdtempSync(join(tmpdir(), "llmteam-durable-crash-"));
const POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test";
const schema = `llmteam_crash_${process.pid}`;
const child = fileURLToPath(new URL("./support/cli-child.ts", import.meta.url));

afterAll(async () => {
  rmSync(directory, { recursive: true, force: true });
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
});

const STORES = [
  { name: "SQLite", spec: () => join(directory, `runs-${Math.random().toString(36).slice(2)}.db`) },
  { name: "Postgres", spec: () => `${POSTGRES_URL}?schema=${schema}` },
];

/** The text of the last user or tool message a request carries, and how many tool results it has. */
function lastUser(request: WireRequest): { text: string; toolResults: number } {
  const messages = request.body.messages as { role: string; content: unknown }[];
  const user = messages.filter((message) => message.role === "user").at(-1);
  const text = typeof user?.content === "string" ? user.content : JSON.stringify(user?.content);
  return { text, toolResults: messages.filter((message) => message.role === "tool").length };
}

/** Runs the CLI in a child process; `killWhen` resolving kills it with SIGKILL. */
function runChild(
  args: string[],
  killWhen?: Promise<void>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const process_: ChildProcess = spawn(process.execPath, ["--import", "tsx", child, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, OPENAI_API_KEY: "" },
  });
  let stdout = "";
  let stderr = "";
  process_.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  process_.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  void killWhen?.then(() => process_.kill("SIGKILL"));
  return new Promise((resolve) => process_.on("exit", (code) => resolve({ code, stdout, stderr })));
}

function teamFile(baseURL: string, agents: string): string {
  const file = join(directory, `team-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    file,
    `teamId: press
providers:
  lab: { type: openai-compatible, baseURL: "${baseURL}" }
model: lab/writer
maxTokens: 50
pricing:
  lab/writer: { inputPer1M: 1000, outputPer1M: 2000 }
budgets:
  - { maxCost: 5, period: day }
agents:
${agents}`,
  );
  return file;
}

async function onlyRun(store: RunStore): Promise<string> {
  const runs = await store.listRuns({ teamId: "press" });
  return runs[0]!.runId;
}

describe.each(STORES)("kill -9 mid-run and resume in a new process ($name)", ({ spec }) => {
  it(
    "between agents: the result equals an uninterrupted run's; no completed step is called again",
    { timeout: 60_000 },
    async () => {
      let crashed = false;
      let onCrashPoint: () => void = () => undefined;
      const crashPoint = new Promise<void>((resolve) => (onCrashPoint = resolve));
      const answer = (request: WireRequest): WireReply => {
        const { text } = lastUser(request);
        if (text.includes("Research:")) return { text: "facts" };
        if (text.includes("Draft:")) return { text: "a draft" };
        if (!crashed) {
          crashed = true;
          onCrashPoint();
          return { fault: { kind: "freeze" } };
        }
        return { text: "the article" };
      };
      const server = await startOpenAIWireServer(answer);
      const agents = `  - { type: llm, role: research, prompt: "Research: {query}" }
  - { type: llm, role: draft, prompt: "Draft: {research}" }
  - { type: llm, role: edit, prompt: "Edit: {draft}" }
`;
      const file = teamFile(server.baseURL, agents);
      const storeSpec = spec();
      const budgetDb = join(directory, `budget-${Math.random().toString(36).slice(2)}.db`);
      const args = ["--store", storeSpec, "--budget-db", budgetDb];
      try {
        const first = await runChild(["run", file, "--query", "solar", ...args], crashPoint);
        expect(first.code).toBeNull(); // killed
        const store = await openRunStore(storeSpec);
        const runId = await onlyRun(store);
        expect((await store.getRun(runId))!.status).toBe("running");

        const resumed = await runChild([
          "runs",
          "resume",
          runId,
          file,
          "--store",
          storeSpec,
          "--budget-db",
          budgetDb,
          "--json",
        ]);
        expect(resumed.stderr).toBe("");
        expect(resumed.code).toBe(0);
        const steps = server.requests.map((request) =>
          ["Research", "Draft", "Edit"].find((step) => lastUser(request).text.includes(`${step}:`)),
        );
        // Each completed step once; the call in flight at the kill is made again.
        expect(steps).toEqual(["Research", "Draft", "Edit", "Edit"]);

        const run = (await store.getRun(runId))!;
        expect(run.status).toBe("completed");
        const events = (await store.readEvents(runId)).map((stored) => stored.event);
        const end = events.at(-1)!;
        expect(end.type).toBe("run_completed");
        expect((end.data as { output: unknown }).output).toBe("the article");
        expect(
          events.filter((event) => event.type === "agent_completed").map((event) => event.agentId),
        ).toEqual(["research", "draft", "edit"]);
        expect(await verifyRunLog(store, runId)).toMatchObject({ ok: true });
        // Three priced calls were made and settled; the frozen one never was. No double charge.
        const budget = await cli(["budget", "status", file, "--budget-db", budgetDb, "--json"]);
        const [day] = JSON.parse(budget.stdout) as { spentUsd: number }[];
        expect(day!.spentUsd).toBeCloseTo(run.costUsd, 9);
        expect(run.costUsd).toBeCloseTo(3 * (10 * 0.001 + 5 * 0.002), 9);
        await store.close();
      } finally {
        await server.close();
      }
    },
  );

  it("inside a tool loop: finished rounds are not asked again", { timeout: 60_000 }, async () => {
    const seen: number[] = [];
    let crashed = false;
    let onCrashPoint: () => void = () => undefined;
    const crashPoint = new Promise<void>((resolve) => (onCrashPoint = resolve));
    const server = await startOpenAIWireServer((request) => {
      const { toolResults } = lastUser(request);
      seen.push(toolResults);
      if (toolResults < 2)
        return {
          toolCalls: [
            { name: "calculator", arguments: JSON.stringify({ expression: `${toolResults}+1` }) },
          ],
        };
      if (!crashed) {
        crashed = true;
        onCrashPoint();
        return { fault: { kind: "freeze" } };
      }
      return { text: "Done: 2" };
    });
    const file = teamFile(
      server.baseURL,
      `  - { type: llm, role: calc, prompt: "Calc: {query}", tools: [calculator], maxToolRounds: 4 }
`,
    );
    const storeSpec = spec();
    const budgetDb = join(directory, `budget-${Math.random().toString(36).slice(2)}.db`);
    try {
      const first = await runChild(
        ["run", file, "--query", "go", "--store", storeSpec, "--budget-db", budgetDb],
        crashPoint,
      );
      expect(first.code).toBeNull();
      const store = await openRunStore(storeSpec);
      const runId = await onlyRun(store);
      const resumed = await runChild([
        "runs",
        "resume",
        runId,
        "--store",
        storeSpec,
        "--budget-db",
        budgetDb,
      ]);
      expect(resumed.code).toBe(0);
      expect(resumed.stdout).toContain("Done: 2");
      // Rounds 0 and 1 once each; the answer after round 2 twice (in flight at the kill).
      expect(seen).toEqual([0, 1, 2, 2]);
      const events = (await store.readEvents(runId)).map((stored) => stored.event);
      expect(events.filter((event) => event.type === "tool_result")).toHaveLength(2);
      const completed = events.find((event) => event.type === "agent_completed")!;
      expect((completed.data as { details: { modelCalls: number } }).details.modelCalls).toBe(3);
      await store.close();
    } finally {
      await server.close();
    }
  });
});
