import { openRunStore } from "./open-run-store.js";
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
} from "./run-store.js";

/**
 * The run store a spec names (a team file's `runStore:`), opened on first use: a team built
 * synchronously (`LLMTeam.fromConfig`) can name a store that takes a connection to open.
 * An opening that fails is tried again by the next call.
 */
export class LazyRunStore implements RunStore {
  private opened: Promise<RunStore> | undefined;

  constructor(readonly spec: string) {}

  private store(): Promise<RunStore> {
    this.opened ??= openRunStore(this.spec).catch((error: unknown) => {
      this.opened = undefined;
      throw error;
    });
    return this.opened;
  }

  async createRun(run: NewStoredRun): Promise<void> {
    return (await this.store()).createRun(run);
  }
  async commit(runId: string, commit: RunCommit): Promise<RunCommitResult> {
    return (await this.store()).commit(runId, commit);
  }
  async getRun(runId: string): Promise<StoredRun | undefined> {
    return (await this.store()).getRun(runId);
  }
  async listRuns(filter?: RunFilter): Promise<StoredRun[]> {
    return (await this.store()).listRuns(filter);
  }
  async readEvents(
    runId: string,
    options?: { afterSeq?: number | undefined; limit?: number | undefined },
  ): Promise<StoredEvent[]> {
    return (await this.store()).readEvents(runId, options);
  }
  async readSnapshot(runId: string): Promise<StoredSnapshot | undefined> {
    return (await this.store()).readSnapshot(runId);
  }
  async recordDecision(runId: string, decision: StoredDecision): Promise<boolean> {
    return (await this.store()).recordDecision(runId, decision);
  }
  async readDecisions(runId: string): Promise<StoredDecision[]> {
    return (await this.store()).readDecisions(runId);
  }
  async requestCancel(runId: string, now: number): Promise<boolean> {
    return (await this.store()).requestCancel(runId, now);
  }
  async setStatus(
    runId: string,
    status: StoredRunStatus,
    now: number,
    error?: string,
  ): Promise<void> {
    return (await this.store()).setStatus(runId, status, now, error);
  }
  async deleteRuns(options: { before: number }): Promise<number> {
    return (await this.store()).deleteRuns(options);
  }
  /** Closes the store if it was opened. */
  async close(): Promise<void> {
    const opened = this.opened;
    this.opened = undefined;
    if (opened) await (await opened).close();
  }
}

/** The store `runStore` names: a store as it is, a spec opened on first use, or none. */
export function openedRunStore(runStore: RunStore | string | undefined): RunStore | undefined {
  return typeof runStore === "string" ? new LazyRunStore(runStore) : runStore;
}
