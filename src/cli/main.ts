import { mkdirSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import * as z from "zod";
import { ConfigError, formatConfigIssue } from "../errors/config-error.js";
import { LLMTeamError } from "../errors/llmteam-error.js";
import type { StreamEvent } from "../events/stream-event.js";
import type { BudgetStatusReport } from "../cost/budget-status.js";
import { SqliteBudgetStore } from "../store/sqlite-budget-store.js";
import type { GroupResult } from "../orchestration/group-result.js";
import { checkGroupFile, isGroupFile, loadGroup } from "../orchestration/load-group.js";
import { checkTeamFile, loadTeam, loadTeamFile, readTeamFile } from "../team/load-team.js";
import type { RunReport } from "../team/report/run-report.js";
import type { RunResult } from "../team/run-result.js";
import { teamConfigSchema, type TeamConfig } from "../team/team-config.js";
import { LLMTeam } from "../team/llm-team.js";
import type { TeamRuntimeOptions } from "../team/team-runtime-options.js";
import { configureCommand, CONFIGURE_HELP } from "./configure-command.js";
import { EventRenderer, formatUsage } from "./render-events.js";
import { llmteamPackage } from "../internal/package-root.js";

/** Where the CLI reads and writes; tests pass their own. */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  /** Aborted on Ctrl-C. */
  signal?: AbortSignal;
  /** Where interactive commands (`configure`) read lines (default `process.stdin`). */
  stdin?: NodeJS.ReadableStream;
}

const HELP: Record<string, string> = {
  main: `llmteam — run teams of LLM agents

Usage:
  llmteam run <team-file> [--query <text> | --input <json>] [--json] [--report <file>]
  llmteam validate <team-file> [--strict]
  llmteam budget status <team-file>
  llmteam configure <team-file> [--model <name>]
  llmteam schema
  llmteam <command> --help

Exit codes: 0 success, 1 the run failed, 2 bad usage or configuration.`,
  run: `llmteam run <team-file> [options]

Runs a team (or a group of teams: a file with groupId) from a YAML or JSON file, showing each
agent's progress and tokens as they come, then the final output and the usage.

Options:
  --query <text>    the run input { "query": <text> }
  --input <json>    the run input as a JSON object, e.g. '{"query":"My invoice is wrong"}'
  --model <name>    use this model for the team's default (e.g. openai/gpt-4o-mini)
  --json            print every event as one JSON line instead (for scripts)
  --report <file>   write the run's report: Markdown, or JSON when the file ends in .json
  --budget-db <path>  SQLite file of the team's hour/day/month budgets
                    (default: $LLMTEAM_BUDGET_DB or .llmteam/budgets.db)
  -h, --help        show this help`,
  budget: `llmteam budget status <team-file> [options]

Shows the spend of the team's hour/day/month budgets in their current windows, as kept in the
SQLite budget file that \`llmteam run\` writes.

Options:
  --budget-db <path>  the SQLite budget file (default: $LLMTEAM_BUDGET_DB or .llmteam/budgets.db)
  --json            print the rows as JSON
  -h, --help        show this help`,
  validate: `llmteam validate <team-file> [--strict]

Checks a team (or group) file as a run would before its first model call, and prints every
problem with its file, line, column and key: schema, flow, prompt variables against the
declared inputs, fields of output schemas, models and providers, budgets. What the
environment lacks (an API key, a local model file) is printed as a warning.
Exit code 0 when valid, 2 when not.

Options:
  --strict          treat warnings as errors (exit code 2)
  -h, --help        show this help`,
  configure: CONFIGURE_HELP,
  schema: `llmteam schema

Prints the JSON Schema of team files, for editor autocompletion (e.g. yaml-language-server).`,
};

