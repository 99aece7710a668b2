import type { AgentConfig } from "../agents/agent-config.js";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import { stringify } from "yaml";
import { formatConfigIssue } from "../errors/config-error.js";
import { TeamBuildError } from "../errors/team-build-error.js";
import { buildTeam, type BuildTeamResult } from "../team/builder/build-team.js";
import { checkTeamFile } from "../team/load-team.js";
import type { CliIO } from "./cli-io.js";
import { parseCommand, plural, UsageError } from "./cli-options.js";
import { checkOutputPath, runCommand } from "./run-command.js";
import { cliDefaultModel, DEMO_MODEL } from "./default-model.js";
import { usd } from "./usd.js";

/** `llmteam new --help`. */
export const NEW_HELP = `llmteam new "<task>" [options]

A model designs a team for the task: 1 to 6 agents with roles, prompts, tools that exist and
output caps. When the task is ambiguous it may ask up to 3 questions first (answer them in the
terminal; --yes skips them). The team is checked as llmteam validate checks a file; an invalid
design is sent back to the model with what is wrong (--max-repairs times) and is never written.
The team is shown, then written as YAML.

Options:
  -o, --output <file>   where to write the team (default team.yaml; an existing file is
                        never overwritten)
  --model <name>        the model that designs the team, also written as the team's model
                        (default: openai/gpt-4o-mini with OPENAI_API_KEY, else local/demo)
  --yes                 no questions, no confirmation: design and write at once
  --run                 run the team once written (input: --query, else the task)
  --query <text>        the input of --run
  --max-repairs <n>     corrections the model may make to an invalid design (default 2)
  -h, --help            show this help

Exit codes: 0 written (and run, with --run); 1 the model did not design a valid team (nothing
written), or the run failed; 2 bad usage (nothing called); 130 cancelled.`;

