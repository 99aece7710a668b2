import * as z from "zod";
import { ConfigError, formatConfigIssue } from "../errors/config-error.js";
import type { BudgetStatusReport } from "../cost/budget-status.js";
import { modelInstanceSchema } from "../agents/agent-config.js";
import { checkGroupFile, isGroupFile } from "../groups/load-group.js";
import { checkTeamFile, loadTeam, readTeamFile } from "../team/load-team.js";
import { teamConfigSchema, type TeamConfig } from "../team/team-config.js";
import { llmteamPackage } from "../internal/package-root.js";
import { closestName, onePositional, parseCommand, plural, UsageError } from "./cli-options.js";
import { configureCommand } from "./configure-command.js";
import { toolsCommand } from "./tools-command.js";
import { mcpCommand } from "./mcp-command.js";
import { estimateCommand } from "./estimate-command.js";
import { newCommand } from "./new-command.js";
import { HELP } from "./help-text.js";
import { ingestCommand, kbCommand } from "./knowledge-command.js";
import { runsCommand } from "./runs-command.js";
import { serveCommand } from "./serve-command.js";
import { keysCommand } from "./keys-command.js";
import {
  CANCELLED_EXIT_CODE,
  hasPeriodBudgets,
  openBudgetStore,
  runCommand,
  usd,
} from "./run-command.js";
import type { CliIO } from "./cli-io.js";

export type { CliIO } from "./cli-io.js";

/**
 * Runs the `llmteam` command line. Returns the process exit code: 0 success, 1 the run failed,
 * 2 bad usage or configuration, 3 `--max-cost` refused the run, 130 the run was cancelled (Ctrl-C).
 */
export async function main(argv: string[], io?: CliIO): Promise<number> {
  if (io) return dispatch(argv, io);
  const own = processIO(argv[0] === "serve");
  try {
    return await dispatch(argv, own.io);
  } finally {
    own.dispose();
  }
}

async function dispatch(argv: string[], io: CliIO): Promise<number> {
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
        return await runCommand(rest, io, () => help("run", io));
      case "validate":
        return await validateCommand(rest, io);
      case "budget":
        return await budgetCommand(rest, io);
      case "configure":
        return await configureCommand(rest, io);
      case "tools":
        return await toolsCommand(rest, io);
      case "mcp":
        return await mcpCommand(rest, io);
      case "ingest":
        return await ingestCommand(rest, io, () => help("ingest", io));
      case "kb":
        return await kbCommand(rest, io, () => help("kb", io));
      case "runs":
        return await runsCommand(rest, io, (topic) => help(topic, io));
      case "estimate":
        return await estimateCommand(rest, io);
      case "serve":
        return await serveCommand(rest, io);
      case "keys":
        return await keysCommand(rest, io);
      // Loaded only here: they bring the queue engine (bullmq).
      case "worker":
        return await (await import("./worker-command.js")).workerCommand(rest, io);
      case "queue":
        return await (await import("./queue-command.js")).queueCommand(rest, io);
      case "schedules":
        return await (await import("./queue-command.js")).schedulesCommand(rest, io);
      case "new":
        return await newCommand(rest, io);
      case "schema":
        if (parseCommand("schema", rest, { help: { type: "boolean", short: "h" } }).values.help)
          return help("schema", io);
        io.stdout(`${JSON.stringify(teamJsonSchema(), null, 2)}\n`);
        return 0;
      default: {
        const closest = closestName(command, COMMANDS);
        io.stderr(
          `llmteam: unknown command "${command}".${closest ? ` Did you mean ${closest}?` : ""} Commands: ${COMMANDS.join(", ")}. See llmteam --help.\n`,
        );
        return 2;
      }
    }
  } catch (error) {
    if (ConfigError.isInstance(error)) {
      io.stderr(
        `${error.issues.map((issue) => `✗ ${inCliWords(formatConfigIssue(issue))}`).join("\n")}\n`,
      );
      return 2;
    }
    if (error instanceof UsageError) {
      io.stderr(`llmteam: ${error.message}\n`);
      return 2;
    }
    io.stderr(`llmteam: ${inCliWords(error instanceof Error ? error.message : String(error))}\n`);
    return 1;
  }
}

const COMMANDS = [
  "run",
  "new",
  "validate",
  "estimate",
  "budget",
  "configure",
  "runs",
  "tools",
  "mcp",
  "serve",
  "keys",
  "ingest",
  "kb",
  "worker",
  "queue",
  "schedules",
  "schema",
];

/** Library messages that suggest API calls, said the way a CLI user acts on them. */
const CLI_WORDING: [RegExp, string][] = [
  [/Add one with team\.addAgent\([^)]*\)\./, "Add one under `agents:` in the team file."],
  [/Add one with group\.addTeam\([^)]*\)\./, "Add one under `teams:` in the group file."],
  [
    /Register a price with PricingRegistry\.register\(\)\./,
    "Its calls are not counted in the cost total.",
  ],
  [
    /Register its price \(PricingRegistry\.register\([^)]*\)\)\)? or set allowUnpriced: true/,
    "Use a priced model, or set `allowUnpriced: true` in the team file",
  ],
];

/** Rewrites API suggestions in a message into what to change in the file. */
export function inCliWords(message: string): string {
  let text = message;
  for (const [pattern, replacement] of CLI_WORDING) text = text.replace(pattern, replacement);
  return text;
}