/** Runs the `llmteam` command line. Returns the process exit code. */
export async function main(argv: string[], io: CliIO = defaultIO()): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case "help":
      case "-h":
      case "--help":
        io.stdout(`${HELP.main}\n`);
        return command === undefined ? 2 : 0;
      case "--version":
      case "-v":
        io.stdout(`${version()}\n`);
        return 0;
      case "run":
        return await runCommand(rest, io);
      case "validate":
        return await validateCommand(rest, io);
      case "budget":
        return await budgetCommand(rest, io);
      case "configure":
        return await configureCommand(rest, io);
      case "schema":
        if (rest.includes("--help") || rest.includes("-h")) return help("schema", io);
        io.stdout(`${JSON.stringify(teamJsonSchema(), null, 2)}\n`);
        return 0;
      default:
        io.stderr(
          `llmteam: unknown command "${command}". Commands: run, validate, budget, configure, schema. See llmteam --help.\n`,
        );
        return 2;
    }
  } catch (error) {
    if (ConfigError.isInstance(error)) {
      io.stderr(`${error.issues.map((issue) => `✗ ${formatConfigIssue(issue)}`).join("\n")}\n`);
      return 2;
    }
    if (error instanceof UsageError) {
      io.stderr(`llmteam: ${error.message}\n`);
      return 2;
    }
    io.stderr(`llmteam: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

async function runCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(argv, {
    query: { type: "string" },
    input: { type: "string" },
    model: { type: "string" },
    json: { type: "boolean" },
    "budget-db": { type: "string" },
    report: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) return help("run", io);
  const file = onePositional(positionals, "run");
  const input = runInput(values.query, values.input);
  const group = await isGroupFile(file);
  const store =
    !group && hasPeriodBudgets(await readTeamFile(file))
      ? openBudgetStore(values["budget-db"], io)
      : undefined;
  let finished: RunResult | GroupResult;
  const renderer = values.json ? undefined : new EventRenderer(io.stdout);
  try {
    // --model replaces the team's model; with neither, agents without a model get a default.
    const defaultModel =
      values.model ?? (io.env.OPENAI_API_KEY ? "openai/gpt-4o-mini" : DEMO_MODEL);
    const runtime = { env: io.env, defaultModel, ...(store ? { budgetStore: store } : {}) };
    const runnable = group
      ? await loadGroup(file, runtime)
      : await loadTeamForRun(file, values.model, runtime);
    if (
      defaultModel === DEMO_MODEL &&
      runnable instanceof LLMTeam &&
      namesNoModel(runnable.toConfig())
    ) {
      io.stdout(
        "Using the tiny built-in demo model (local/demo) — set OPENAI_API_KEY or choose a model with --model for real answers.\n",
      );
    }
    const stream = runnable.stream(input, io.signal ? { signal: io.signal } : {});
    for await (const event of stream as AsyncIterable<StreamEvent>) {
      if (renderer) renderer.render(event);
      else io.stdout(`${JSON.stringify(event)}\n`);
    }
    finished = await stream.result;
  } finally {
    await store?.close();
  }
  const result = "teamResults" in finished ? finished.run : finished;
  if (renderer) io.stdout(summary(result));
  if (values.report !== undefined) await writeReport(values.report, finished.report, io);
  if (!result.success) {
    io.stderr(
      `✗ run ${result.status}${result.failedAgent ? ` at agent "${result.failedAgent}"` : ""}: ${result.error?.message ?? "unknown error"}\n`,
    );
    return 1;
  }
  return 0;
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

/** The built-in demo model: what `llmteam run` uses when no model is named and no key is set. */
const DEMO_MODEL = "local/demo";

/** True when the team or one of its agents has no model of its own. */
function namesNoModel(config: TeamConfig): boolean {
  return (
    config.model === undefined &&
    (config.agents ?? []).some((agent) => !("model" in agent) || agent.model === undefined)
  );
}

async function validateCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(argv, {
    strict: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) return help("validate", io);
  const file = onePositional(positionals, "validate");
  // A group's problems are thrown; its teams' environment warnings are returned.
  const checked = (await isGroupFile(file))
    ? { ...(await checkGroupFile(file, { env: io.env })), errors: [] }
    : await checkTeamFile(file, { env: io.env });
  const { errors, warnings } = checked;
  if (errors.length > 0 || (values.strict && warnings.length > 0))
    throw new ConfigError([...errors, ...warnings]);
  for (const warning of warnings) io.stderr(`⚠ ${formatConfigIssue(warning)}\n`);
  const note =
    warnings.length === 0
      ? ""
      : ` (${warnings.length} ${warnings.length === 1 ? "warning" : "warnings"}: a run fails on ${warnings.length === 1 ? "it" : "them"} at start; --strict makes ${warnings.length === 1 ? "it an error" : "them errors"})`;
  io.stdout(
    "group" in checked
      ? `✓ ${file}: group "${checked.group.groupId}" (${checked.group.role}) with ${checked.group.teams.length} teams is valid${note}.\n`
      : `✓ ${file}: team "${checked.team!.teamId}" with ${checked.team!.agents.length} agents is valid${note}.\n`,
  );
  return 0;
}

async function writeReport(path: string, report: RunReport, io: CliIO): Promise<void> {
  const text = path.endsWith(".json")
    ? `${JSON.stringify(report, null, 2)}\n`
    : report.toMarkdown();
  await writeFile(path, text, "utf8");
  io.stderr(`Report written to ${path}\n`);
}

async function budgetCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(argv, {
    "budget-db": { type: "string" },
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) return help("budget", io);
  const [action, file, ...extra] = positionals;
  if (action !== "status" || file === undefined || extra.length > 0) {
    throw new UsageError("usage: llmteam budget status <team-file>. See llmteam budget --help.");
  }
  const config = await readTeamFile(file);
  if (!hasPeriodBudgets(config)) {
    io.stdout(
      `Team "${config.teamId}" has no hour, day or month budget (run budgets start afresh with each run).\n`,
    );
    return 0;
  }
  const store = openBudgetStore(values["budget-db"], io);
  try {
    const team = await loadTeam(file, { env: io.env, budgetStore: store });
    const rows = await team.budgetStatus();
    io.stdout(
      values.json ? `${JSON.stringify(rows, null, 2)}\n` : formatBudgetRows(config.teamId, rows),
    );
  } finally {
    await store.close();
  }
  return 0;
}

function hasPeriodBudgets(config: TeamConfig): boolean {
  return (config.budgets ?? []).some(
    (budget) => budget.period !== undefined && budget.period !== "run",
  );
}

/** The CLI's budget store: a SQLite file, so period budgets survive between commands. */
function openBudgetStore(path: string | undefined, io: CliIO): SqliteBudgetStore {
  const file = path ?? io.env.LLMTEAM_BUDGET_DB ?? ".llmteam/budgets.db";
  mkdirSync(dirname(file), { recursive: true });
  return new SqliteBudgetStore({ path: file });
}

function formatBudgetRows(teamId: string, rows: BudgetStatusReport[]): string {
  const lines = [`Budgets of team "${teamId}":`];
  for (const row of rows) {
    const window =
      row.window === "calendar" ? `resets ${new Date(row.windowEndMs).toISOString()}` : "rolling";
    const percent = row.maxUsd > 0 ? ` (${((row.spentUsd / row.maxUsd) * 100).toFixed(1)}%)` : "";
    const held = row.reservedUsd > 0 ? `, ${usd(row.reservedUsd)} held by calls in flight` : "";
    lines.push(
      `  ${`${row.period} [${row.key}]`.padEnd(24)} ${usd(row.spentUsd)} of ${usd(row.maxUsd)}${percent}${held} — ${row.status}${row.hardLimit ? "" : " (soft)"}, ${window}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** `$12.50`, `$0.0003015`: cents above a dollar, every nano-dollar digit below. */
function usd(amount: number): string {
  if (amount >= 1) return `$${amount.toFixed(2)}`;
  return `$${amount.toFixed(9).replace(/\.?0+$/, "")}`;
}

function summary(result: RunResult): string {
  const lines = ["", "─".repeat(60)];
  if (result.success) {
    lines.push(
      "Final output:",
      typeof result.finalOutput === "string"
        ? result.finalOutput
        : JSON.stringify(result.finalOutput, null, 2),
    );
  }
  lines.push("", `Usage (${result.agentResults.length} agents, ${result.durationMs} ms):`);
  const { cost } = result;
  for (const agent of result.agentResults) {
    const agentCost = cost.byAgent[agent.agentId];
    const price =
      agentCost === undefined
        ? ""
        : agent.model !== undefined && cost.unpricedModels.includes(agent.model)
          ? "unpriced"
          : usd(agentCost);
    lines.push(
      `  ${agent.agentId.padEnd(16)} ${(agent.model ?? "").padEnd(28)} ${formatUsage(agent.usage).padEnd(36)} ${price}`,
    );
  }
  lines.push(
    `  ${"total".padEnd(16)} ${"".padEnd(28)} ${formatUsage(result.usage).padEnd(36)} ${usd(cost.totalUsd)}`,
  );
  if (cost.unpricedModels.length > 0) {
    lines.push(`  (no price known for ${cost.unpricedModels.join(", ")}: not in the total)`);
  }
  lines.push("");
  return `${lines.join("\n")}\n`;
}

/** The JSON Schema of team files, generated from the zod schema. */
export function teamJsonSchema(): Record<string, unknown> {
  return {
    title: "llmteam team file",
    ...z.toJSONSchema(teamConfigSchema, { io: "input", unrepresentable: "any" }),
  };
}

function runInput(query: string | undefined, input: string | undefined): Record<string, unknown> {
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

type Options = NonNullable<Parameters<typeof parseArgs>[0]>["options"];

function parse<T extends Options>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function onePositional(positionals: string[], command: string): string {
  if (positionals.length !== 1) {
    throw new UsageError(
      `${command} takes one team file (got ${positionals.length}). See llmteam ${command} --help.`,
    );
  }
  return positionals[0]!;
}

function help(command: string, io: CliIO): number {
  io.stdout(`${HELP[command]}\n`);
  return 0;
}

function version(): string {
  return llmteamPackage().version;
}

class UsageError extends LLMTeamError {
  override readonly code = "usage_error";
}

function defaultIO(): CliIO {
  const controller = new AbortController();
  process.once("SIGINT", () => controller.abort(new Error("Interrupted (Ctrl-C).")));
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    signal: controller.signal,
    stdin: process.stdin,
  };
}
