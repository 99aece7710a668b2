import type { AgentTools } from "../team/team-tools.js";
import { loadTeamFile } from "../team/load-team.js";
import { onePositional, parseCommand, plural, UsageError } from "./cli-options.js";
import type { CliIO } from "./cli-io.js";

export const TOOLS_HELP = `llmteam tools list <team-file> [--json]

Lists every tool each agent of a team would get — registered and built-in tools, and the tools
of its MCP servers (which are started to list them, then stopped) — with the JSON Schema of
their arguments as the model receives it.

Options:
  --json              print the list as JSON
  -h, --help          show this help`;

/** `llmteam tools list <team-file>`. Returns the exit code. */
export async function toolsCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommand("tools", argv, {
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    io.stdout(`${TOOLS_HELP}\n`);
    return 0;
  }
  const [action, ...rest] = positionals;
  if (action !== "list") {
    throw new UsageError("usage: llmteam tools list <team-file>. See llmteam tools --help.");
  }
  const file = onePositional(rest, "tools list");
  const { team } = await loadTeamFile(file, { env: io.env });
  try {
    const listed = await team.listTools(io.signal);
    io.stdout(
      values.json ? `${JSON.stringify(listed, null, 2)}\n` : formatTools(team.teamId, listed),
    );
  } finally {
    await team.close();
  }
  return 0;
}

function formatTools(teamId: string, listed: AgentTools[]): string {
  const lines = [`Tools of team "${teamId}":`];
  for (const { agentPath, tools } of listed) {
    lines.push(
      "",
      `${agentPath}: ${tools.length === 0 ? "no tools" : plural(tools.length, "tool")}`,
    );
    for (const tool of tools) {
      const approval = tool.needsApproval ? ", needs approval" : "";
      lines.push(`  ${tool.name}  (${tool.source}${approval})`);
      if (tool.description) lines.push(`    ${tool.description.split("\n")[0]}`);
      lines.push(`    parameters: ${JSON.stringify(tool.parameters)}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
