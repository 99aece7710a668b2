import type { LanguageModelV4 } from "@ai-sdk/provider";
import type { CostTracker } from "../cost/cost-tracker.js";
import type { PricingRegistry } from "../cost/pricing-registry.js";
import type { Clock } from "../internal/clock.js";
import type { KnowledgeCatalog } from "../knowledge/knowledge-catalog.js";
import type { ModelCallMiddleware } from "../providers/model-call.js";
import type { BreakerStore } from "../resilience/breaker-store.js";
import type { BudgetStore } from "../store/budget-store.js";
import type { RunStore } from "../store/run-store.js";
import type { AnyToolDefinition } from "../tools/tool-definition.js";

/** Parts of a team that are not configuration data: model instances, clock, extra layers. */
export interface TeamRuntimeOptions {
  /** Ready AI SDK models by name, usable as `model` (e.g. `{ "test/model": scriptedModel }`). */
  models?: Record<string, LanguageModelV4>;
  /** Time source (default: the system clock). Tests pass a `FakeClock`. */
  clock?: Clock;
  /** Environment for `${VAR}` and provider keys (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** Extra layers around every model call, outermost first. */
  middleware?: ModelCallMiddleware[];
  /** Events buffered for a slow `stream()` consumer before the run pauses (default 1024). */
  streamBufferSize?: number;
  /**
   * Model for agents when neither the agent nor the team names one (the CLI uses it for its
   * default model): a name, or an AI SDK model instance.
   */
  defaultModel?: string | LanguageModelV4;
  /** Tools agents can name in `tools`, besides the built-ins. */
  tools?: AnyToolDefinition[];
  /** Prices of models (default: a registry with the bundled catalog). Register your own prices here. */
  pricing?: PricingRegistry;
  /**
   * Where period budgets (`hour`, `day`, `month`) keep their spend (default: in memory, this
   * process only). Pass a `SqliteBudgetStore` to survive restarts or a `RedisBudgetStore` to
   * share across processes.
   */
  budgetStore?: BudgetStore;
  /**
   * Where the team's runs are stored, so they survive the process (docs/durable-runs.md): a
   * store (`SqliteRunStore`, `PostgresRunStore`) or a spec, as a team file's `runStore:` (a
   * SQLite file or a `postgres://` URL, opened on first use). Every run's events, snapshots
   * and approvals; `team.resume(runId)`. Default: none (runs live in memory only, at no cost).
   */
  runStore?: RunStore | string | undefined;
  /** The tracker that counts the team's runs (default: a new one). */
  costTracker?: CostTracker;
  /** Where circuit breakers keep their state (default: in memory, this process only). */
  breakerStore?: BreakerStore;
  /**
   * Enforce the team lifecycle (default false): runs need `markConfiguring()` then
   * `markReady()`, one run at a time; configuration changes only while configuring.
   */
  enforceLifecycle?: boolean;
  /**
   * The knowledge bases `rag` and `kag` agents and the `knowledge_search` tool name (default:
   * the SQLite files of `.llmteam/kb` under the working directory).
   */
  knowledge?: KnowledgeCatalog;
}

/** The keys of {@link TeamRuntimeOptions}: what `new LLMTeam(...)` takes besides configuration data. */
export const RUNTIME_KEYS = [
  "models",
  "clock",
  "env",
  "middleware",
  "streamBufferSize",
  "defaultModel",
  "pricing",
  "budgetStore",
  "runStore",
  "costTracker",
  "tools",
  "enforceLifecycle",
  "breakerStore",
  "knowledge",
] as const;
