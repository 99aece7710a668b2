export { LLMTeamError } from "./errors/llmteam-error.js";
export type { LLMTeamErrorOptions } from "./errors/llmteam-error.js";
export { ConfigError, formatConfigIssue } from "./errors/config-error.js";
export type { ConfigIssue } from "./errors/config-error.js";
export { ProviderError } from "./errors/provider-error.js";
export type { ProviderErrorOptions } from "./errors/provider-error.js";
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
export type { AgentEstimate, CountRange } from "./team/estimate-agent.js";
export type { EstimateOptions, TeamEstimate } from "./team/estimate-team.js";
export { buildTeam } from "./team/builder/build-team.js";
export type { BuildTeamOptions, BuildTeamResult } from "./team/builder/build-team.js";
export { TeamBuildError } from "./errors/team-build-error.js";
export { RunReport, RunStream } from "./run/index.js";
export type {
  RunInput,
  RunOptions,
  RunReportAgent,
  RunReportData,
  RunReportDecision,
  RunReportEscalation,
  RunResult,
  RunResultFields,
} from "./run/index.js";
export type { TypedTeamOptions, ZodOutputAgent } from "./team/team-output.js";
export { teamConfigSchema } from "./team/team-config.js";
export type { TeamConfig } from "./team/team-config.js";
export { agentConfigSchema } from "./agents/agent-config.js";
export type { AgentConfig } from "./agents/agent-config.js";
export { STEP_DEFAULTS } from "./agents/step-config.js";
export type {
  HttpStepConfig,
  HumanStepConfig,
  HumanTimeoutAction,
  StepType,
  SwitchStepConfig,
  TransformStepConfig,
} from "./agents/step-config.js";
export type { HumanStepOutput } from "./flows/steps/human-step.js";
export { WorkflowStepError } from "./errors/workflow-step-error.js";
export { EscalationError, type EscalationFailure } from "./errors/escalation-error.js";
export {
  DEFAULT_MAX_ESCALATION_DEPTH,
  ESCALATION_ACTIONS,
  type EscalationAction,
  type EscalationHumanSettings,
  type EscalationPolicy,
  type EscalationPolicyInput,
} from "./agents/escalation-config.js";
export type { WorkflowStepFailure } from "./errors/workflow-step-error.js";
export type { AgentResult, AgentResultDetails } from "./agents/agent-result.js";
export { EmptyAnswerError } from "./errors/empty-answer-error.js";
export { ModelRegistry } from "./providers/model-registry.js";
export type { ModelRegistryOptions } from "./providers/model-registry.js";
export type { ProviderConfig } from "./providers/provider-config.js";
export { createLocalModel } from "./providers/local/local-model.js";
export type { LocalModelOptions } from "./providers/local/local-model.js";
export { createLocalEmbeddingModel } from "./providers/local/local-embedding-model.js";
export type { LocalEmbeddingModelOptions } from "./providers/local/local-embedding-model.js";
export { demoModelPath } from "./providers/local/demo-model-path.js";
export { loadTeam, parseTeamText, readTeamFile } from "./team/load-team.js";
export {
  BUILTIN_TOOL_NAMES,
  ParamType,
  ToolDefinition,
  ToolExecutor,
  ToolParameter,
  ToolRegistry,
  builtinTools,
  runToolLoop,
  tool,
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
  KnowledgeSearchToolOptions,
  KnowledgeSearchToolResult,
} from "./tools/index.js";
export { ToolExecutionError } from "./errors/tool-execution-error.js";
export { McpServerError } from "./errors/mcp-server-error.js";
export type { McpServerErrorOptions, McpServerFailureReason } from "./errors/mcp-server-error.js";
export { McpServers } from "./tools/mcp/mcp-servers.js";
export type { McpConnection } from "./tools/mcp/mcp-connection.js";
export {
  DEFAULT_MCP_STARTUP_TIMEOUT_MS,
  mcpServerConfigSchema,
} from "./tools/mcp/mcp-server-config.js";
export type { McpServerConfig, McpToolReference } from "./tools/mcp/mcp-server-config.js";
export type { ToolSource } from "./tools/tool-source.js";
export type { AgentToolInfo, AgentTools } from "./team/team-tools.js";
export { createTeamMcpServer, teamTools } from "./cli/team-mcp-server.js";
export { configureTelemetry } from "./telemetry/telemetry-settings.js";
export type { TelemetryOptions } from "./telemetry/telemetry-settings.js";
export type { TeamTool } from "./cli/team-mcp-server.js";
export { LifecycleError } from "./errors/lifecycle-error.js";
export { ApprovalRejectedError } from "./errors/approval-rejected-error.js";
export {
  DEFAULT_CIRCUIT_BREAKER_POLICY,
  DEFAULT_RETRY_POLICY,
  MemoryBreakerStore,
  circuitBreakerSchema,
  createCircuitBreakerMiddleware,
  createFallbackMiddleware,
  createResiliencePipeline,
  createRetryMiddleware,
  createTimeoutMiddleware,
  getRetryMetrics,
  isRetryableError,
  parseRetryAfter,
  resolveCircuitBreakerPolicy,
  resolveRetryPolicy,
  retryPolicySchema,
  shouldEscalate,
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
  DEFAULT_RESERVE_OUTPUT_TOKENS,
  ModelPricing,
  PRICE_CATALOG,
  PricingRegistry,
  checkBudgetPricing,
  createCostLayer,
  createCostMiddleware,
} from "./cost/index.js";
export type {
  BudgetAlert,
  BudgetAlertCallback,
  BudgetConfig,
  BudgetExceededErrorOptions,
  BudgetObservation,
  BudgetOptions,
  BudgetRemaining,
  BudgetStatusReport,
  CostMiddlewareOptions,
  CostTrackerOptions,
  MeteredCall,
  UsageMeter,
  ModelPriceConfig,
  ModelPricingOptions,
  PriceLookup,
  PricedUsage,
  PricingConfig,
  PricingRegistryOptions,
  RecordUsageOptions,
  RunBudgetReport,
  RunCost,
  UsageInput,
  UsageRecord,
} from "./cost/index.js";
export {
  BreakerStoreError,
  BudgetStoreError,
  DEFAULT_REDIS_COMMAND_TIMEOUT_MS,
  MemoryBudgetStore,
  RedisBreakerStore,
  RedisBudgetStore,
  SqliteBudgetStore,
  DEFAULT_RUN_STORE_PATH,
  PostgresRunStore,
  RUN_STORE_SCHEMA_VERSION,
  RunStoreError,
  SqliteRunStore,
  isPostgresUrl,
  openRunStore,
  verifyRunLog,
  followRunEvents,
} from "./store/index.js";
export type {
  BreakerStoreErrorOptions,
  BudgetStoreErrorOptions,
  BudgetReleaseRequest,
  BudgetReserveRequest,
  BudgetReserveResult,
  BudgetSettleRequest,
  BudgetStore,
  BudgetUsageRequest,
  BudgetWindowUsage,
  RedisBreakerStoreOptions,
  RedisBudgetStoreOptions,
  SqliteBudgetStoreOptions,
  NewStoredRun,
  OpenRunStoreOptions,
  PostgresPool,
  PostgresPoolClient,
  PostgresQueryable,
  PostgresRunStoreOptions,
  RunCommit,
  RunCommitResult,
  RunFilter,
  RunLogVerification,
  FollowRunEventsOptions,
  RunStore,
  RunStoreErrorOptions,
  SqliteRunStoreOptions,
  StoredDecision,
  StoredEvent,
  StoredRun,
  StoredRunStatus,
  StoredSnapshot,
} from "./store/index.js";
export {
  ConfigurationProposal,
  ConfiguratorSession,
  ProposalStatus,
  RUN_SNAPSHOT_VERSION,
  RunHandle,
  TeamLifecycle,
  TeamState,
  VALID_TRANSITIONS,
  diffConfigs,
  formatConfigDiff,
  parseRunSnapshot,
  updateTeamDocument,
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
  RunSnapshot,
  RunState,
} from "./team/lifecycle/index.js";
export {
  GroupOrchestrator,
  GroupStream,
  LLMGroup,
  groupConfigSchema,
  loadGroup,
  loadTeamOrGroup,
  parseGroupText,
  readGroupFile,
} from "./groups/index.js";
export type {
  GroupConfig,
  GroupResult,
  GroupRole,
  GroupTeamEntry,
  GroupTeamError,
  LLMGroupOptions,
  TeamRole,
} from "./groups/index.js";
export type {
  ConditionConfig,
  FlowConfig,
  FlowEdgeConfig,
  StructuredCondition,
} from "./flows/index.js";
export {
  ORCHESTRATOR_ID,
  TerminationCondition,
  agentCalled,
  maxIterations,
  terminateAfterMs,
  terminateAtCostUsd,
  textMention,
} from "./router/index.js";
export type { OrchestratorConfig, TerminationConfig, TerminationState } from "./router/index.js";
export { GroupTeamFailedError } from "./errors/group-team-failed-error.js";
export { OutputValidationError } from "./errors/output-validation-error.js";
export { RouterDecisionError } from "./errors/router-decision-error.js";
export { RunTimeoutError } from "./errors/run-timeout-error.js";
export type { JsonSchema } from "./agents/structured-output.js";
export {
  CHUNK_DEFAULTS,
  DEFAULT_ENTITY_TYPES,
  DEFAULT_KNOWLEDGE_DIRECTORY,
  DEFAULT_MAX_FILE_BYTES,
  KnowledgeBase,
  KnowledgeCatalog,
  PostgresKnowledgeStore,
  RRF_K,
  SqliteKnowledgeStore,
  connectPostgresKnowledgeCatalog,
  embedderOf,
  embeddingModelFromName,
  formatContext,
  fuse,
  graphExtractorOf,
  ingest,
} from "./knowledge/index.js";
export type {
  ChunkHit,
  ChunkOptions,
  Citation,
  DocumentFormat,
  DocumentGraph,
  DocumentInfo,
  Embedder,
  EmbedderOptions,
  EmbeddingBatch,
  FormatOptions,
  GraphEntity,
  GraphExtractor,
  GraphExtractorOptions,
  GraphFact,
  GraphRelation,
  IngestIntoOptions,
  IngestOptions,
  IngestProgress,
  IngestSummary,
  KnowledgeBaseOptions,
  KnowledgeCatalogOptions,
  KnowledgeFilters,
  KnowledgeGraphOptions,
  KnowledgeSearchOptions,
  KnowledgeSearchResult,
  KnowledgeStats,
  KnowledgeStore,
  Passage,
  PostgresKnowledgeCatalogOptions,
  PostgresKnowledgeStoreOptions,
  RetrievalMode,
  SkippedFile,
  SqliteKnowledgeStoreOptions,
  StoreSearchOptions,
  StoredChunk,
  StoredDocument,
} from "./knowledge/index.js";
export { KnowledgeError } from "./errors/knowledge-error.js";
