import { existsSync } from "node:fs";
import { isPostgresUrl, openRunStore } from "../store/open-run-store.js";
import type { RunStore, StoredRun } from "../store/run-store.js";
import { DEFAULT_RUN_STORE_PATH } from "../store/sqlite-run-store.js";
import { closestName, UsageError } from "./cli-options.js";
import type { CliIO } from "./cli-io.js";

/** What `llmteam runs …` commands share: the store they open, times, run ids. */

/** The `--store` option of every `runs` command. */
export const STORE_OPTION = {
  store: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** A run store opened for a command, with where it is (for messages). */
export interface CliRunStore {
  store: RunStore;
  where: string;
}

/**
 * Opens the run store `--store` names (else `$LLMTEAM_RUN_STORE`, else `.llmteam/runs.db`).
 * A SQLite file must exist: reading commands never create an empty store by a typo.
 */
export async function openCliRunStore(option: string | undefined, io: CliIO): Promise<CliRunStore> {
  const spec = option ?? io.env.LLMTEAM_RUN_STORE ?? DEFAULT_RUN_STORE_PATH;
  if (!isPostgresUrl(spec) && !existsSync(spec)) {
    throw new Error(
      `no run store at ${spec}. Runs are stored when a team runs with a run store; name the store with --store <file|postgres://…> or $LLMTEAM_RUN_STORE.`,
    );
  }
  const store = await openRunStore(spec);
  const where = "url" in store ? String(store.url) : spec;
  return { store, where };
}

/** The run `runId`, or an error naming the store and the closest id of a recent run. */
export async function findRun({ store, where }: CliRunStore, runId: string): Promise<StoredRun> {
  const run = await store.getRun(runId);
  if (run) return run;
  const recent = (await store.listRuns({ limit: 100 })).map((each) => each.runId);
  const closest = closestName(runId, recent);
  throw new Error(
    `no run "${runId}" in the run store ${where}.${closest ? ` Did you mean ${closest}?` : ""} See llmteam runs list.`,
  );
}

const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * A point in time from `30m`, `2h`, `7d`, `2w` (that long before `now`) or a date/time
 * (`2026-12-01`, `2026-12-01T09:30`; dates without a zone are UTC), in ms since the epoch.
 * @throws UsageError naming the option and the valid forms.
 */
export function parseTimeOption(text: string, option: string, now: number): number {
  const duration = /^(\d+(?:\.\d+)?)\s*([smhdw])$/.exec(text.trim());
  if (duration) return now - Number(duration[1]) * UNIT_MS[duration[2]!]!;
  if (
    /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text.trim())
  ) {
    const value = text.trim().replace(" ", "T");
    const hasZone = /Z|[+-]\d{2}:?\d{2}$/.test(value.slice(10));
    const time = Date.parse(value.length === 10 || hasZone ? value : `${value}Z`);
    if (!Number.isNaN(time)) return time;
  }
  throw new UsageError(
    `${option} ${JSON.stringify(text)} is neither a duration nor a date. Use a duration such as 30m, 2h, 7d or 2w, or a date such as 2026-12-01 or 2026-12-01T09:30 (UTC).`,
  );
}

/** `2026-06-01 12:00:05Z`. */
export function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")}Z`;
}

/** `+1.234s` after `start`. */
export function formatOffset(ms: number, start: number): string {
  return `+${((ms - start) / 1000).toFixed(3)}s`;
}
