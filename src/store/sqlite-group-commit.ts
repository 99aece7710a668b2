import type { DatabaseSync, StatementSync } from "node:sqlite";

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
 * transaction holding it is committed. A lone commit waits one event-loop turn, no more, and
 * needs no savepoint (its transaction is rolled back instead).
 */
export class SqliteGroupCommit {
  private queue: Pending[] = [];
  private readonly sql: Record<
    "begin" | "commit" | "rollback" | "savepoint" | "release" | "rollbackTo",
    StatementSync
  >;

  constructor(
    private readonly database: DatabaseSync,
    /** Turns a database failure into the store's error. */
    private readonly fail: (error: unknown) => unknown,
  ) {
    const prepare = (sql: string) => database.prepare(sql);
    this.sql = {
      begin: prepare("BEGIN IMMEDIATE"),
      commit: prepare("COMMIT"),
      rollback: prepare("ROLLBACK"),
      savepoint: prepare("SAVEPOINT llmteam_commit"),
      release: prepare("RELEASE llmteam_commit"),
      rollbackTo: prepare("ROLLBACK TO llmteam_commit"),
    };
  }

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
    if (batch.length === 1) return this.flushOne(batch[0]!);
    const outcomes: ({ value: unknown } | { error: unknown })[] = [];
    try {
      this.sql.begin.run();
      for (const pending of batch) outcomes.push(this.inSavepoint(pending.work));
      this.sql.commit.run();
    } catch (error) {
      if (this.database.isOpen && this.database.isTransaction) this.sql.rollback.run();
      for (const pending of batch) pending.reject(this.fail(error));
      return;
    }
    batch.forEach((pending, index) => {
      const outcome = outcomes[index]!;
      if ("error" in outcome) pending.reject(outcome.error);
      else pending.resolve(outcome.value);
    });
  }

  /** A lone commit: its own transaction, rolled back when it fails. */
  private flushOne(pending: Pending): void {
    let value: unknown;
    try {
      this.sql.begin.run();
      value = pending.work();
      this.sql.commit.run();
    } catch (error) {
      if (this.database.isOpen && this.database.isTransaction) this.sql.rollback.run();
      pending.reject(this.fail(error));
      return;
    }
    pending.resolve(value);
  }

  private inSavepoint(work: () => unknown): { value: unknown } | { error: unknown } {
    this.sql.savepoint.run();
    try {
      const value = work();
      this.sql.release.run();
      return { value };
    } catch (error) {
      this.sql.rollbackTo.run();
      this.sql.release.run();
      return { error };
    }
  }
}
