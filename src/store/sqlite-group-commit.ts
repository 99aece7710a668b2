import type { DatabaseSync, StatementSync } from "node:sqlite";

type Outcome = { value: unknown } | { error: unknown };

interface Pending {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Writes many commits in one SQLite transaction: commits submitted while the process is busy
 * (e.g. 1,000 concurrent runs reaching a step boundary in the same turn of the event loop) are
 * written together at the next `setImmediate`. When one of them fails (a gap in `seq`), the
 * transaction is rolled back and the batch written again with each commit in its own
 * savepoint, so that the failed commit alone is left out. A commit's promise settles once the
 * transaction holding it is committed. A lone commit waits one event-loop turn, no more.
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
    /** Told when a whole transaction was rolled back (what its commits wrote is gone). */
    private readonly rolledBack: () => void = () => undefined,
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
    const outcomes = this.write(batch, false) ?? this.write(batch, true)!;
    batch.forEach((pending, index) => {
      const outcome = outcomes[index]!;
      if ("error" in outcome) pending.reject(outcome.error);
      else pending.resolve(outcome.value);
    });
  }

  /**
   * Does the batch's work in one transaction and commits it. Without savepoints, a commit that
   * fails rolls back the whole transaction: undefined, to write the batch again with a savepoint
   * around each commit (a lone commit just fails). A transaction that cannot begin or commit
   * fails every commit of the batch.
   */
  private write(batch: readonly Pending[], savepoints: boolean): Outcome[] | undefined {
    const outcomes: Outcome[] = [];
    try {
      this.sql.begin.run();
      for (const pending of batch) {
        if (savepoints) {
          outcomes.push(this.inSavepoint(pending.work));
          continue;
        }
        try {
          outcomes.push({ value: pending.work() });
        } catch (error) {
          this.rollback();
          return batch.length > 1 ? undefined : [{ error: this.fail(error) }];
        }
      }
      this.sql.commit.run();
      return outcomes;
    } catch (error) {
      this.rollback();
      const failure = { error: this.fail(error) };
      return batch.map(() => failure);
    }
  }

  private rollback(): void {
    if (this.database.isOpen && this.database.isTransaction) this.sql.rollback.run();
    this.rolledBack();
  }

  private inSavepoint(work: () => unknown): Outcome {
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
