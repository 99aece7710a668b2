export { ParamType } from "./param-type.js";
export { ToolParameter } from "./tool-parameter.js";
export type {
  ParameterTypeSpec,
  ParameterValidationResult,
  ToolParameterOptions,
} from "./tool-parameter.js";
export { ToolDefinition } from "./tool-definition.js";
export type {
  AnyToolDefinition,
  ArgumentsParseResult,
  FunctionToolSchema,
  ToolApprovalRule,
  ToolDefinitionOptions,
  ToolHandlerFunction,
} from "./tool-definition.js";
export { tool } from "./tool.js";
export type { ToolOptions } from "./tool.js";
export type {
  InferToolInput,
  SchemaIssue,
  SchemaValidationResult,
  ToolInputSchema,
} from "./tool-input-schema.js";
export type { ToolContext, ToolHandler, ToolHistoryEntry, ToolResult } from "./tool-result.js";
export type { ToolApprovalDecision, ToolApprovalRequest, ToolApprover } from "./tool-approval.js";
export {
  DEFAULT_TOOL_HISTORY_LIMIT,
  DEFAULT_TOOL_TIMEOUT_MS,
  ToolExecutor,
} from "./tool-executor.js";
export type { ToolExecuteOptions, ToolExecutorOptions } from "./tool-executor.js";
export { ToolRegistry } from "./tool-registry.js";
export type { ToolReference, ToolRegistryOptions } from "./tool-registry.js";
export {
  DEFAULT_MAX_REPEATED_FAILURES,
  DEFAULT_MAX_TOOL_ROUNDS,
  runToolLoop,
  toolLoopDetails,
} from "./tool-loop.js";
export type { ToolLoopOptions, ToolLoopResult } from "./tool-loop.js";
export type { ToolCallRecord, ToolLoopStopReason } from "./tool-call-record.js";
export {
  BUILTIN_TOOL_NAMES,
  builtinTools,
  createBuiltinTool,
  isBuiltinToolName,
} from "./builtin/builtin-tools.js";
export type { BuiltinToolName } from "./builtin/builtin-tools.js";
export { evaluateExpression } from "./builtin/calculator.js";
export type { CalculatorOptions } from "./builtin/calculator.js";
export { currentTimeIn } from "./builtin/current-time.js";
export type { CurrentTimeOptions, CurrentTimeResult } from "./builtin/current-time.js";
export type { HttpFetchOptions, HttpFetchResult } from "./builtin/http-fetch.js";
export { extractJsonPath } from "./builtin/json-extract.js";
export type { JsonExtractOptions } from "./builtin/json-extract.js";
export type { FileRootOptions } from "./builtin/file-root.js";
export type { ReadFileOptions, ReadFileResult } from "./builtin/read-file.js";
export type {
  KnowledgeSearchToolOptions,
  KnowledgeSearchToolResult,
} from "./builtin/knowledge-search.js";
export type { FileEntry, ListFilesOptions, ListFilesResult } from "./builtin/list-files.js";
export { isPrivateAddress } from "./builtin/private-address.js";
export { ToolExecutionError } from "../errors/tool-execution-error.js";
export type {
  ToolExecutionErrorOptions,
  ToolFailureReason,
} from "../errors/tool-execution-error.js";