async function validateCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommand("validate", argv, {
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
  for (const warning of warnings) io.stderr(`⚠ ${inCliWords(formatConfigIssue(warning))}\n`);
  const note =
    warnings.length === 0
      ? ""
      : ` (${plural(warnings.length, "warning")}: a run fails on ${warnings.length === 1 ? "it" : "them"} at start; --strict makes ${warnings.length === 1 ? "it an error" : "them errors"})`;
  io.stdout(
    "group" in checked
      ? `✓ ${file}: group "${checked.group.groupId}" (${checked.group.role}) with ${plural(checked.group.teams.length, "team")} is valid${note}.\n`
      : `✓ ${file}: team "${checked.team!.teamId}" with ${plural(checked.team!.agents.length, "agent")} is valid${note}.\n`,
  );
  return 0;
}

async function budgetCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommand("budget", argv, {
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
    const run = runBudgetLines(config);
    io.stdout(
      `Team "${config.teamId}" has no hour, day or month budget${run.length > 0 ? "" : " and no run budget"}.\n${run.join("")}`,
    );
    return 0;
  }
  const store = openBudgetStore(
    values["budget-db"] ?? io.env.LLMTEAM_BUDGET_DB ?? ".llmteam/budgets.db",
  );
  try {
    const team = await loadTeam(file, { env: io.env, budgetStore: store });
    const rows = await team.budgetStatus();
    io.stdout(
      values.json
        ? `${JSON.stringify(rows, null, 2)}\n`
        : formatBudgetRows(config.teamId, rows) + runBudgetLines(config).join(""),
    );
  } finally {
    await store.close();
  }
  return 0;
}

function formatBudgetRows(teamId: string, rows: BudgetStatusReport[]): string {
  const lines = [`Budgets of team "${teamId}":`];
  for (const row of rows) {
    const window =
      row.window === "calendar" ? `resets ${new Date(row.windowEndMs).toISOString()}` : "rolling";
    const percent = row.maxUsd > 0 ? ` (${((row.spentUsd / row.maxUsd) * 100).toFixed(1)}%)` : "";
    const held = row.reservedUsd > 0 ? `, ${usd(row.reservedUsd)} held by calls in flight` : "";
    lines.push(
      `  ${`${row.period} [${row.key}]`.padEnd(24)} ${usd(row.spentUsd)} of ${usd(row.maxUsd)}${percent}${held}, ${usd(row.remainingUsd)} left — ${row.status}${row.hardLimit ? "" : " (soft)"}, ${window}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** The team's run budgets: each run starts with all of it. */
function runBudgetLines(config: TeamConfig): string[] {
  const amounts = [
    ...(config.maxCostPerRun === undefined ? [] : [config.maxCostPerRun]),
    ...(config.budgets ?? [])
      .filter((budget) => (budget.period ?? "run") === "run")
      .map((budget) => budget.maxCost),
  ];
  return amounts.map(
    (amount) => `  ${"run".padEnd(24)} ${usd(amount)} per run: each run starts with all of it\n`,
  );
}

/** The JSON Schema of team files, generated from the zod schema. */
export function teamJsonSchema(): Record<string, unknown> {
  return {
    title: "llmteam team file",
    ...z.toJSONSchema(teamConfigSchema, {
      io: "input",
      unrepresentable: "any",
      // A model instance exists in TypeScript only: a file names its model.
      override: (context) => {
        if (context.zodSchema === modelInstanceSchema) context.jsonSchema.not = {};
      },
    }),
  };
}

function help(command: string, io: CliIO): number {
  io.stdout(`${HELP[command]}\n`);
  return 0;
}

function version(): string {
  return llmteamPackage().version;
}

/**
 * The process's streams and environment. The first Ctrl-C cancels the run (it ends with "run
 * cancelled", its partial usage and exit code 130); a second one exits at once with 130. The
 * listener stays registered until the command ends, so other SIGINT listeners (such as one a
 * native library installs) never see the signal as unhandled and kill the process silently.
 * `llmteam serve` (`serving`) shuts down on the first SIGINT or SIGTERM (it says so itself);
 * a second one exits at once (130, or 143 for SIGTERM).
 */
function processIO(serving = false): { io: CliIO; dispose: () => void } {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(signal === "SIGTERM" ? 143 : CANCELLED_EXIT_CODE);
    if (serving) {
      controller.abort(Object.assign(new Error(`${signal} received.`), { name: "AbortError" }));
      return;
    }
    process.stderr.write("\nCancelling the run (Ctrl-C again to quit at once)…\n");
    controller.abort(Object.assign(new Error("Interrupted (Ctrl-C)."), { name: "AbortError" }));
  };
  const signals: NodeJS.Signals[] = serving ? ["SIGINT", "SIGTERM"] : ["SIGINT"];
  for (const signal of signals) process.on(signal, onSignal);
  return {
    io: {
      stdout: (text) => process.stdout.write(text),
      stderr: (text) => process.stderr.write(text),
      env: process.env,
      signal: controller.signal,
      stdin: process.stdin,
      stderrIsTTY: process.stderr.isTTY === true,
    },
    dispose: () => {
      for (const signal of signals) process.off(signal, onSignal);
    },
  };
}
