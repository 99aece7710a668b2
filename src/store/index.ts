export type {
  BudgetReleaseRequest,
  BudgetReserveRequest,
  BudgetReserveResult,
  BudgetSettleRequest,
  BudgetStore,
  BudgetUsageRequest,
  BudgetWindowUsage,
} from "./budget-store.js";
export { MemoryBudgetStore } from "./memory-budget-store.js";
export { SqliteBudgetStore } from "./sqlite-budget-store.js";
export type { SqliteBudgetStoreOptions } from "./sqlite-budget-store.js";
export { DEFAULT_REDIS_COMMAND_TIMEOUT_MS, RedisBudgetStore } from "./redis-budget-store.js";
export { BudgetStoreError } from "../errors/budget-store-error.js";
export type { BudgetStoreErrorOptions } from "../errors/budget-store-error.js";
export type { RedisBudgetStoreOptions } from "./redis-budget-store.js";
export { RedisBreakerStore } from "./redis-breaker-store.js";
export type { RedisBreakerStoreOptions } from "./redis-breaker-store.js";
export { BreakerStoreError } from "../errors/breaker-store-error.js";
export type { BreakerStoreErrorOptions } from "../errors/breaker-store-error.js";
export type {
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
export { DEFAULT_RUN_STORE_PATH, SqliteRunStore } from "./sqlite-run-store.js";
export type { SqliteRunStoreOptions } from "./sqlite-run-store.js";
export { PostgresRunStore } from "./postgres-run-store.js";
export type { PostgresRunStoreOptions } from "./postgres-run-store.js";
export type {
  PostgresPool,
  PostgresPoolClient,
  PostgresQueryable,
} from "./postgres-run-store-schema.js";
export { isPostgresUrl, openRunStore } from "./open-run-store.js";
export type { OpenRunStoreOptions } from "./open-run-store.js";
export { verifyRunLog } from "./verify-run-log.js";
export { followRunEvents } from "./follow-run-events.js";
export type { FollowRunEventsOptions } from "./follow-run-events.js";
export type { RunLogVerification } from "./verify-run-log.js";
export { canonicalJson, GENESIS_HASH } from "./run-log-hash.js";
export { RUN_STORE_SCHEMA_VERSION } from "./run-store-rows.js";
export { RunStoreError } from "../errors/run-store-error.js";
export type { RunStoreErrorOptions } from "../errors/run-store-error.js";
