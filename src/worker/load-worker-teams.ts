import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { ConfigError } from "../errors/config-error.js";
import { isGroupFile } from "../groups/load-group.js";
import type { RunStore } from "../store/run-store.js";
import { loadTeam } from "../team/load-team.js";
import { LLMTeam } from "../team/llm-team.js";
import type { TeamRuntimeOptions } from "../team/team-runtime-options.js";

/** A team a worker serves: an instance (with a run store), a team file, or a folder of them. */
export type WorkerTeamEntry = LLMTeam | string;

const CONFIG_FILE = /\.(?:ya?ml|json)$/i;

/** A worker's teams by id, and the files they came from (for messages). */
export interface WorkerTeams {
  teams: Map<string, LLMTeam>;
  /** The team files loaded, in order. */
  files: string[];
}

/**
 * The teams a worker runs. Files and folders are loaded with the worker's run store and its
 * shared budget and breaker stores (`runtime`); instances must have a run store already (the
 * worker reads and writes their runs through it).
 * @throws ConfigError for a missing or invalid file (with line and key), a group file (group
 *   runs are not stored, so workers cannot run them), an instance without a run store, or two
 *   teams with one id.
 */
export async function loadWorkerTeams(
  entries: readonly WorkerTeamEntry[],
  runtime: TeamRuntimeOptions & { runStore: RunStore },
): Promise<WorkerTeams> {
  const teams = new Map<string, LLMTeam>();
  const files: string[] = [];
  const add = (team: LLMTeam, from: string): void => {
    if (teams.has(team.teamId)) {
      throw new ConfigError(
        `Two teams have the id "${team.teamId}" (the second from ${from}); a worker runs each team id once.`,
      );
    }
    teams.set(team.teamId, team);
  };
  for (const entry of entries) {
    if (entry instanceof LLMTeam) {
      if (entry.runStore === undefined) {
        throw new ConfigError(
          `Team "${entry.teamId}" has no run store, and a worker keeps every run in the shared one. Create it with new LLMTeam({ ..., runStore }) and give createWorker the same store.`,
        );
      }
      add(entry, "an LLMTeam instance");
      continue;
    }
    for (const file of await configFiles(entry)) {
      if (await isGroupFile(file)) {
        throw new ConfigError(
          `${file} is a group file; workers run teams only (group runs are not stored yet). Give team files.`,
        );
      }
      add(await loadTeam(file, runtime), file);
      files.push(file);
    }
  }
  if (teams.size === 0) {
    throw new ConfigError(
      "A worker needs at least one team: give team files, a folder of them, or LLMTeam instances.",
    );
  }
  return { teams, files };
}

/** The files a path names: itself, or a folder's team files (`.yaml`, `.yml`, `.json`). */
async function configFiles(path: string): Promise<string[]> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new ConfigError(
      `Cannot load "${path}": no such file or folder. Give team files, or a folder of them.`,
    );
  }
  if (!info.isDirectory()) return [path];
  const names = (await readdir(path)).filter((name) => CONFIG_FILE.test(name)).sort();
  if (names.length === 0) {
    throw new ConfigError(`Folder "${path}" holds no team files (.yaml, .yml, .json).`);
  }
  return names.map((name) => join(path, name));
}