/** `llmteam new`: designs a team with a model and writes it. Returns the exit code. */
export async function newCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommand("new", argv, {
    output: { type: "string", short: "o" },
    model: { type: "string" },
    yes: { type: "boolean" },
    run: { type: "boolean" },
    query: { type: "string" },
    "max-repairs": { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    io.stdout(`${NEW_HELP}\n`);
    return 0;
  }
  const task = positionals.join(" ").trim();
  if (task.length === 0)
    throw new UsageError(
      'new needs a task, e.g. llmteam new "Answer billing questions". See llmteam new --help.',
    );
  const output = values.output ?? "team.yaml";
  checkOutputPath(output, "--output");
  if (existsSync(output))
    throw new UsageError(
      `--output ${output}: the file exists; choose another with -o, or remove it.`,
    );
  const maxRepairs = repairsOf(values["max-repairs"]);
  const model = cliDefaultModel(io.env, values.model);
  if (model === DEMO_MODEL && values.model === undefined)
    io.stdout(
      "Using the tiny built-in demo model (local/demo): it rarely designs a valid team — set OPENAI_API_KEY or choose a model with --model.\n",
    );
  const lines = createInterface({ input: io.stdin ?? process.stdin, terminal: false });
  const reader = lines[Symbol.asyncIterator]();
  const read = async (prompt: string): Promise<string> => {
    io.stdout(prompt);
    const next = await reader.next();
    return next.done ? "" : next.value.trim();
  };
  let built: BuildTeamResult;
  try {
    io.stdout(`Designing a team with ${model}…\n`);
    built = await buildTeam(task, {
      model,
      env: io.env,
      maxRepairs,
      ...(values.model === undefined ? {} : { teamModel: values.model }),
      ...(io.signal ? { signal: io.signal } : {}),
      ...(values.yes ? {} : { ask: (questions) => askAll(questions, read, io) }),
      onInvalidAnswer: ({ answer, issues }) =>
        io.stdout(
          `✗ design ${answer} refused (${plural(issues.length, "problem")}): ${issues.slice(0, 3).map(formatConfigIssue).join("; ")}${issues.length > 3 ? "; …" : ""}\n`,
        ),
    });
  } catch (error) {
    if (!TeamBuildError.isInstance(error)) throw error;
    io.stderr(`✗ No team written: ${error.message}\n`);
    return 1;
  } finally {
    if (values.yes) lines.close();
  }
  try {
    io.stdout(describe(built));
    if (!values.yes && !/^(y(es)?)?$/i.test(await read(`Write ${output}? [Y/n] `))) {
      io.stdout("Nothing written.\n");
      return 0;
    }
  } finally {
    lines.close();
  }
  await writeTeam(output, task, built);
  io.stdout(
    `✓ Wrote ${output}: team "${built.config.teamId}" with ${plural(built.config.agents!.length, "agent")}. Run it with: llmteam run ${output} --query "…"\n`,
  );
  if (!values.run) return 0;
  return runCommand(
    [output, "--query", values.query ?? task, ...(values.model ? ["--model", values.model] : [])],
    io,
    () => 0,
  );
}

async function askAll(
  questions: string[],
  read: (prompt: string) => Promise<string>,
  io: CliIO,
): Promise<string[]> {
  io.stdout(
    `The designer asks ${plural(questions.length, "question")} (an empty line skips one):\n`,
  );
  const answers: string[] = [];
  for (const question of questions) answers.push(await read(`? ${question}\n> `));
  return answers;
}

/** The team as the terminal shows it before writing. */
function describe(built: BuildTeamResult): string {
  const { config } = built;
  const lines = [
    "",
    `Team "${config.teamId}": ${config.description ?? ""}`,
    `Flow: ${typeof config.flow === "string" ? config.flow : "sequential"}`,
  ];
  for (const agent of config.agents ?? []) {
    const extras = [
      agent.tools?.length ? `tools: ${agent.tools.map(toolLabel).join(", ")}` : "",
      agent.maxTokens ? `maxTokens: ${agent.maxTokens}` : "",
    ].filter(Boolean);
    lines.push(`  • ${agent.role}${extras.length ? ` (${extras.join("; ")})` : ""}`);
    lines.push(`      ${(agent.prompt ?? "").replace(/\n/g, "\n      ")}`);
  }
  const cost = built.cost.totalUsd > 0 ? `, ${usd(built.cost.totalUsd)}` : "";
  lines.push(
    `(designed in ${plural(built.answers, "answer")}, ${built.usage.totalTokens} tokens${cost})`,
    "",
  );
  return `${lines.join("\n")}\n`;
}

/** Writes the team as YAML, then reads it back as `llmteam validate` does. */
async function writeTeam(path: string, task: string, built: BuildTeamResult): Promise<void> {
  const header = `# Designed by \`llmteam new\` for: ${task.replace(/\s+/g, " ")}\n# Check it with: llmteam validate ${path}\n`;
  await writeFile(path, `${header}${stringify(built.config)}`, { flag: "wx" });
  const { errors } = await checkTeamFile(path);
  if (errors.length > 0)
    throw new Error(
      `${path} was written but does not validate (a defect of llmteam new): ${errors.map(formatConfigIssue).join("; ")}`,
    );
}

function repairsOf(value: string | undefined): number {
  if (value === undefined) return 2;
  const number = Number(value);
  if (!/^\d+$/.test(value.trim()) || number > 10)
    throw new UsageError(`--max-repairs must be a whole number from 0 to 10 (got "${value}").`);
  return number;
}

/** How a tool of an agent is shown: its name, or the MCP server it comes from. */
function toolLabel(tool: NonNullable<AgentConfig["tools"]>[number]): string {
  if (typeof tool === "string") return tool;
  if ("mcp" in tool) {
    const server = tool.mcp;
    return `mcp:${typeof server === "string" ? server : "url" in server ? server.url : server.command}`;
  }
  return tool.name;
}
