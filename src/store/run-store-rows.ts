import type { StreamEventJSON } from "../events/stream-event.js";
import { nanoToUsd, usdToNano } from "../internal/money.js";
import { canonicalJson, chainHash } from "./run-log-hash.js";
import type {
  NewStoredRun,
  RunFilter,
  StoredDecision,
  StoredEvent,
  StoredRun,
  StoredRunStatus,
} from "./run-store.js";

/**
 * What the SQL stores share: the schema version, the rules a commit is checked against, the
 * events' rows with their hashes and the totals they add, and rows turned back into objects.
 */

/** The run-store schema this llmteam writes; a store written by a higher version is refused. */
export const RUN_STORE_SCHEMA_VERSION = 3;

/** Every run status, as a store accepts it. */
export const STORED_RUN_STATUSES: readonly StoredRunStatus[] = [
  "running",
  "paused",
  "waiting_approval",
  "interrupted",
  "completed",
  "failed",
  "cancelled",
];

/** Statuses of a run that is over: it can be pruned and not cancelled. */
export const ENDED_RUN_STATUSES: readonly StoredRunStatus[] = ["completed", "failed", "cancelled"];

/** True for `completed`, `failed` and `cancelled`. */
export function isEndedStatus(status: string): boolean {
  return (ENDED_RUN_STATUSES as readonly string[]).includes(status);
}

/** The problem with `status`, or undefined when it is a status. */
export function statusProblem(status: unknown): string | undefined {
  if ((STORED_RUN_STATUSES as readonly unknown[]).includes(status)) return undefined;
  return `Unknown run status ${JSON.stringify(status)}. Valid statuses: ${STORED_RUN_STATUSES.join(", ")}.`;
}

/** One event as a row: its number, canonical JSON and chained hash. */
export interface EventRow {
  seq: number;
  json: string;
  hash: string;
}

/** The rows of one commit's events and what they add to the run's row. */
export interface PreparedEvents {
  rows: EventRow[];
  lastSeq: number;
  lastHash: string;
  costNano: number;
  inputTokens: number;
  outputTokens: number;
}

/**
 * Numbers, serialises and chains a commit's events after the run's `lastSeq`/`lastHash`, and
 * folds their `cost_update` totals. Returns a problem (a gap, a duplicate, an event that is not
 * an object) as a message instead of rows.
 */
export function prepareEvents(
  runId: string,
  lastSeq: number,
  lastHash: string,
  events: readonly StreamEventJSON[],
): PreparedEvents | string {
  const rows: EventRow[] = [];
  let hash = lastHash;
  let costNano = 0;
  let inputTokens = 0;
  let outputTokens = 0;
  for (let index = 0; index < events.length; index++) {
    const event = events[index]!;
    const expected = lastSeq + index + 1;
    if (typeof event !== "object" || event === null)
      return `Event ${index} of the commit to run "${runId}" is not an event object.`;
    if (event.seq !== expected) {
      const what =
        typeof event.seq === "number" && event.seq <= lastSeq + index
          ? "repeats a stored or earlier number"
          : "leaves a gap";
      return `Event ${index} of the commit to run "${runId}" has seq ${String(event.seq)} and ${what}: the next seq is ${expected} (stored up to ${lastSeq}, events must continue without gaps).`;
    }
    const json = canonicalJson(event);
    hash = chainHash(hash, json);
    rows.push({ seq: expected, json, hash });
    if (event.type === "cost_update") {
      const data = event.data as { deltaUsd?: number; unpriced?: boolean; tokens?: TokenCounts };
      if (typeof data.deltaUsd === "number" && !data.unpriced) costNano += usdToNano(data.deltaUsd);
      inputTokens += data.tokens?.inputTokens ?? 0;
      outputTokens += data.tokens?.outputTokens ?? 0;
    }
  }
  return {
    rows,
    lastSeq: lastSeq + events.length,
    lastHash: hash,
    costNano,
    inputTokens,
    outputTokens,
  };
}

interface TokenCounts {
  inputTokens?: number;
  outputTokens?: number;
}

/** A run's row as both SQL stores select it (numbers may come back as strings or bigints). */
export interface RunRow {
  run_id: string;
  team_id: string;
  config_hash: string;
  config: string;
  input: string;
  options: string;
  status: string;
  created_at: number | string | bigint;
  updated_at: number | string | bigint;
  last_seq: number | string | bigint;
  cost_nano: number | string | bigint;
  input_tokens: number | string | bigint;
  output_tokens: number | string | bigint;
  error: string | null;
  cancel_requested: number | boolean | bigint;
}

/** The columns of {@link RunRow}, for SELECTs. */
export const RUN_COLUMNS =
  "run_id, team_id, config_hash, config, input, options, status, created_at, updated_at, last_seq, cost_nano, input_tokens, output_tokens, error, cancel_requested";

