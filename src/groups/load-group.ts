import { dirname, resolve } from "node:path";
import { ConfigError, type ConfigIssue } from "../errors/config-error.js";
import type { LLMTeam } from "../team/llm-team.js";
import {
  loadTeam,
  parseConfigDocument,
  parseConfigText,
  readConfigFile,
  readTeamFile,
} from "../team/load-team.js";
import { teamConfigSchema, type TeamConfig } from "../team/team-config.js";
import type { TeamRuntimeOptions } from "../team/team-runtime-options.js";
import { groupConfigSchema, type GroupConfig } from "./group-config.js";
import { LLMGroup } from "./llm-group.js";

function readText(path: string, what: string): Promise<string> {
  return readConfigFile(path, what);
}

/**
 * Parses and validates group configuration text (YAML or JSON), each problem with its line.
 * @throws ConfigError listing every problem.
 */
export function parseGroupText(text: string, file = "<group>"): GroupConfig {
  return parseConfigText(text, file, groupConfigSchema) as GroupConfig;
}

/**
 * Reads a group file; `file:` entries are read too (relative to the group file) and inlined.
 * @throws ConfigError with file, line and key for every problem.
 */
export async function readGroupFile(path: string): Promise<GroupConfig> {
  const config = parseGroupText(await readText(path, "group"), path);
  const teams = await Promise.all(
    config.teams.map(async (entry) => {
      if (entry.file === undefined) return entry;
      const { file, ...rest } = entry;
      return { ...rest, team: await readTeamFile(resolve(dirname(path), file)) };
    }),
  );
  return { ...config, teams };
}

/**
 * Loads a group of teams from a YAML or JSON file.
 *
 * @example
 * const group = await loadGroup("examples/group-coordinator.yaml");
 * const result = await group.run({ query: "Plan the launch" });
 * @throws ConfigError with file, line and key for every problem.
 */
export async function loadGroup(path: string, runtime: TeamRuntimeOptions = {}): Promise<LLMGroup> {
  return (await buildGroupFile(path, runtime)).group;
}

/**
 * Loads a group file and returns the group with what its teams' environment lacks (API keys,
 * local model files): the `warnings` of each team's `check()`, located in the file that holds
 * the team (the group file, or the team's own `file:`). What `llmteam validate` reports.
 * @throws ConfigError with file, line and key for every problem.
 */
export async function checkGroupFile(
  path: string,
  runtime: TeamRuntimeOptions = {},
): Promise<{ group: LLMGroup; warnings: ConfigIssue[] }> {
  const { group, members } = await buildGroupFile(path, runtime);
  const warnings = group.teams.flatMap(({ team }, index) =>
    team.check().warnings.map((issue) => members[index]!.locate(issue)),
  );
  return { group, warnings };
}

type Locate = (issue: ConfigIssue) => ConfigIssue;

/** Builds a group file's group, with the locator of each team's file. @throws ConfigError, located. */
async function buildGroupFile(
  path: string,
  runtime: TeamRuntimeOptions,
): Promise<{ group: LLMGroup; members: { entry: GroupTeam; locate: Locate }[] }> {
  const document = parseConfigDocument(await readText(path, "group"), path, groupConfigSchema);
  const config = document.value as GroupConfig;
  const members = await Promise.all(
    config.teams.map(async (entry, index): Promise<{ entry: GroupTeam; locate: Locate }> => {
      if (entry.file === undefined) {
        const prefix = ["teams", index, "team"];
        return {
          entry,
          locate: (issue) => document.locate({ ...issue, path: [...prefix, ...issue.path] }),
        };
      }
      const { file, ...rest } = entry;
      const teamPath = resolve(dirname(path), file);
      const team = parseConfigDocument(
        await readText(teamPath, "team"),
        teamPath,
        teamConfigSchema,
      );
      return { entry: { ...rest, team: team.value as TeamConfig }, locate: team.locate };
    }),
  );
  let group: LLMGroup;
  try {
    group = LLMGroup.fromConfig({ ...config, teams: members.map(({ entry }) => entry) }, runtime);
  } catch (error) {
    if (!ConfigError.isInstance(error)) throw error;
    // A team's problem is located in the file that holds the team.
    const located = error.issues.map((issue) => {
      const [teams, index, team, ...rest] = issue.path;
      const member = typeof index === "number" ? members[index] : undefined;
      if (teams === "teams" && team === "team" && member)
        return member.locate({ ...issue, path: rest });
      return document.locate(issue);
    });
    throw new ConfigError(located, { cause: error });
  }
  return { group, members };
}

type GroupTeam = GroupConfig["teams"][number];

/**
 * Loads a team file or a group file (one with `groupId`), for tools such as the CLI.
 * @throws ConfigError with file, line and key for every problem.
 */
export async function loadTeamOrGroup(
  path: string,
  runtime: TeamRuntimeOptions = {},
): Promise<LLMTeam | LLMGroup> {
  return (await isGroupFile(path)) ? loadGroup(path, runtime) : loadTeam(path, runtime);
}

/** True when the file holds a group (a top-level `groupId`) rather than a team. @throws ConfigError when unreadable. */
export async function isGroupFile(path: string): Promise<boolean> {
  return /^groupId\s*:|"groupId"\s*:/m.test(await readText(path, "team"));
}
