import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { ConfigError } from "../errors/config-error.js";
import { LLMGroup } from "../groups/llm-group.js";
import { loadTeamOrGroup } from "../groups/load-group.js";
import type { RunStore } from "../store/run-store.js";
import { LLMTeam } from "../team/llm-team.js";
import type { TeamRuntimeOptions } from "../team/team-runtime-options.js";

/** What a server serves, as given: team and group instances, or team/group files and folders of them. */
export type ServedEntry = LLMTeam | LLMGroup | string;

const CONFIG_FILE = /\.(?:ya?ml|json)$/i;

/** The files a path names: itself, or a folder's team and group files (`.yaml`, `.yml`, `.json`). */
async function configFiles(path: string): Promise<string[]> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new ConfigError(
      `Cannot serve "${path}": no such file or folder. Give team or group files, or a folder of them.`,
    );
  }
  if (!info.isDirectory()) return [path];
  const names = (await readdir(path)).filter((name) => CONFIG_FILE.test(name)).sort();
  if (names.length === 0) {
    throw new ConfigError(
      `Cannot serve folder "${path}": it holds no team or group files (.yaml, .yml, .json).`,
    );
  }
  return names.map((name) => join(path, name));
}

/**
 * Teams and groups from instances, files and folders; files are loaded with the server's run
 * store, so every run of a served team is stored in it.
 * @throws ConfigError for a missing file, an invalid one (with file, line and key), or an
 * instance whose run store is not the server's.
 */
export async function loadServed(
  entries: readonly ServedEntry[],
  store: RunStore,
  runtime: TeamRuntimeOptions = {},
): Promise<{ teams: LLMTeam[]; groups: LLMGroup[] }> {
  const teams: LLMTeam[] = [];
  const groups: LLMGroup[] = [];
  for (const entry of entries) {
    if (typeof entry !== "string") {
      if (entry instanceof LLMGroup) groups.push(entry);
      else teams.push(checkStore(entry, store));
      continue;
    }
    for (const file of await configFiles(entry)) {
      const loaded = await loadTeamOrGroup(file, { ...runtime, runStore: store });
      if (loaded instanceof LLMGroup) groups.push(loaded);
      else teams.push(loaded);
    }
  }
  return { teams, groups };
}

function checkStore(team: LLMTeam, store: RunStore): LLMTeam {
  if (team.runStore === store) return team;
  throw new ConfigError(
    team.runStore === undefined
      ? `Team "${team.teamId}" has no run store, and a server keeps every run in one. Create it with new LLMTeam({ ..., runStore: store }) and pass the same store: createServer({ teams, runStore: store }).`
      : `Team "${team.teamId}" has a run store other than the server's. Give the team and createServer({ runStore }) the same store instance.`,
  );
}

/** The run store the teams share when the server is not given one, if they share one. */
export function sharedStore(entries: readonly ServedEntry[]): RunStore | undefined {
  const stores = new Set(
    entries
      .filter((entry): entry is LLMTeam => entry instanceof LLMTeam)
      .map((team) => team.runStore),
  );
  if (stores.size !== 1) return undefined;
  return [...stores][0];
}
