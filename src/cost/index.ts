export { ModelPricing } from "./model-pricing.js";
export type { ModelPricingOptions, ModelPricingTierOptions, PricedUsage } from "./model-pricing.js";
export { PricingRegistry, PRICE_CATALOG } from "./pricing-registry.js";
export type { PriceLookup, PriceMatchKind, PricingRegistryOptions } from "./pricing-registry.js";
export { CostTracker } from "./cost-tracker.js";
export type {
  CostTrackerOptions,
  RecordUsageOptions,
  RunCost,
  UsageInput,
  UsageRecord,
} from "./cost-tracker.js";
export { Budget, BudgetPeriod, BudgetWindow } from "./budget.js";
export type { BudgetOptions } from "./budget.js";
export { BudgetManager, BudgetStatus } from "./budget-manager.js";
export type { BudgetAlert, BudgetAlertCallback, BudgetObservation } from "./budget-manager.js";
export {
  createCostLayer,
  createCostMiddleware,
  DEFAULT_RESERVATION_TTL_MS,
  DEFAULT_RESERVE_OUTPUT_TOKENS,
} from "./cost-middleware.js";
export type { CostMiddlewareOptions } from "./cost-middleware.js";
export { usageMeterOf } from "./usage-meter.js";
export type { MeteredCall, UsageMeter } from "./usage-meter.js";
export { checkBudgetPricing, getBudgetRemaining, getBudgetStatus } from "./budget-status.js";
export type {
  BudgetPricingCheckOptions,
  BudgetRemaining,
  BudgetRemainingOptions,
  RunBudgetReport,
  BudgetStatusOptions,
  BudgetStatusReport,
} from "./budget-status.js";
export { estimateInputTokens, FILE_PART_TOKENS } from "./estimate-input-tokens.js";
export { tokenCounterFor, tokenizerOf } from "./token-counter.js";
export type { TokenCount, TokenCounter } from "./token-counter.js";
export { BudgetExceededError } from "../errors/budget-exceeded-error.js";
export type { BudgetExceededErrorOptions } from "../errors/budget-exceeded-error.js";
export { budgetConfigSchema } from "./budget-schema.js";
export type { BudgetConfig } from "./budget-schema.js";
export { pricingConfigSchema } from "./pricing-schema.js";
export type { PricingConfig } from "./pricing-schema.js";
export { modelPriceSchema } from "../config/price-schema.js";
export type { ModelPriceConfig } from "../config/price-schema.js";
