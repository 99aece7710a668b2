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
