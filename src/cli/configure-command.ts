import { readFile, writeFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import { isDeepStrictEqual } from "node:util";
import { parseDocument, stringify } from "yaml";
import { ConfigError } from "../errors/config-error.js";
import { loadTeam, parseTeamText } from "../team/load-team.js";
import { formatConfigDiff } from "../team/lifecycle/config-diff.js";
import type { ConfigurationProposal } from "../team/lifecycle/configuration-proposal.js";
import type { ConfiguratorSession } from "../team/lifecycle/configurator-session.js";
import { updateTeamDocument } from "../team/lifecycle/update-team-document.js";
import type { LLMTeam } from "../team/llm-team.js";
import type { CliIO } from "./cli-io.js";
import { parseCommand } from "./cli-options.js";
import { checkOutputPath } from "./run-command.js";

/** `llmteam configure --help`. */
export const CONFIGURE_HELP = `llmteam configure <team-file> [options]

Chat with a configurator model about a team file: describe a change in plain words, review
each proposed change as a diff, apply it or not. Applied changes are written back to the file
(YAML comments and layout are kept). An empty line or end of input ends the session.

Options:
  --model <name>    the configurator's model (default: the team's model)
  --task <text>     the first request, instead of typing it
  --output <file>   write the updated team here instead of over <team-file>
  --yes             apply every proposal without asking
  -h, --help        show this help`;

/**
 * Runs `llmteam configure`: reads requests and answers from `io.stdin` (a terminal or a
 * script), and writes the updated team file. Returns the exit code.
 */
export async function configureCommand(argv: string[], io: CliIO): Promise<number> {
  const args = parseConfigureArgs(argv, io);
  if (typeof args === "number") return args;
  const { file } = args;
  const team = await loadTeam(file, { env: io.env });
  const before = team.toConfig();
  await converse(team, args, io);
  if (team.configVersion === 1) {
    io.stdout(`\nNothing applied; ${file} is unchanged.\n`);
    return 0;
  }
  const target = args.output ?? file;
  await writeFile(target, await render(file, before, team));
  const changes = team.lifecycle.versions.reduce(
    (count, version) => count + version.diff.length,
    0,
  );
  io.stdout(
    `\n✓ Wrote ${target}: ${changes} change${changes === 1 ? "" : "s"} (config version ${team.configVersion}).\n`,
  );
  return 0;
}

/** What `llmteam configure` was asked to do. */
interface ConfigureArgs {
  file: string;
  model: string | undefined;
  task: string | undefined;
  output: string | undefined;
  yes: boolean;
}

/**
 * The command line checked; an exit code instead when there is nothing more to do (help or a
 * usage error).
 */
function parseConfigureArgs(argv: string[], io: CliIO): ConfigureArgs | number {
  let parsed;
  try {
    parsed = parseCommand("configure", argv, {
      model: { type: "string" },
      task: { type: "string" },
      output: { type: "string" },
      yes: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    });
  } catch (error) {
    io.stderr(`llmteam: ${(error as Error).message}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(`${CONFIGURE_HELP}\n`);
    return 0;
  }
  if (positionals.length !== 1) {
    io.stderr(
      `llmteam: configure takes one team file (got ${positionals.length}). See llmteam configure --help.\n`,
    );
    return 2;
  }
  const file = positionals[0]!;
  try {
    checkOutputPath(
      values.output ?? file,
      values.output === undefined ? "<team-file>" : "--output",
    );
  } catch (error) {
    io.stderr(`llmteam: ${(error as Error).message}\n`);
    return 2;
  }
  return {
    file,
    model: values.model,
    task: values.task,
    output: values.output,
    yes: values.yes === true,
  };
}

/**
 * The session: requests from `--task` or stdin, each reply's proposals reviewed, until an empty
 * line or end of input.
 */
async function converse(team: LLMTeam, args: ConfigureArgs, io: CliIO): Promise<void> {
  const lines = createInterface({
    input: io.stdin ?? process.stdin,
    crlfDelay: Number.POSITIVE_INFINITY,
    terminal: false,
  });
  const reader = lines[Symbol.asyncIterator]();
  const ask = async (prompt: string): Promise<string | undefined> => {
    io.stdout(prompt);
    const next = await reader.next();
    return next.done ? undefined : next.value.trim();
  };
  try {
    io.stdout(
      `Configuring team "${team.teamId}" (${args.file}): agents ${team.agents.map((agent) => agent.id ?? agent.role).join(", ") || "none"}.\nDescribe a change in plain words; an empty line ends.\n`,
    );
    let session: ConfiguratorSession | undefined;
    let request = args.task ?? (await ask("> "));
    while (request) {
      const options = {
        ...(args.model ? { model: args.model } : {}),
        ...(io.signal ? { signal: io.signal } : {}),
      };
      const reply = session
        ? await session.send(request, options)
        : (session = await team.configure(request, options)).reply;
      io.stdout(`\nconfigurator: ${reply.message}\n`);
      for (const proposal of reply.proposals) await review(team, proposal, args.yes, ask, io);
      request = await ask("\n> ");
    }
  } finally {
    lines.close();
  }
}

async function review(
  team: LLMTeam,
  proposal: ConfigurationProposal,
  yes: boolean,
  ask: (prompt: string) => Promise<string | undefined>,
  io: CliIO,
): Promise<void> {
  let diff: string;
  try {
    diff = formatConfigDiff(team.lifecycle.preview(proposal));
  } catch (error) {
    if (!ConfigError.isInstance(error)) throw error;
    io.stdout(
      `\nProposal ${proposal.proposalId}: ${proposal.reason}\n✗ It no longer fits the team: ${error.message}\n`,
    );
    proposal.reject("no longer fits the team");
    return;
  }
  io.stdout(
    `\nProposal ${proposal.proposalId}: ${proposal.reason}\n${diff.replace(/^/gm, "  ")}\n`,
  );
  const answer = yes ? "y" : ((await ask(`Apply ${proposal.proposalId}? [y/N] `)) ?? "");
  if (!/^y(es)?$/i.test(answer)) {
    proposal.reject("declined in llmteam configure");
    io.stdout(`✗ Rejected ${proposal.proposalId}.\n`);
    return;
  }
  proposal.approve("llmteam configure");
  const version = proposal.apply();
  io.stdout(`✓ Applied ${proposal.proposalId} (config version ${version.version}).\n`);
}

/** The updated file's text: JSON stays JSON; YAML keeps its comments and layout. */
async function render(
  file: string,
  before: ReturnType<LLMTeam["toConfig"]>,
  team: LLMTeam,
): Promise<string> {
  const after = team.toConfig();
  const text = await readFile(file, "utf8");
  if (/\.json$/i.test(file)) return `${JSON.stringify(after, null, 2)}\n`;
  const document = parseDocument(text);
  updateTeamDocument(document, before, after);
  const updated = document.toString();
  // Never write a file that does not read back as the team: fall back to plain YAML.
  try {
    if (isDeepStrictEqual(parseTeamText(updated, file), after)) return updated;
  } catch {
    // fall through
  }
  return stringify(after);
}
