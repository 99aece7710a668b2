import type { DatabaseSync } from "node:sqlite";

interface Pending {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Writes many commits in one SQLite transaction: commits submitted while the process is busy
 * (e.g. 1,000 concurrent runs reaching a step boundary in the same turn of the event loop) are
 * written together at the next `setImmediate`, each inside its own savepoint, so one commit's
 * failure (a gap in `seq`) rolls back that commit only. A commit's promise settles once the
 * transaction holding it is committed. A lone commit waits one event-loop turn, no more.
 */
export class SqliteGroupCommit {
  private queue: Pending[] = [];

  constructor(
    private readonly database: DatabaseSync,
    /** Turns a database failure into the store's error. */
    private readonly fail: (error: unknown) => unknown,
  ) {}

  /** Writes the commits still queued now (before the store closes). */
  drain(): void {
    if (this.queue.length > 0 && this.database.isOpen) this.flush();
  }

  submit<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (this.queue.length === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    const outcomes: ({ value: unknown } | { error: unknown })[] = [];
    try {
      this.database.exec("BEGIN IMMEDIATE");
      for (const pending of batch) outcomes.push(this.inSavepoint(pending.work));
      this.database.exec("COMMIT");
    } catch (error) {
      if (this.database.isOpen && this.database.isTransaction) this.database.exec("ROLLBACK");
      for (const pending of batch) pending.reject(this.fail(error));
      return;
    }
    batch.forEach((pending, index) => {
      const outcome = outcomes[index]!;
      if ("error" in outcome) pending.reject(outcome.error);
      else pending.resolve(outcome.value);
    });
  }

  private inSavepoint(work: () => unknown): { value: unknown } | { error: unknown } {
    this.database.exec("SAVEPOINT llmteam_commit");
    try {
      const value = work();
      this.database.exec("RELEASE llmteam_commit");
      return { value };
    } catch (error) {
      this.database.exec("ROLLBACK TO llmteam_commit");
      this.database.exec("RELEASE llmteam_commit");
      return { error };
    }
  }
}
