import type { EventSink } from "../events/event-sink.js";
import type { LanguageModelV4FunctionTool } from "@ai-sdk/provider";
import { ConfigError } from "../errors/config-error.js";
import type { ToolFailureReason } from "../errors/tool-execution-error.js";
import { systemClock, type Clock } from "../internal/clock.js";
import type { AnyToolDefinition, FunctionToolSchema } from "./tool-definition.js";
import type { ToolApprovalDecision, ToolApprover } from "./tool-approval.js";
import { HandlerContext, runHandler, type HandlerOutcome } from "./run-handler.js";
import type { ToolContext, ToolHistoryEntry, ToolResult } from "./tool-result.js";
import type { ToolSource } from "./tool-source.js";
import { McpServerError } from "../errors/mcp-server-error.js";

/** Default time limit of one tool call: 30 s. */
export const DEFAULT_TOOL_TIMEOUT_MS = 30_000;
/** Default number of calls `ToolExecutor.history` keeps: the latest 1,000. */
export const DEFAULT_TOOL_HISTORY_LIMIT = 1_000;

/** Options of {@link ToolExecutor}. */
export interface ToolExecutorOptions {
  /** The tools it can run. Names must be unique. */
  tools: readonly AnyToolDefinition[];
  /** Time limit of one call unless the tool sets its own (default 30,000 ms). */
  timeoutMs?: number;
  /** Clock for durations and time limits (default: the system clock). */
  clock?: Clock;
  /** How many of the latest calls `history` keeps (default 1,000; 0 keeps none). */
  historyLimit?: number;
  /**
   * Tools known only when asked (an agent's MCP servers): loaded by {@link ToolExecutor.load}
   * before the first call (the tool loop does it), once.
   */
  sources?: readonly ToolSource[];
}

/** Options of one {@link ToolExecutor.execute} call. */
export interface ToolExecuteOptions {
  /** Cancels the call: the handler's signal aborts and `execute` rejects with the reason. */
  signal?: AbortSignal;
  /** Id of the call (default: a generated one). */
  callId?: string;
  /** The handler's `context.idempotencyKey` (default: the call id). */
  idempotencyKey?: string;
  /**
   * Asked before running a tool whose `needsApproval` says so (after validation). Without it
   * the executor does not ask: whoever calls `execute` directly is the approver.
   */
  approve?: ToolApprover;
  /** The run's event sink, handed to the handler as `context.events` (the tool loop sets it). */
  events?: EventSink;
  /** The run's usage meter, handed to the handler as `context.meter` (the tool loop sets it). */
  meter?: ToolContext["meter"];
}

let callCounter = 0;

/**
 * Runs tools by name (the seed's `ToolExecutor`): validates and coerces the arguments, applies
 * a time limit, and turns every tool fault into a failed {@link ToolResult} the model can
 * read. Only cancellation (the caller's `signal`) rejects.
 *
 * @throws ConfigError from the constructor when two tools share a name.
 * @example
 * const executor = new ToolExecutor({ tools: [getWeather, search], timeoutMs: 10_000 });
 * const result = await executor.execute("get_weather", { city: "London" });
 * if (result.success) console.log(result.output); else console.log(result.error);
 */
export class ToolExecutor {
  readonly timeoutMs: number;
  private readonly tools = new Map<string, AnyToolDefinition>();
  private readonly clock: Clock;
  private readonly historyLimit: number;
  private readonly entries: ToolHistoryEntry[] = [];
  private modelTools: LanguageModelV4FunctionTool[] | undefined;
  private sources: readonly ToolSource[];
  private loading: Promise<void> | undefined;
  /** Where each loaded tool came from (its source's label), for tools of sources. */
  private readonly origins = new Map<string, string>();

  constructor(options: ToolExecutorOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS;
    if (!(this.timeoutMs > 0))
      throw new ConfigError("ToolExecutor: timeoutMs must be a positive number of milliseconds.");
    this.clock = options.clock ?? systemClock;
    this.historyLimit = options.historyLimit ?? DEFAULT_TOOL_HISTORY_LIMIT;
    for (const definition of options.tools) {
      if (this.tools.has(definition.name)) {
        throw new ConfigError(
          `Duplicate tool name "${definition.name}": each tool needs its own name.`,
        );
      }
      this.tools.set(definition.name, definition);
    }
    this.sources = options.sources ?? [];
  }

