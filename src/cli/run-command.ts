import { accessSync, constants, mkdirSync, statSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { ConfigError } from "../errors/config-error.js";
import type { StreamEvent } from "../events/stream-event.js";
import type { GroupResult } from "../groups/group-result.js";
import { LLMGroup } from "../groups/llm-group.js";
import { isGroupFile, readGroupFile } from "../groups/load-group.js";
import { SqliteBudgetStore } from "../store/sqlite-budget-store.js";
import { isPostgresUrl, openRunStore } from "../store/open-run-store.js";
import type { KnowledgeCatalog } from "../knowledge/knowledge-catalog.js";
import { connectPostgresKnowledgeCatalog } from "../knowledge/postgres-knowledge-catalog.js";
import type { RunStore } from "../store/run-store.js";
import { RunStoreError } from "../errors/run-store-error.js";
import type { RunReport } from "../run/report/run-report.js";
import type { RunResult } from "../run/run-result.js";
import type { TeamConfig } from "../team/team-config.js";
import { LLMTeam } from "../team/llm-team.js";
import { loadTeamFile, readTeamFile } from "../team/load-team.js";
import type { TeamRuntimeOptions } from "../team/team-runtime-options.js";
import { onePositional, parseCommand, plural, UsageError } from "./cli-options.js";
import type { CliIO } from "./cli-io.js";
import { EventRenderer, formatUsage } from "./render-events.js";
import { asksPeople, HumanAnswers } from "./human-answers.js";
import { checkMaxCost, parseMaxCost, REFUSED_EXIT_CODE } from "./max-cost.js";
import { remoteRun, remoteTeamId } from "./remote-run.js";
import { usd } from "./usd.js";
import { cliDefaultModel, DEMO_MODEL, namesNoModel } from "./default-model.js";

export { usd } from "./usd.js";

export { DEMO_MODEL } from "./default-model.js";

/** Exit code of a run cancelled with Ctrl-C (128 + SIGINT, as shells report it). */
export const CANCELLED_EXIT_CODE = 130;

/** `llmteam run`: runs a team or group file, showing its events live. Returns the exit code. */
export async function runCommand(argv: string[], io: CliIO, help: () => number): Promise<number> {
  const { values, positionals } = parseCommand("run", argv, {
    query: { type: "string" },
    input: { type: "string" },
    model: { type: "string" },
    json: { type: "boolean" },
    "budget-db": { type: "string" },
    report: { type: "string" },
    "max-cost": { type: "string" },
    answer: { type: "string", multiple: true },
    store: { type: "string" },
    "kb-store": { type: "string" },
    server: { type: "string" },
    "api-key": { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) return help();
  if (values.server !== undefined) return runOnServer(values, positionals, io);
  if (values["api-key"] !== undefined)
    throw new UsageError("--api-key goes with --server <url> (a key of that server).");
  const maxCost = parseMaxCost(values["max-cost"]);
  const file = onePositional(positionals, "run");
  const input = runInput(values.query, values.input);
  if (values.report !== undefined) checkOutputPath(values.report, "--report");
  const group = await isGroupFile(file);
  const budgetDb = values["budget-db"] ?? io.env.LLMTEAM_BUDGET_DB ?? ".llmteam/budgets.db";
  const teamConfig = group ? undefined : await readTeamFile(file);
  const store = teamConfig && hasPeriodBudgets(teamConfig) ? openBudgetStore(budgetDb) : undefined;
  const storeSpec = values.store ?? teamConfig?.runStore ?? io.env.LLMTEAM_RUN_STORE;
  if (group && values.store !== undefined)
    throw new UsageError("--store works on team files (group runs are not stored yet).");
  const kbStore = knowledgeStoreUrl(values["kb-store"]);
  let runStore: RunStore | undefined;
  let knowledge: KnowledgeCatalog | undefined;
  let finished: RunResult | GroupResult;
  const renderer = values.json ? undefined : new EventRenderer(io.stdout);
  let runnable: LLMTeam | LLMGroup | undefined;
  try {
    // --model replaces the team's (or group's) model; with neither, agents without one get a default.
    const defaultModel = cliDefaultModel(io.env, values.model);
    runStore = storeSpec === undefined || group ? undefined : await openRunStore(storeSpec);
    if (kbStore !== undefined) knowledge = await connectPostgresKnowledgeCatalog({ url: kbStore });
    const runtime = {
      env: io.env,
      defaultModel,
      ...(store ? { budgetStore: store } : {}),
      ...(runStore ? { runStore } : {}),
      ...(knowledge ? { knowledge } : {}),
    };
    runnable = await loadRunnable(file, group, values.model, runtime);
    if (maxCost !== undefined) {
      if (!(runnable instanceof LLMTeam))
        throw new UsageError("--max-cost works on team files (a group has no estimate yet).");
      const refusal = await checkMaxCost(runnable, input, maxCost);
      if (refusal) {
        io.stderr(refusal);
        return REFUSED_EXIT_CODE;
      }
    }
    if (defaultModel === DEMO_MODEL && runnable instanceof LLMTeam && namesNoModel(runnable)) {
      io.stdout(
        "Using the tiny built-in demo model (local/demo) — set OPENAI_API_KEY or choose a model with --model for real answers.\n",
      );
    }
    finished = await showRun(runnable, input, values.answer ?? [], renderer, io);
  } finally {
    // Stops the MCP servers of the team (or of the group's teams).
    await runnable?.close();
    await store?.close();
    await runStore?.close();
    await knowledge?.close();
  }
  const result = "teamResults" in finished ? finished.run : finished;
  const note = runStore ? storedNote(result, storeSpec!) : "";
  return endRun(result, finished.report, { renderer, note, report: values.report }, io);
}

/** Runs a team or group, rendering its events (or printing them as JSON lines); answers human steps. */
async function showRun(
  runnable: LLMTeam | LLMGroup,
  input: Record<string, unknown>,
  answers: string[],
  renderer: EventRenderer | undefined,
  io: CliIO,
): Promise<RunResult | GroupResult> {
  const options = io.signal ? { signal: io.signal } : {};
  // Human steps need a run someone can answer: team.start(), answered here.
  const people =
    runnable instanceof LLMTeam && asksPeople(runnable) ? new HumanAnswers(answers, io) : undefined;
  const handle = people ? (runnable as LLMTeam).start(input, options) : undefined;
  const stream = handle ?? runnable.stream(input, options);
  for await (const event of stream as AsyncIterable<StreamEvent>) {
    if (renderer) renderer.render(event);
    else io.stdout(`${JSON.stringify(event)}\n`);
    if (handle && event.type === "approval_requested" && event.data.kind === "human")
      await people!.answer(event, handle).catch(async (error: unknown) => {
        await handle.cancel(`No answer for ${event.agentId ?? "a human step"}.`);
        throw error;
      });
  }
  return stream.result;
}

/** `--kb-store`: a postgres:// URL of knowledge bases, or absent. */
function knowledgeStoreUrl(kbStore: string | undefined): string | undefined {
  if (kbStore !== undefined && !isPostgresUrl(kbStore))
    throw new UsageError(
      `--kb-store takes a postgres://… URL of knowledge bases (as llmteam ingest --store), not "${kbStore}"; knowledge bases in SQLite files live in $LLMTEAM_KB_DIR or .llmteam/kb.`,
    );
  return kbStore;
}

/** `llmteam run --server <url> [team-id]`: a run on a server, shown as a local run. */
async function runOnServer(
  values: Record<string, string | boolean | string[] | undefined>,
  positionals: string[],
  io: CliIO,
): Promise<number> {
  const teamId = remoteTeamId(values, positionals);
  const input = runInput(values.query as string | undefined, values.input as string | undefined);
  const report = values.report as string | undefined;
  if (report !== undefined) checkOutputPath(report, "--report");
  const renderer = values.json ? undefined : new EventRenderer(io.stdout);
  const server = values.server as string;
  const apiKey = (values["api-key"] as string | undefined) ?? io.env.LLMTEAM_API_KEY;
  const ran = await remoteRun({ server, apiKey, teamId, input }, io, (event) => {
    if (renderer) renderer.render(event);
    else io.stdout(`${JSON.stringify(event)}\n`);
  });
  if (ran === undefined) return CANCELLED_EXIT_CODE;
  const note = `Run ${ran.result.runId} is kept by the server: ${ran.where}\n`;
  return endRun(ran.result, ran.result.report, { renderer, note, report }, io);
}

/** The end of a run, local or remote: summary, note, report, the failure line and exit code. */
async function endRun(
  result: RunResult,
  report: RunReport,
  options: { renderer: EventRenderer | undefined; note: string; report: string | undefined },
  io: CliIO,
): Promise<number> {
  if (options.renderer) io.stdout(summary(result) + options.note);
  if (options.report !== undefined) await writeReport(options.report, report, io);
  if (result.success) return 0;
  io.stderr(
    `✗ run ${result.status}${result.failedAgent ? ` at agent "${result.failedAgent}"` : ""}: ${result.error?.message ?? "unknown error"}\n`,
  );
  return result.status === "cancelled" ? CANCELLED_EXIT_CODE : 1;
}

/**
 * Loads a team or group file; `model` (the CLI's `--model`) replaces the team's `model`, or the
 * group's and each of its teams'.
 */
async function loadRunnable(
  file: string,
  group: boolean,
  model: string | undefined,
  runtime: TeamRuntimeOptions,
): Promise<LLMTeam | LLMGroup> {
  if (!group) return loadTeamForRun(file, model, runtime);
  try {
    const config = await readGroupFile(file);
    if (model === undefined) return LLMGroup.fromConfig(config, runtime);
    return LLMGroup.fromConfig(
      {
        ...config,
        model,
        teams: config.teams.map((entry) =>
          entry.team === undefined ? entry : { ...entry, team: { ...entry.team, model } },
        ),
      },
      runtime,
    );
  } catch (error) {
    if (ConfigError.isInstance(error))
      throw new ConfigError(
        error.issues.map((issue) => ({ ...issue, file: issue.file ?? file })),
        { cause: error },
      );
    throw error;
  }
}

/**
 * Loads a team file for a run (with `--model`, its team-level model replaced) and fails on
 * what the environment lacks (API keys, local model files), located in the file, before any
 * model call.
 */
async function loadTeamForRun(
  file: string,
  model: string | undefined,
  runtime: TeamRuntimeOptions,
): Promise<LLMTeam> {
  const { team, locate } = await loadTeamFile(file, runtime, model === undefined ? {} : { model });
  const { warnings } = team.check();
  if (warnings.length > 0) throw new ConfigError(warnings.map(locate));
  return team;
}

/** True when the team or one of its agents has no model of its own. */
/**
 * Checks, before anything runs, that a file can be written at `path`: its directory exists and
 * is writable, and the path is not a directory.
 * @throws UsageError naming the option and what is wrong.
 */
export function checkOutputPath(path: string, option: string): void {
  const directory = dirname(resolve(path));
  let isDirectory: boolean;
  try {
    isDirectory = statSync(directory).isDirectory();
  } catch {
    throw new UsageError(`${option} ${path}: the directory ${directory} does not exist.`);
  }
  if (!isDirectory) throw new UsageError(`${option} ${path}: ${directory} is not a directory.`);
  let target;
  try {
    target = statSync(path);
  } catch {
    target = undefined;
  }
  if (target?.isDirectory())
    throw new UsageError(`${option} ${path}: is a directory; give a file name.`);
  try {
    accessSync(target ? path : directory, constants.W_OK);
  } catch {
    throw new UsageError(`${option} ${path}: ${target ? path : directory} is not writable.`);
  }
}

async function writeReport(path: string, report: RunReport, io: CliIO): Promise<void> {
  const text = path.endsWith(".json")
    ? `${JSON.stringify(report, null, 2)}\n`
    : report.toMarkdown();
  await writeFile(path, text, "utf8");
  io.stderr(`Report written to ${path}\n`);
}

/** True when the team has an hour, day or month budget (kept in the SQLite budget file). */
export function hasPeriodBudgets(config: TeamConfig): boolean {
  return (config.budgets ?? []).some(
    (budget) => budget.period !== undefined && budget.period !== "run",
  );
}

/** The CLI's budget store: a SQLite file, so period budgets survive between commands. */
export function openBudgetStore(file: string): SqliteBudgetStore {
  try {
    mkdirSync(dirname(file), { recursive: true });
  } catch (error) {
    throw new UsageError(
      `--budget-db ${file}: cannot create its directory (${(error as Error).message}).`,
    );
  }
  checkOutputPath(file, "--budget-db");
  return new SqliteBudgetStore({ path: file });
}

/** A cost for the summary: `$x`, `unpriced` (unknown, never `$0`), `$x + unpriced`, or nothing. */
function costText(amountUsd: number | undefined, unpriced: boolean): string {
  if (amountUsd === undefined) return unpriced ? "unpriced" : "";
  return unpriced ? `${usd(amountUsd)} + unpriced` : usd(amountUsd);
}

/** Where a durable run is, and how to go on with it when it did not complete. */
export function storedNote(result: RunResult, where: string): string {
  const store = where === ".llmteam/runs.db" ? "" : ` --store ${where}`;
  const stoppedByStore = RunStoreError.isInstance(result.error);
  if (!stoppedByStore) return `Stored as run ${result.runId} in ${where}.\n`;
  return `Run ${result.runId} stopped because its store failed; what was stored is intact. When the store is back, go on with: llmteam runs resume ${result.runId}${store}\n`;
}

/** The end of a run as the CLI prints it: final output, usage and cost per agent. */
export function summary(result: RunResult): string {
  const lines = ["", "─".repeat(60)];
  if (result.success) {
    lines.push(
      "Final output:",
      typeof result.finalOutput === "string"
        ? result.finalOutput
        : JSON.stringify(result.finalOutput, null, 2),
    );
  }
  lines.push(
    "",
    `Usage (${plural(result.agentResults.length, "agent")}, ${result.durationMs} ms):`,
  );
  const { cost } = result;
  for (const agent of result.agentResults) {
    const price = costText(
      cost.byAgent[agent.agentId],
      cost.unpricedAgents.includes(agent.agentId),
    );
    lines.push(
      `  ${agent.agentId.padEnd(16)} ${(agent.model ?? "").padEnd(28)} ${formatUsage(agent.usage).padEnd(36)} ${price}`,
    );
  }
  const pricedCalls = cost.calls > 0 && Object.keys(cost.byModel).length > 0;
  const total = costText(pricedCalls ? cost.totalUsd : undefined, cost.unpricedModels.length > 0);
  lines.push(
    `  ${"total".padEnd(16)} ${"".padEnd(28)} ${formatUsage(result.usage).padEnd(36)} ${total || usd(0)}`,
  );
  if (cost.unpricedModels.length > 0) {
    lines.push(`  (no price known for ${cost.unpricedModels.join(", ")}: not in the total)`);
  }
  lines.push("");
  return `${lines.join("\n")}\n`;
}

/** The run input from `--query` or `--input`. @throws UsageError for neither, both or bad JSON. */
export function runInput(
  query: string | undefined,
  input: string | undefined,
): Record<string, unknown> {
  if (query !== undefined && input !== undefined)
    throw new UsageError("give either --query or --input, not both.");
  if (query !== undefined) return { query };
  if (input === undefined)
    throw new UsageError('give the run input with --query "<text>" or --input \'{"query":"…"}\'.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(input);
  } catch (error) {
    throw new UsageError(`--input is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(
      '--input must be a JSON object, e.g. \'{"query":"My invoice is wrong"}\'.',
    );
  }
  return parsed as Record<string, unknown>;
}
