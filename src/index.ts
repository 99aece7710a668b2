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
