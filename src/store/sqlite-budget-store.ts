import type { DatabaseSync, StatementSync } from "node:sqlite";
import type {
  BudgetReleaseRequest,
  BudgetReserveRequest,
  BudgetReserveResult,
  BudgetSettleRequest,
  BudgetStore,
  BudgetUsageRequest,
  BudgetWindowUsage,
} from "./budget-store.js";

/** Options of {@link SqliteBudgetStore}. */
export interface SqliteBudgetStoreOptions {
  /** Database file; created when missing. `":memory:"` for a private in-memory database. */
  path: string;
  /** How long a writer waits for another process's lock, in ms. Default `5000`. */
  busyTimeoutMs?: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS llmteam_budget_spend (
  key TEXT NOT NULL,
  bucket_start INTEGER NOT NULL,
  spent_nano INTEGER NOT NULL,
  PRIMARY KEY (key, bucket_start)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS llmteam_budget_holds (
  key TEXT NOT NULL,
  id TEXT NOT NULL,
  amount_nano INTEGER NOT NULL,
  bucket_start INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (key, id)
) WITHOUT ROWID;
`;

/**
 * A {@link BudgetStore} in a SQLite file, through Node's built-in `node:sqlite` (no native
 * add-on). Budgets survive restarts, and processes on one machine can share the file: each
 * reservation is one `BEGIN IMMEDIATE` transaction, so two processes never both take the last
 * room. The CLI's default store. Requires Node >= 22.13 (the project runs on Node 24).
 *
 * @example
 * const store = new SqliteBudgetStore({ path: ".llmteam/budgets.db" });
 */
export class SqliteBudgetStore implements BudgetStore {
  private readonly database: DatabaseSync;
  private readonly statements: {
    begin: StatementSync;
    commit: StatementSync;
    rollback: StatementSync;
    dropExpired: StatementSync;
    pruneBuckets: StatementSync;
    windowSpend: StatementSync;
    reserved: StatementSync;
    insertHold: StatementSync;
    takeHold: StatementSync;
    addSpend: StatementSync;
  };

  constructor(options: SqliteBudgetStoreOptions) {
    // Loaded on first use, so importing llmteam never loads SQLite.
    const sqlite = process.getBuiltinModule("node:sqlite");
    this.database = new sqlite.DatabaseSync(options.path);
    this.database.exec(
      `PRAGMA busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`,
    );
    if (options.path !== ":memory:")
      this.database.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
    this.database.exec(SCHEMA);
    const prepare = (sql: string): StatementSync => this.database.prepare(sql);
    this.statements = {
      begin: prepare("BEGIN IMMEDIATE"),
      commit: prepare("COMMIT"),
      rollback: prepare("ROLLBACK"),
      dropExpired: prepare("DELETE FROM llmteam_budget_holds WHERE key = ? AND expires_at <= ?"),
      pruneBuckets: prepare("DELETE FROM llmteam_budget_spend WHERE key = ? AND bucket_start < ?"),
      windowSpend: prepare(
        "SELECT COALESCE(SUM(spent_nano), 0) AS total FROM llmteam_budget_spend WHERE key = ? AND bucket_start >= ?",
      ),
      reserved: prepare(
        "SELECT COALESCE(SUM(amount_nano), 0) AS total FROM llmteam_budget_holds WHERE key = ?",
      ),
      insertHold: prepare(
        "INSERT OR REPLACE INTO llmteam_budget_holds (key, id, amount_nano, bucket_start, expires_at) VALUES (?, ?, ?, ?, ?)",
      ),
      takeHold: prepare(
        "DELETE FROM llmteam_budget_holds WHERE key = ? AND id = ? RETURNING bucket_start",
      ),
      addSpend: prepare(
        "INSERT INTO llmteam_budget_spend (key, bucket_start, spent_nano) VALUES (?, ?, ?) " +
          "ON CONFLICT (key, bucket_start) DO UPDATE SET spent_nano = spent_nano + excluded.spent_nano",
      ),
    };
  }

  async reserve(request: BudgetReserveRequest): Promise<BudgetReserveResult> {
    return this.transaction(() => {
      const { key } = request;
      this.statements.dropExpired.run(key, request.nowMs);
      this.statements.pruneBuckets.run(key, request.windowStartMs);
      const spentNano = this.total(this.statements.windowSpend, key, request.windowStartMs);
      const reservedNano = this.total(this.statements.reserved, key);
      if (request.hardLimit && spentNano + reservedNano + request.amountNano > request.limitNano) {
        return { granted: false, spentNano, reservedNano };
      }
      this.statements.insertHold.run(
        key,
        request.reservationId,
        request.amountNano,
        request.bucketStartMs,
        request.expiresAtMs,
      );
      return { granted: true, spentNano, reservedNano };
    });
  }

  async settle(request: BudgetSettleRequest): Promise<BudgetWindowUsage> {
    return this.transaction(() => {
      const { key } = request;
      const taken = this.statements.takeHold.get(key, request.reservationId) as
        { bucket_start: number } | undefined;
      if (request.actualNano !== 0) {
        this.statements.addSpend.run(
          key,
          taken?.bucket_start ?? request.bucketStartMs,
          request.actualNano,
        );
      }
      this.statements.dropExpired.run(key, request.nowMs);
      return {
        spentNano: this.total(this.statements.windowSpend, key, request.windowStartMs),
        reservedNano: this.total(this.statements.reserved, key),
      };
    });
  }

  async release(request: BudgetReleaseRequest): Promise<void> {
    this.statements.takeHold.get(request.key, request.reservationId);
  }

  async usage(request: BudgetUsageRequest): Promise<BudgetWindowUsage> {
    return this.transaction(() => {
      this.statements.dropExpired.run(request.key, request.nowMs);
      return {
        spentNano: this.total(this.statements.windowSpend, request.key, request.windowStartMs),
        reservedNano: this.total(this.statements.reserved, request.key),
      };
    });
  }

  async close(): Promise<void> {
    if (this.database.isOpen) this.database.close();
  }

  private total(statement: StatementSync, ...parameters: (string | number)[]): number {
    const row = statement.get(...parameters) as { total: number | bigint };
    return Number(row.total);
  }

  private transaction<T>(work: () => T): T {
    this.statements.begin.run();
    try {
      const result = work();
      this.statements.commit.run();
      return result;
    } catch (error) {
      if (this.database.isTransaction) this.statements.rollback.run();
      throw error;
    }
  }
}
