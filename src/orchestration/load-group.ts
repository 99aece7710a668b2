import { dirname, resolve } from "node:path";
import { ConfigError } from "../errors/config-error.js";
import type { LLMTeam } from "../team/llm-team.js";
import { loadTeam, parseConfigText, readConfigFile, readTeamFile } from "../team/load-team.js";
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
  const config = await readGroupFile(path);
  try {
    return LLMGroup.fromConfig(config, runtime);
  } catch (error) {
    if (ConfigError.isInstance(error))
      throw new ConfigError(
        error.issues.map((issue) => ({ ...issue, file: issue.file ?? path })),
        { cause: error },
      );
    throw error;
  }
}

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
