import type { StreamEvent } from "../events/stream-event.js";
import type { RunResult } from "../run/run-result.js";
import { isEndedStatus } from "../store/run-store-rows.js";
import type { StoredRun } from "../store/run-store.js";
import { LLMTeam } from "../team/llm-team.js";
import { loadTeamFile } from "../team/load-team.js";
import type { TeamConfig } from "../team/team-config.js";
import type { CliIO } from "./cli-io.js";
import { onePositional, parseCommand, UsageError } from "./cli-options.js";
import { EventRenderer } from "./render-events.js";
import {
  CANCELLED_EXIT_CODE,
  hasPeriodBudgets,
  openBudgetStore,
  storedNote,
  summary,
} from "./run-command.js";
import type { SqliteBudgetStore } from "../store/sqlite-budget-store.js";
import { findRun, openCliRunStore, STORE_OPTION, type CliRunStore } from "./runs-options.js";

/**
 * `llmteam runs resume <run-id> [team-file]`: goes on with a stored run in this process, from
 * its last durable step. The team is the file given, else the configuration the run started
 * with (as stored). Exit codes as `llmteam run`: 0 completed, 1 failed, 130 cancelled.
 */
export async function resumeRun(
  argv: string[],
  io: CliIO,
  help: (topic: string) => number,
): Promise<number> {
  const { values, positionals } = parseCommand("runs resume", argv, {
    ...STORE_OPTION,
    json: { type: "boolean" },
    model: { type: "string" },
    "budget-db": { type: "string" },
  });
  if (values.help) return help("runs");
  if (positionals.length === 0 || positionals.length > 2)
    throw new UsageError(
      "runs resume takes a run id and, optionally, the team file to run it with.",
    );
  const [runId, file] = positionals as [string, string | undefined];
  const opened = await openCliRunStore(values.store, io);
  let budgets: SqliteBudgetStore | undefined;
  try {
    const run = await findRun(opened, runId);
    if (isEndedStatus(run.status)) {
      io.stderr(
        `✗ run ${runId} has ${run.status === "completed" ? "completed" : `ended (${run.status})`}: there is nothing to resume.\n`,
      );
      return 1;
    }
    const budgetDb = values["budget-db"] ?? io.env.LLMTEAM_BUDGET_DB ?? ".llmteam/budgets.db";
    const config = run.config as TeamConfig | undefined;
    budgets = config && hasPeriodBudgets(config) ? openBudgetStore(budgetDb) : undefined;
    const team = await teamFor(run, file, { model: values.model, budgets, opened, io });
    const handle = await team.resume(runId, io.signal ? { signal: io.signal } : {});
    const renderer = values.json ? undefined : new EventRenderer(io.stdout);
    if (renderer)
      io.stdout(
        `▶ resuming run ${runId} of team ${run.teamId} (${run.status}, ${run.lastSeq} events stored)\n`,
      );
    for await (const event of handle as AsyncIterable<StreamEvent>) {
      if (!renderer) io.stdout(`${JSON.stringify(event)}\n`);
      else {
        renderer.render(event);
        if (event.type === "approval_requested") io.stdout(approvalHint(runId, event, opened));
      }
    }
    const result: RunResult = await handle.result;
    if (renderer) io.stdout(summary(result) + storedNote(result, opened.where));
    if (result.success) return 0;
    io.stderr(`✗ run ${result.status}: ${result.error?.message ?? "unknown error"}\n`);
    return result.status === "cancelled" ? CANCELLED_EXIT_CODE : 1;
  } finally {
    await budgets?.close();
    await opened.store.close();
  }
}

/** The team a stored run goes on with: the file given, or the configuration it started with. */
async function teamFor(
  run: StoredRun,
  file: string | undefined,
  parts: {
    model: string | undefined;
    budgets: SqliteBudgetStore | undefined;
    opened: CliRunStore;
    io: CliIO;
  },
): Promise<LLMTeam> {
  const { model, budgets, opened, io } = parts;
  const runtime = {
    env: io.env,
    runStore: opened.store,
    ...(model ? { defaultModel: model } : {}),
    ...(budgets ? { budgetStore: budgets } : {}),
  };
  if (file !== undefined) return (await loadTeamFile(file, runtime)).team;
  const config = run.config as TeamConfig | undefined;
  if (!config || typeof config !== "object")
    throw new UsageError(
      `run ${run.runId} has no stored team configuration; give the team file: llmteam runs resume ${run.runId} <team-file>`,
    );
  return LLMTeam.fromConfig(config, runtime);
}

function approvalHint(runId: string, event: StreamEvent, opened: CliRunStore): string {
  if (event.type !== "approval_requested") return "";
  const store = opened.where === ".llmteam/runs.db" ? "" : ` --store ${opened.where}`;
  const id = event.data.approvalId;
  return `  ⏸ waiting for approval ${id}: llmteam runs approve ${runId} ${id}${store}  (or: runs reject ${runId} ${id} --reason "…")\n`;
}

/**
 * `llmteam runs approve|reject <run-id> <approval-id> [--reason text]`: keeps a decision in the
 * store; the process running the run (or the next to resume it) goes on with it.
 */
export async function decideApproval(
  action: "approve" | "reject",
  argv: string[],
  io: CliIO,
  help: (topic: string) => number,
): Promise<number> {
  const { values, positionals } = parseCommand(`runs ${action}`, argv, {
    ...STORE_OPTION,
    reason: { type: "string" },
  });
  if (values.help) return help("runs");
  if (positionals.length !== 2)
    throw new UsageError(
      `runs ${action} takes a run id and an approval id, e.g. llmteam runs ${action} run_… approval-1.`,
    );
  const [runId, approvalId] = positionals as [string, string];
  onePositional([runId], `runs ${action}`, "run id");
  const opened = await openCliRunStore(values.store, io);
  try {
    const run = await findRun(opened, runId);
    if (isEndedStatus(run.status)) {
      io.stderr(`✗ run ${runId} has ${run.status}: it waits for no approval.\n`);
      return 1;
    }
    const asked = await askedApprovals(opened, runId);
    if (!asked.includes(approvalId)) {
      io.stderr(
        `✗ run ${runId} never asked for approval "${approvalId}". Asked: ${asked.join(", ") || "none"}.\n`,
      );
      return 1;
    }
    const decision = {
      approvalId,
      approved: action === "approve",
      ...(values.reason === undefined ? {} : { reason: values.reason }),
      decidedAt: Date.now(),
    };
    if (!(await opened.store.recordDecision(runId, decision))) {
      io.stderr(
        `✗ approval ${approvalId} of run ${runId} was decided already; the first decision stands.\n`,
      );
      return 1;
    }
    io.stdout(
      `✓ ${action === "approve" ? "approved" : "rejected"} ${approvalId} of run ${runId}.${run.status === "waiting_approval" ? "" : ` The run is ${run.status}: it takes the decision when it resumes (llmteam runs resume ${runId}).`}\n`,
    );
    return 0;
  } finally {
    await opened.store.close();
  }
}

async function askedApprovals(opened: CliRunStore, runId: string): Promise<string[]> {
  const events = await opened.store.readEvents(runId);
  return events
    .map((stored) => stored.event)
    .filter((event) => event.type === "approval_requested")
    .map((event) => (event.data as { approvalId: string }).approvalId);
}
