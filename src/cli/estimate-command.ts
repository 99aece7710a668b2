import type { AgentEstimate, CountRange } from "../team/estimate-agent.js";
import type { TeamEstimate } from "../team/estimate-team.js";
import { isGroupFile } from "../groups/load-group.js";
import { loadTeamFile } from "../team/load-team.js";
import type { CliIO } from "./cli-io.js";
import { onePositional, parseCommand, UsageError } from "./cli-options.js";
import { runInput } from "./run-command.js";
import { cliDefaultModel } from "./default-model.js";
import { usd } from "./usd.js";

/** `llmteam estimate --help`. */
export const ESTIMATE_HELP = `llmteam estimate <team-file> [--query <text> | --input <json>] [options]

Prints the least and most a run of the team may cost, before it runs: prompt tokens counted
with the model's tokenizer where one is known (OpenAI models), else approximated; each
agent's output cap (maxTokens), tool rounds (maxToolRounds), loops (maxIterations) and the
router's bounds; at the models' prices, per agent and in total. Models without a price are
named and left out of the total (never counted as $0). Nothing is called.

Options:
  --query <text>              the run input { "query": <text> }
  --input <json>              the run input as a JSON object
  --model <name>              the team's default model, as in llmteam run
  --tool-result-tokens <n>    tokens assumed for one tool round's results (default 1000)
  --json                      print the estimate as JSON
  -h, --help                  show this help`;

/** `llmteam estimate`: the cost bounds of a run before it runs. Returns the exit code. */
export async function estimateCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommand("estimate", argv, {
    query: { type: "string" },
    input: { type: "string" },
    model: { type: "string" },
    "tool-result-tokens": { type: "string" },
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    io.stdout(`${ESTIMATE_HELP}\n`);
    return 0;
  }
  const file = onePositional(positionals, "estimate");
  const input = runInput(values.query, values.input);
  if (await isGroupFile(file))
    throw new UsageError(
      `estimate works on team files; ${file} is a group. Estimate each of its teams' files.`,
    );
  const toolResultTokens = wholeNumber(values["tool-result-tokens"], "--tool-result-tokens");
  const defaultModel = cliDefaultModel(io.env, values.model);
  const { team } = await loadTeamFile(
    file,
    { env: io.env, defaultModel },
    values.model === undefined ? {} : { model: values.model },
  );
  const estimate = await team.estimate(
    input,
    toolResultTokens === undefined ? {} : { toolResultTokens },
  );
  io.stdout(values.json ? `${JSON.stringify(estimate, null, 2)}\n` : formatEstimate(estimate));
  return 0;
}

function wholeNumber(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(number))
    throw new UsageError(`${option} must be a whole number >= 0 (got "${value}").`);
  return number;
}

/** The estimate as a table: a row per agent (nested teams' agents indented), then the total. */
export function formatEstimate(estimate: TeamEstimate): string {
  const lines = [
    `Estimate of one run of team "${estimate.teamId}" (${estimate.mode}), before it runs:`,
    `  ${"agent".padEnd(18)} ${"model".padEnd(26)} ${"calls".padEnd(7)} ${"input tokens".padEnd(16)} ${"output tokens".padEnd(14)} cost`,
  ];
  const add = (rows: AgentEstimate[], indent: string) => {
    for (const row of rows) {
      lines.push(
        `  ${`${indent}${row.agentId}`.padEnd(18)} ${(row.model ?? "(nested team)").padEnd(26)} ${range(row.calls).padEnd(7)} ${range(row.inputTokens).padEnd(16)} ${range(row.outputTokens).padEnd(14)} ${costRange(row.minUsd, row.maxUsd)}`,
      );
      if (row.agents) add(row.agents, `${indent}  `);
    }
  };
  add(estimate.agents, "");
  const total = `${usd(estimate.minUsd)} – ${usd(estimate.maxUsd)}${estimate.complete ? "" : " + unpriced"}`;
  lines.push(
    `  ${"total".padEnd(18)} ${"".padEnd(26)} ${"".padEnd(7)} ${"".padEnd(16)} ${"".padEnd(14)} ${total}`,
  );
  if (!estimate.complete)
    lines.push(
      `  (no price known for ${estimate.unpricedModels.join(", ")}: not in the total; declare one under \`pricing:\`)`,
    );
  lines.push("Assumptions:", ...estimate.assumptions.map((text) => `  - ${text}`));
  return `${lines.join("\n")}\n`;
}

function range(count: CountRange): string {
  const [min, max] = [Math.ceil(count.min), Math.ceil(count.max)];
  return min === max ? String(min) : `${min}–${max}`;
}

function costRange(minUsd: number | undefined, maxUsd: number | undefined): string {
  if (minUsd === undefined && maxUsd === undefined) return "unpriced";
  return `${minUsd === undefined ? "unpriced" : usd(minUsd)} – ${maxUsd === undefined ? "unpriced" : usd(maxUsd)}`;
}