/** A stored run from its row. */
export function runFromRow(row: RunRow): StoredRun {
  const run: StoredRun = {
    runId: row.run_id,
    teamId: row.team_id,
    configHash: row.config_hash,
    config: JSON.parse(row.config) as unknown,
    input: JSON.parse(row.input) as Record<string, unknown>,
    options: JSON.parse(row.options) as Record<string, unknown>,
    status: row.status as StoredRunStatus,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    lastSeq: Number(row.last_seq),
    costUsd: nanoToUsd(Number(row.cost_nano)),
    inputTokens: Number(row.input_tokens),
    outputTokens: Number(row.output_tokens),
    cancelRequested: Boolean(Number(row.cancel_requested)),
  };
  if (row.error !== null) run.error = row.error;
  return run;
}

/** The JSON columns of a new run, checked. */
export function newRunValues(run: NewStoredRun): {
  config: string;
  input: string;
  options: string;
  problem?: string;
} {
  const problem =
    typeof run.runId !== "string" || run.runId === ""
      ? "A run needs a non-empty runId."
      : typeof run.teamId !== "string"
        ? `Run "${run.runId}" needs a teamId.`
        : statusProblem(run.status);
  const values = {
    config: canonicalJson(run.config ?? null),
    input: canonicalJson(run.input ?? {}),
    options: canonicalJson(run.options ?? {}),
  };
  return problem === undefined ? values : { ...values, problem };
}

/** An event row back as a stored event. */
export function eventFromRow(row: {
  seq: number | string | bigint;
  json: string;
  hash: string;
}): StoredEvent {
  return {
    seq: Number(row.seq),
    event: JSON.parse(row.json) as StreamEventJSON,
    hash: row.hash,
  };
}

/** A decision row back as a stored decision. */
export function decisionFromRow(row: {
  approval_id: string;
  approved: number | boolean | bigint;
  reason: string | null;
  decided_at: number | string | bigint;
  answer?: string | null;
}): StoredDecision {
  const decision: StoredDecision = {
    approvalId: row.approval_id,
    approved: Boolean(Number(row.approved)),
    decidedAt: Number(row.decided_at),
  };
  if (row.reason !== null) decision.reason = row.reason;
  if (row.answer) {
    const answer = JSON.parse(row.answer) as { value?: unknown; timedOut?: boolean };
    if (answer.value !== undefined) decision.value = answer.value;
    if (answer.timedOut) decision.timedOut = true;
  }
  return decision;
}

/** The `answer` column of a decision: a human task's value or timeout as JSON, else null. */
export function answerColumn(decision: StoredDecision): string | null {
  if (decision.value === undefined && !decision.timedOut) return null;
  return JSON.stringify({
    ...(decision.value === undefined ? {} : { value: decision.value }),
    ...(decision.timedOut ? { timedOut: true } : {}),
  });
}

/** The message for a store whose schema is newer than this llmteam's. */
export function newerSchemaMessage(where: string, found: number): string {
  return `The run store ${where} has schema version ${found}, written by a newer llmteam; this llmteam reads and writes schema version ${RUN_STORE_SCHEMA_VERSION}. Upgrade llmteam to open it (or point --store / runStore at another store).`;
}

/** The message of a write to a run the store does not have. */
export function unknownRunMessage(where: string, runId: string): string {
  return `No run "${runId}" in the run store ${where}. Create it with createRun() first.`;
}

/**
 * The WHERE clause and values of a run filter, with `placeholder(n)` writing the n-th
 * parameter (`?` for SQLite, `$n` for Postgres); the limit is the last value. A problem (an
 * unknown status) comes back as a message.
 */
export function runFilterQuery(
  filter: RunFilter,
  placeholder: (position: number) => string,
): { where: string; values: unknown[] } | string {
  const conditions: string[] = [];
  const values: unknown[] = [];
  const statuses = filter.status === undefined ? [] : [filter.status].flat();
  for (const status of statuses) {
    const problem = statusProblem(status);
    if (problem) return problem;
  }
  if (statuses.length > 0) {
    const marks = statuses.map((status) => {
      values.push(status);
      return placeholder(values.length);
    });
    conditions.push(`status IN (${marks.join(", ")})`);
  }
  if (filter.teamId !== undefined) {
    values.push(filter.teamId);
    conditions.push(`team_id = ${placeholder(values.length)}`);
  }
  if (filter.since !== undefined) {
    values.push(filter.since);
    conditions.push(`created_at >= ${placeholder(values.length)}`);
  }
  values.push(Math.max(0, Math.floor(filter.limit ?? 100)));
  return {
    where: conditions.length > 0 ? `WHERE ${conditions.join(" AND ")}` : "",
    values,
  };
}
