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
export type { LLMTeamOptions, RunInput, RunOptions, TeamRuntimeOptions } from "./team/llm-team.js";
export { RunStream } from "./team/run-stream.js";
export type { RunResult } from "./team/run-result.js";
export { teamConfigSchema } from "./team/team-config.js";
export type { TeamConfig } from "./team/team-config.js";
export { agentConfigSchema } from "./agents/agent-config.js";
export type { AgentConfig } from "./agents/agent-config.js";
export type { AgentResult } from "./agents/agent-result.js";
export { EmptyAnswerError } from "./errors/empty-answer-error.js";
export { ModelRegistry } from "./providers/model-registry.js";
export type { ModelRegistryOptions } from "./providers/model-registry.js";
export type { ProviderConfig } from "./providers/provider-config.js";
export { loadTeam, parseTeamText, readTeamFile } from "./team/load-team.js";
