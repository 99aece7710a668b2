import { RunStoreError } from "../../src/errors/run-store-error.js";
import type {
  NewStoredRun,
  RunCommit,
  RunCommitResult,
  RunFilter,
  RunStore,
  StoredDecision,
  StoredEvent,
  StoredRun,
  StoredRunStatus,
  StoredSnapshot,
} from "../../src/store/run-store.js";

interface Entry {
  run: StoredRun;
  events: StoredEvent[];
  snapshot: StoredSnapshot | undefined;
  decisions: StoredDecision[];
}

/**
 * A run store in memory, for engine tests that need to look inside or copy a store at a given
 * moment (`copy()` is a "crash": what was stored then, without what the process still held).
 * The product's stores are SQLite and Postgres; their contract suite covers them.
 */
export class MemoryRunStore implements RunStore {
  readonly runs = new Map<string, Entry>();
  /** Every commit, in order: for assertions on durability points. */
  readonly commits: { runId: string; events: number; status: StoredRunStatus | undefined }[] = [];
  /** Makes the next commits fail (a store that went away). */
  failing = false;

  copy(): MemoryRunStore {
    const copy = new MemoryRunStore();
    for (const [runId, entry] of this.runs) copy.runs.set(runId, structuredClone(entry));
    return copy;
  }

  createRun(run: NewStoredRun): Promise<void> {
    if (this.failing) return Promise.reject(storeDown());
    if (this.runs.has(run.runId)) return Promise.reject(new Error(`run ${run.runId} exists`));
    this.runs.set(run.runId, {
      run: {
        ...structuredClone(run),
        updatedAt: run.createdAt,
        lastSeq: 0,
        costUsd: 0,
        inputTokens: 0,
        outputTokens: 0,
        cancelRequested: false,
      },
      events: [],
      snapshot: undefined,
      decisions: [],
    });
    return Promise.resolve();
  }

  commit(runId: string, commit: RunCommit): Promise<RunCommitResult> {
    if (this.failing) return Promise.reject(storeDown());
    const entry = this.entry(runId);
    let seq = entry.run.lastSeq;
    for (const event of commit.events) {
      if (event.seq !== ++seq)
        return Promise.reject(new Error(`gap: ${event.seq} after ${seq - 1}`));
    }
    for (const event of commit.events)
      entry.events.push({ seq: event.seq, event: structuredClone(event), hash: "" });
    entry.run.lastSeq = seq;
    if (commit.snapshot) entry.snapshot = structuredClone(commit.snapshot);
    if (commit.status) entry.run.status = commit.status;
    if (commit.error !== undefined) entry.run.error = commit.error;
    entry.run.updatedAt = commit.now;
    this.commits.push({ runId, events: commit.events.length, status: commit.status });
    return Promise.resolve({ cancelRequested: entry.run.cancelRequested });
  }

  getRun(runId: string): Promise<StoredRun | undefined> {
    return Promise.resolve(structuredClone(this.runs.get(runId)?.run));
  }

  listRuns(filter: RunFilter = {}): Promise<StoredRun[]> {
    const statuses =
      filter.status === undefined
        ? undefined
        : Array.isArray(filter.status)
          ? filter.status
          : [filter.status];
    const runs = [...this.runs.values()]
      .map((entry) => entry.run)
      .filter((run) => !statuses || statuses.includes(run.status))
      .filter((run) => filter.teamId === undefined || run.teamId === filter.teamId)
      .reverse();
    return Promise.resolve(structuredClone(runs.slice(0, filter.limit ?? 100)));
  }

  readEvents(runId: string, options: { afterSeq?: number } = {}): Promise<StoredEvent[]> {
    const events = this.runs.get(runId)?.events ?? [];
    return Promise.resolve(structuredClone(events.filter((e) => e.seq > (options.afterSeq ?? 0))));
  }

  readSnapshot(runId: string): Promise<StoredSnapshot | undefined> {
    return Promise.resolve(structuredClone(this.runs.get(runId)?.snapshot));
  }

  recordDecision(runId: string, decision: StoredDecision): Promise<boolean> {
    if (this.failing) return Promise.reject(storeDown());
    const entry = this.entry(runId);
    if (entry.decisions.some((d) => d.approvalId === decision.approvalId))
      return Promise.resolve(false);
    entry.decisions.push(structuredClone(decision));
    return Promise.resolve(true);
  }

  readDecisions(runId: string): Promise<StoredDecision[]> {
    return Promise.resolve(structuredClone(this.runs.get(runId)?.decisions ?? []));
  }

  requestCancel(runId: string): Promise<boolean> {
    const entry = this.runs.get(runId);
    if (!entry) return Promise.resolve(false);
    entry.run.cancelRequested = true;
    return Promise.resolve(true);
  }

  setStatus(runId: string, status: StoredRunStatus, now: number, error?: string): Promise<void> {
    const entry = this.entry(runId);
    entry.run.status = status;
    entry.run.updatedAt = now;
    if (error !== undefined) entry.run.error = error;
    return Promise.resolve();
  }

  deleteRuns(): Promise<number> {
    return Promise.resolve(0);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private entry(runId: string): Entry {
    const entry = this.runs.get(runId);
    if (!entry) throw new Error(`unknown run ${runId}`);
    return entry;
  }
}

function storeDown(): Error {
  return new RunStoreError("run store unavailable", { operation: "commit" });
}
