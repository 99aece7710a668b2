export { LLMTeamError } from "./errors/llmteam-error.js";
export type { LLMTeamErrorOptions } from "./errors/llmteam-error.js";
export { ConfigError, formatConfigIssue } from "./errors/config-error.js";
export type { ConfigIssue } from "./errors/config-error.js";
export { ProviderError } from "./errors/provider-error.js";
export type { ProviderErrorOptions } from "./errors/provider-error.js";
export { isAbortError } from "./errors/abort.js";
export { systemClock } from "./internal/clock.js";
export type { Clock } from "./internal/clock.js";
export { StreamEventType } from "./events/stream-event-type.js";
export type {
  ErrorInfo,
  RunStatus,
  StreamEvent,
  StreamEventBase,
  StreamEventDataMap,
  StreamEventJSON,
  StreamEventOf,
} from "./events/stream-event.js";
export { eventFromJSON } from "./events/create-event.js";
export { encodeSSE, toSSEStream } from "./events/sse.js";
export type { EventSink } from "./events/event-sink.js";
export type { Usage } from "./events/usage.js";
export type {
  CallContext,
  ModelCall,
  ModelCallMiddleware,
  ModelRequest,
  ModelResponse,
  ModelToolCall,
  ResolvedModel,
} from "./providers/model-call.js";
export { LLMTeam } from "./team/llm-team.js";
export type { LLMTeamOptions } from "./team/llm-team-options.js";
export type { TeamRuntimeOptions } from "./team/team-runtime-options.js";
export type { RunInput, RunOptions } from "./run/run-input.js";
export { RunStream } from "./run/run-stream.js";
export type { RunResult, RunResultFields } from "./run/run-result.js";
export type { TypedTeamOptions, ZodOutputAgent } from "./team/team-output.js";
export { teamConfigSchema } from "./team/team-config.js";
export type { TeamConfig } from "./team/team-config.js";
export { agentConfigSchema } from "./agents/agent-config.js";
export type { AgentConfig } from "./agents/agent-config.js";
export type { AgentResult, AgentResultDetails } from "./agents/agent-result.js";
export { EmptyAnswerError } from "./errors/empty-answer-error.js";
export { ModelRegistry } from "./providers/model-registry.js";
export type { ModelRegistryOptions } from "./providers/model-registry.js";
export type { ProviderConfig } from "./providers/provider-config.js";
export { createLocalModel, LOCAL_MODEL_DEFAULTS } from "./providers/local/local-model.js";
export type { LocalModelOptions } from "./providers/local/local-model.js";
export { demoModelPath, DEMO_MODEL_FILE } from "./providers/local/demo-model-path.js";
export { loadTeam, parseTeamText, readTeamFile } from "./team/load-team.js";
export {
  BUILTIN_TOOL_NAMES,
  DEFAULT_MAX_TOOL_ROUNDS,
  ParamType,
  ToolDefinition,
  ToolExecutor,
  ToolParameter,
  ToolRegistry,
  builtinTools,
  runToolLoop,
  tool,
  toolLoopDetails,
} from "./tools/index.js";
export type {
  AnyToolDefinition,
  BuiltinToolName,
  FunctionToolSchema,
  ToolApprovalDecision,
  ToolApprovalRequest,
  ToolApprover,
  ToolCallRecord,
  ToolContext,
  ToolDefinitionOptions,
  ToolExecuteOptions,
  ToolExecutorOptions,
  ToolHandler,
  ToolLoopOptions,
  ToolLoopResult,
  ToolOptions,
  ToolParameterOptions,
  ToolRegistryOptions,
  ToolResult,
} from "./tools/index.js";
export { ToolExecutionError } from "./errors/tool-execution-error.js";
export {
  DEFAULT_CIRCUIT_BREAKER_POLICY,
  DEFAULT_RETRY_POLICY,
  MemoryBreakerStore,
  backoffDelayMs,
  circuitBreakerKey,
  circuitBreakerSchema,
  createCircuitBreakerMiddleware,
  createFallbackMiddleware,
  createResiliencePipeline,
  createRetryMiddleware,
  createTimeoutMiddleware,
  getRetryMetrics,
  isRetryableError,
  isRetryableStatus,
  parseRetryAfter,
  resolveCircuitBreakerPolicy,
  resolveRetryPolicy,
  retryPolicySchema,
  shouldEscalate,
  shouldFallBack,
  CircuitOpenError,
  RetryError,
  ModelTimeoutError,
} from "./resilience/index.js";
export type {
  AttemptErrorInfo,
  BreakerState,
  BreakerStore,
  BreakerUpdate,
  CircuitBreakerOptions,
  CircuitBreakerPolicy,
  CircuitBreakerScope,
  CircuitState,
  CircuitStateChange,
  ResiliencePipelineOptions,
  RetryBackoff,
  RetryInfo,
  RetryMetrics,
  RetryPolicy,
  RetryPolicyOptions,
  StreamProgress,
} from "./resilience/index.js";
export {
  Budget,
  BudgetExceededError,
  BudgetManager,
  BudgetPeriod,
  BudgetStatus,
  BudgetWindow,
  CostTracker,
  DEFAULT_RESERVATION_TTL_MS,
  DEFAULT_RESERVE_OUTPUT_TOKENS,
  ModelPricing,
  PRICE_CATALOG,
  PricingRegistry,
  budgetConfigSchema,
  checkBudgetPricing,
  createCostMiddleware,
  estimateInputTokens,
  getBudgetStatus,
  modelPriceSchema,
  pricingConfigSchema,
} from "./cost/index.js";
export type {
  BudgetAlert,
  BudgetAlertCallback,
  BudgetConfig,
  BudgetExceededErrorOptions,
  BudgetObservation,
  BudgetOptions,
  BudgetStatusReport,
  CostMiddlewareOptions,
  CostTrackerOptions,
  ModelPriceConfig,
  ModelPricingOptions,
  PriceLookup,
  PricedUsage,
  PricingConfig,
  PricingRegistryOptions,
  RecordUsageOptions,
  RunCost,
  UsageInput,
  UsageRecord,
} from "./cost/index.js";
export {
  BudgetStoreError,
  DEFAULT_REDIS_COMMAND_TIMEOUT_MS,
  MemoryBudgetStore,
  RedisBudgetStore,
  SqliteBudgetStore,
} from "./store/index.js";
export type {
  BudgetStoreErrorOptions,
  BudgetReleaseRequest,
  BudgetReserveRequest,
  BudgetReserveResult,
  BudgetSettleRequest,
  BudgetStore,
  BudgetUsageRequest,
  BudgetWindowUsage,
  RedisBudgetStoreOptions,
  SqliteBudgetStoreOptions,
} from "./store/index.js";
export {
  ApprovalRejectedError,
  ConfigurationProposal,
  ConfiguratorSession,
  LifecycleError,
  ProposalStatus,
  RUN_SNAPSHOT_VERSION,
  RunHandle,
  TeamLifecycle,
  TeamState,
  VALID_TRANSITIONS,
  applyConfigChanges,
  canTransition,
  configChangeSchema,
  configuratorReplySchema,
  diffConfigs,
  formatConfigDiff,
  parseConfigChanges,
  parseRunSnapshot,
  updateTeamDocument,
  validateTeamConfig,
} from "./team/lifecycle/index.js";
export type {
  ApprovalRequest,
  ConfigChange,
  ConfigDiff,
  ConfigDiffEntry,
  ConfigVersion,
  ConfigurationProposalOptions,
  ConfiguratorReply,
  ConfigureOptions,
  LifecycleTransition,
  RunSnapshot,
  RunState,
  TeamLifecycleOptions,
  ToolApprovalFunction,
} from "./team/lifecycle/index.js";
export {
  GROUP_ROLES,
  GroupOrchestrator,
  GroupStream,
  GroupTeamFailedError,
  INVALID_DECISION_RULES,
  LLMGroup,
  ORCHESTRATOR_DEFAULTS,
  ORCHESTRATOR_ID,
  OutputValidationError,
  RouterDecisionError,
  RunReport,
  RunTimeoutError,
  SYNTHESIS,
  TEAM_ROLES,
  TerminationCondition,
  agentCalled,
  flowEdgeSchema,
  flowGraphSchema,
  flowSchema,
  groupConfigSchema,
  groupTeamSchema,
  loadGroup,
  loadTeamOrGroup,
  terminateAtCostUsd,
  maxIterations,
  orchestratorSchema,
  parseGroupText,
  readGroupFile,
  textMention,
  terminateAfterMs,
} from "./groups/index.js";
export type {
  ConditionConfig,
  FlowConfig,
  FlowEdgeConfig,
  GroupConfig,
  GroupResult,
  GroupRole,
  GroupTeamEntry,
  GroupTeamError,
  JsonSchema,
  LLMGroupOptions,
  OrchestratorConfig,
  RunReportAgent,
  RunReportData,
  RunReportDecision,
  StructuredCondition,
  TeamRole,
  TerminationConfig,
  TerminationState,
} from "./groups/index.js";