  /** True until the tools of its sources (MCP servers) are loaded: call {@link load} first. */
  get pending(): boolean {
    return this.sources.length > 0;
  }

  /**
   * Loads the tools of the executor's sources (starting MCP servers), once; concurrent callers
   * share the load, and a failed load is tried again by the next caller.
   * @throws McpServerError naming the server (and tool) when a source fails or gives a tool
   *   name the executor has already.
   */
  load(signal?: AbortSignal): Promise<void> {
    if (this.sources.length === 0) return Promise.resolve();
    this.loading ??= this.loadSources(signal).finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async loadSources(signal: AbortSignal | undefined): Promise<void> {
    const sources = this.sources;
    const loaded = await Promise.all(sources.map((source) => source.load(signal)));
    const origin = new Map<string, string>();
    for (const name of this.tools.keys()) origin.set(name, "a local tool");
    const added = new Map<string, AnyToolDefinition>();
    loaded.forEach((definitions, index) => {
      const label = sources[index]!.label;
      for (const definition of definitions) {
        const first = origin.get(definition.name);
        if (first !== undefined) {
          const server = /"([^"]+)"/.exec(label)?.[1] ?? label;
          throw new McpServerError(
            `Tool name "${definition.name}" comes from both ${first} and ${label}: give the server a prefix (mcpServers.${server}.prefix) or an allow-list (tools).`,
            { reason: "duplicate_tool", serverName: server, toolName: definition.name },
          );
        }
        origin.set(definition.name, label);
        added.set(definition.name, definition);
      }
    });
    for (const [name, definition] of added) {
      this.tools.set(name, definition);
      this.origins.set(name, origin.get(name)!);
    }
    this.modelTools = undefined;
    this.sources = [];
  }

  /** Names of the tools, in the order given. */
  get names(): string[] {
    return [...this.tools.keys()];
  }

  /** Where a tool came from: its source's label (`MCP server "files"`), or undefined for tools given directly. */
  originOf(name: string): string | undefined {
    return this.origins.get(name);
  }

  /** The tool of that name, if any. */
  get(name: string): AnyToolDefinition | undefined {
    return this.tools.get(name);
  }

  /** Whether a tool of that name exists. */
  has(name: string): boolean {
    return this.tools.has(name);
  }

  /** The latest calls (at most `historyLimit`), oldest first. */
  get history(): readonly ToolHistoryEntry[] {
    const extra = this.entries.length - this.historyLimit;
    return extra > 0 ? this.entries.slice(extra) : this.entries.slice();
  }

  /** Forgets the history. */
  clearHistory(): void {
    this.entries.length = 0;
  }

  /** The OpenAI-compatible function schemas of all tools (the seed's `get_schemas()`). */
  getSchemas(): FunctionToolSchema[] {
    return [...this.tools.values()].map((definition) => definition.toSchema());
  }

  /** All tools in the AI SDK model spec's form, for `ModelRequest.tools`. Built once. */
  getModelTools(): LanguageModelV4FunctionTool[] {
    this.modelTools ??= [...this.tools.values()].map((definition) => definition.toModelTool());
    return this.modelTools;
  }

  /**
   * Runs one tool. `args` is an object, or JSON text as a model writes it.
   * Never throws for a tool fault (unknown tool, invalid arguments, handler error, timeout):
   * those come back as `success: false` with `error` and `errorReason`.
   *
   * @throws the signal's reason when `options.signal` aborts (cancellation is not a tool fault).
   */
  async execute(
    name: string,
    args: unknown,
    options: ToolExecuteOptions = {},
  ): Promise<ToolResult> {
    const callId = options.callId ?? `tool-call-${++callCounter}`;
    const signal = options.signal;
    signal?.throwIfAborted();
    const startedAt = this.clock.now();
    const definition = this.tools.get(name);
    if (!definition) {
      const known = this.tools.size > 0 ? this.names.join(", ") : "(none)";
      return this.failure(
        name,
        callId,
        args,
        startedAt,
        "unknown_tool",
        `Unknown tool "${name}". Known tools: ${known}.`,
      );
    }
    const input = argumentObject(name, args);
    if (typeof input === "string")
      return this.failure(name, callId, args, startedAt, "invalid_arguments", input);
    let parsed = definition.parseArguments(input);
    if (parsed instanceof Promise) parsed = await parsed;
    if (!parsed.success) {
      const message = `Invalid arguments for tool "${name}": ${parsed.errors.join("; ")}`;
      return this.failure(name, callId, args, startedAt, "invalid_arguments", message);
    }
    if (options.approve && definition.needsApproval !== false) {
      const refusal = await this.refusal(definition, parsed.value, callId, options.approve, signal);
      if (refusal !== undefined)
        return this.failure(name, callId, args, startedAt, "denied", refusal);
    }
    const timeoutMs = definition.timeoutMs ?? this.timeoutMs;
    const context = new HandlerContext(
      callId,
      name,
      signal,
      options.idempotencyKey ?? callId,
      options.events,
      options.meter,
    );
    let outcome: HandlerOutcome;
    try {
      const running = runHandler(definition, parsed.value, context, timeoutMs, this.clock, signal);
      outcome = running instanceof Promise ? await running : running;
    } finally {
      context.dispose();
    }
    if (outcome.kind === "ok") return this.success(name, callId, args, startedAt, outcome.value);
    if (outcome.kind === "timeout") {
      return this.failure(
        name,
        callId,
        args,
        startedAt,
        "timeout",
        `Tool "${name}" timed out after ${timeoutMs} ms.`,
      );
    }
    return this.failure(
      name,
      callId,
      args,
      startedAt,
      "handler_error",
      `Tool "${name}" failed: ${describeError(outcome.error)}`,
    );
  }

  private success(
    toolName: string,
    callId: string,
    args: unknown,
    startedAt: number,
    output: unknown,
  ): ToolResult {
    const result: ToolResult = {
      success: true,
      output,
      error: undefined,
      errorReason: undefined,
      durationMs: this.clock.now() - startedAt,
      toolName,
      callId,
    };
    if (this.historyLimit > 0)
      this.remember({ toolName, callId, arguments: args, result, startedAt });
    return result;
  }

  private failure(
    toolName: string,
    callId: string,
    args: unknown,
    startedAt: number,
    reason: ToolFailureReason,
    error: string,
  ): ToolResult {
    const result: ToolResult = {
      success: false,
      output: undefined,
      error,
      errorReason: reason,
      durationMs: this.clock.now() - startedAt,
      toolName,
      callId,
    };
    if (this.historyLimit > 0)
      this.remember({ toolName, callId, arguments: args, result, startedAt });
    return result;
  }

  /** Undefined when the call may run, else why it was refused. */
  private async refusal(
    definition: AnyToolDefinition,
    args: unknown,
    callId: string,
    approve: ToolApprover,
    signal: AbortSignal | undefined,
  ): Promise<string | undefined> {
    let decision: ToolApprovalDecision;
    try {
      let needed = definition.requiresApproval(args);
      if (needed instanceof Promise) needed = await needed;
      if (!needed) return undefined;
      decision = await approve({ toolName: definition.name, arguments: args, callId, signal });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      return `The call to tool "${definition.name}" was not approved: approval failed (${messageOf(error)}).`;
    }
    const approved = typeof decision === "boolean" ? decision : decision.approved;
    if (approved) return undefined;
    const reason = typeof decision === "object" && decision.reason ? `: ${decision.reason}` : ".";
    return `The call to tool "${definition.name}" was refused${reason}`;
  }

  private remember(entry: ToolHistoryEntry): void {
    if (this.historyLimit <= 0) return;
    this.entries.push(entry);
    // Trim in batches so that a long run pays O(1) per call.
    if (this.entries.length >= this.historyLimit * 2)
      this.entries.splice(0, this.entries.length - this.historyLimit);
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    return error.name === "Error" || error.name === ""
      ? error.message
      : `${error.name}: ${error.message}`;
  }
  return typeof error === "string" ? error : clip(safeStringify(error));
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Shortens long text for an error message. */
function clip(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * The arguments as an object: JSON text parsed (empty text and null mean `{}`), or why they are
 * not an object (the message for the model).
 */
function argumentObject(name: string, args: unknown): object | string {
  let input = args;
  if (typeof args === "string") {
    try {
      input = args.trim() === "" ? {} : JSON.parse(args);
    } catch (error) {
      return `Arguments for tool "${name}" are not valid JSON (${messageOf(error)}): ${clip(args)}`;
    }
  }
  if (input === undefined || input === null) return {};
  if (typeof input !== "object" || Array.isArray(input))
    return `Arguments for tool "${name}" must be a JSON object, got ${clip(JSON.stringify(input))}.`;
  return input;
}
