import type { LanguageModelV4Prompt } from "@ai-sdk/provider";
import { ConfigError } from "../errors/config-error.js";
import { ToolExecutionError } from "../errors/tool-execution-error.js";
import { addUsage, emptyUsage, type Usage } from "../events/usage.js";
import type {
  CallContext,
  ModelCall,
  ModelRequest,
  ModelResponse,
} from "../providers/model-call.js";
import type { StreamEventDataMap } from "../events/stream-event.js";
import type { ToolApprovalDecision, ToolApprovalRequest, ToolApprover } from "./tool-approval.js";
import type { ToolExecutor } from "./tool-executor.js";
import {
  assistantToolCallMessage,
  callKey,
  parseToolCall,
  toolResultsMessage,
  type ParsedToolCall,
} from "./tool-loop-messages.js";
import type { ToolContext, ToolResult } from "./tool-result.js";
import type { ToolCallRecord, ToolLoopStopReason } from "./tool-call-record.js";

/** Default number of tool rounds an agent may run before it must answer: 5. */
export const DEFAULT_MAX_TOOL_ROUNDS = 5;
/** Default number of identical failing calls (same tool, same arguments) that ends a loop: 2. */
export const DEFAULT_MAX_REPEATED_FAILURES = 2;

/** Options of {@link runToolLoop}. */
export interface ToolLoopOptions {
  /** The first model request (its `tools` default to the executor's). */
  request: ModelRequest;
  /** The model call pipeline (retries, budgets… are middlewares inside it: a retry never re-runs tools). */
  call: ModelCall;
  context: CallContext;
  executor: ToolExecutor;
  /** Tool rounds allowed; the model is called at most `maxToolRounds + 1` times (default 5). */
  maxToolRounds?: number;
  /**
   * End the loop when the same tool with the same arguments has failed this many times
   * (default 2; `Infinity` never ends it early).
   */
  maxRepeatedFailures?: number;
  /**
   * Decides calls to tools with `needsApproval`. Without it such calls are refused (reported
   * to the model as `execution-denied`). The loop emits `approval_requested` before asking.
   */
  approve?: ToolApprover;
  /**
   * Called before every model call after the first: a step boundary where a paused run waits
   * and a cancelled one throws (the team's `RunExecution.checkpoint`).
   */
  checkpoint?: () => Promise<void>;
  /** Usage to add each model call into as it completes (default: a new one), so a caller keeps it even when a call throws. */
  usage?: Usage;
  /** Goes on from a state a `saveState` saved (a resumed run): rounds already run are not repeated. */
  resume?: ToolLoopState | undefined;
  /**
   * Called, when given, at the loop's durability points: after a model answer asked for tools
   * (before they run) and after their results are in. A durable run stores the state.
   */
  saveState?: ((state: ToolLoopState) => Promise<void>) | undefined;
  /** Prefix of each tool call's idempotency key: `<prefix>:<round>:<call id>` (default: the call id alone). */
  idempotencyPrefix?: string | undefined;
  /** Handed to tool handlers as `context.meter` (a run's embedding calls, e.g. `knowledge_search`). */
  meter?: ToolContext["meter"];
}

/** A tool loop's state at a durability point, as plain JSON (see `ToolLoopOptions.saveState`). */
export interface ToolLoopState {
  prompt: LanguageModelV4Prompt;
  rounds: number;
  steps: number;
  usage: Usage;
  toolCalls: ToolCallRecord[];
  /** Failing calls by tool and arguments, with how often they failed. */
  failures: [string, number][];
  /** The model's last answer, while its tool calls have not all run. */
  pending?:
    | { text: string; toolCalls: ModelResponse["toolCalls"]; model: string; finishReason: string }
    | undefined;
}

/** What {@link runToolLoop} returns. */
export interface ToolLoopResult {
  /** True when the model gave a final answer; false for `max_rounds` and `repeated_failure`. */
  success: boolean;
  stopReason: ToolLoopStopReason;
  /** Why the loop failed (`code: "tool_execution_error"`, `reason: "max_rounds" | "repeated_failure"`). */
  error: ToolExecutionError | undefined;
  /** The last model answer's text (the final answer on success). */
  text: string;
  /** Usage summed over every model call of the loop. */
  usage: Usage;
  toolCalls: ToolCallRecord[];
  /** Tool rounds run. */
  rounds: number;
  /** Model calls made (`rounds + 1` on success). */
  steps: number;
  /** True when the model still asked for tools after `maxToolRounds` rounds. */
  maxRoundsReached: boolean;
  /** The model that gave the last answer. */
  model: string;
  finishReason: string;
  /** The prompt with every tool step appended (what the next call would send). */
  prompt: LanguageModelV4Prompt;
}

/**
 * The automatic tool loop of an LLM agent: call the model; if it asked for tools, run all the
 * calls of that step concurrently, append the assistant's calls and the results (errors as
 * error results the model can read and correct) and call again — until a final answer,
 * `maxToolRounds`, or a tool failing again and again with the same arguments.
 *
 * Emits `tool_call` and `tool_result` (with the round) as they happen. Hitting the round limit
 * is not a silent success: `success: false`, `maxRoundsReached: true` and a
 * `ToolExecutionError` with reason `max_rounds`.
 *
 * @throws whatever `call` throws (after its own retries), the signal's reason on cancellation,
 *   and ConfigError for an invalid `maxToolRounds`.
 * @example
 * const result = await runToolLoop({ request, call: pipeline, context, executor, maxToolRounds: 5 });
 * if (!result.success) throw result.error;
 * console.log(result.text, result.toolCalls.length);
 */
export async function runToolLoop(options: ToolLoopOptions): Promise<ToolLoopResult> {
  const maxToolRounds = options.maxToolRounds ?? DEFAULT_MAX_TOOL_ROUNDS;
  const maxRepeatedFailures = options.maxRepeatedFailures ?? DEFAULT_MAX_REPEATED_FAILURES;
  if (!Number.isInteger(maxToolRounds) || maxToolRounds < 0) {
    throw new ConfigError(`maxToolRounds must be a whole number >= 0 (got ${maxToolRounds}).`);
  }
  if (!(maxRepeatedFailures >= 1)) {
    throw new ConfigError(`maxRepeatedFailures must be >= 1 (got ${maxRepeatedFailures}).`);
  }
  return new ToolLoopRun(options, maxToolRounds, maxRepeatedFailures).run();
}

/** One loop's state. A class, so the hot path allocates no closures per step or call. */
class ToolLoopRun {
  private readonly usage: Usage;
  private readonly toolCalls: ToolCallRecord[] = [];
  private readonly failures = new Map<string, number>();
  private prompt: LanguageModelV4Prompt;
  private rounds = 0;
  private steps = 0;
  private readonly approver: ToolApprover;

  constructor(
    private readonly options: ToolLoopOptions,
    private readonly maxToolRounds: number,
    private readonly maxRepeatedFailures: number,
  ) {
    this.usage = options.usage ?? emptyUsage();
    this.prompt = options.request.prompt;
    this.approver = (request) => this.approve(request);
    const resume = options.resume;
    if (resume) {
      addUsage(this.usage, resume.usage);
      this.prompt = resume.prompt;
      this.rounds = resume.rounds;
      this.steps = resume.steps;
      this.toolCalls.push(...resume.toolCalls);
      for (const [key, count] of resume.failures) this.failures.set(key, count);
    }
  }

  async run(): Promise<ToolLoopResult> {
    const { call, context, executor, request, saveState } = this.options;
    if (executor.pending) await executor.load(context.signal);
    const tools = request.tools ?? executor.getModelTools();
    let pending: ModelResponse | undefined = resumedAnswer(this.options.resume);
    for (;;) {
      let response: ModelResponse;
      if (pending) {
        response = pending;
        pending = undefined;
      } else {
        context.signal.throwIfAborted();
        if (this.steps > 0 && this.options.checkpoint) await this.options.checkpoint();
        response = await call({ ...request, prompt: this.prompt, tools }, context);
        this.steps++;
        addUsage(this.usage, response.usage);
        if (response.toolCalls.length === 0) return this.finish(response, "final_answer");
        if (this.rounds >= this.maxToolRounds) {
          return this.finish(response, "max_rounds", {
            message: maxRoundsMessage(this.maxToolRounds, response, this.options.context.agentId),
          });
        }
        if (saveState) await saveState(this.state(response));
      }
      this.rounds++;
      const calls = response.toolCalls.map((toolCall) =>
        parseToolCall(toolCall.toolCallId, toolCall.toolName, toolCall.input),
      );
      // One call (the common case) needs no Promise.all and its array of resolvers.
      const results =
        calls.length === 1
          ? [await this.runOneCall(calls[0]!)]
          : await Promise.all(calls.map((parsed) => this.runOneCall(parsed)));
      this.prompt = [
        ...this.prompt,
        assistantToolCallMessage(response.text, calls),
        toolResultsMessage(results),
      ];
      const repeated = this.record(calls, results);
      if (saveState) await saveState(this.state(undefined));
      if (repeated) {
        return this.finish(response, "repeated_failure", {
          message: repeatedFailureMessage(repeated.call, repeated.result, repeated.count),
          toolName: repeated.call.toolName,
          callId: repeated.call.callId,
        });
      }
    }
  }

  /** The loop's state as JSON-safe data; `answer`: the model's answer whose tools have not run. */
  private state(answer: ModelResponse | undefined): ToolLoopState {
    const state: ToolLoopState = {
      prompt: this.prompt,
      rounds: this.rounds,
      steps: this.steps,
      usage: this.usage,
      toolCalls: this.toolCalls,
      failures: [...this.failures],
    };
    if (answer) {
      const { text, toolCalls, model, finishReason } = answer;
      state.pending = { text, toolCalls, model, finishReason };
    }
    return state;
  }

  private async runOneCall(parsed: ParsedToolCall): Promise<ToolResult> {
    const { context, executor, idempotencyPrefix } = this.options;
    const round = this.rounds;
    const args = parsed.parsed ? parsed.arguments : parsed.inputText;
    const announced = context.events.emit("tool_call", {
      callId: parsed.callId,
      toolName: parsed.toolName,
      arguments: args,
      round,
    });
    if (announced) await announced;
    const result = await executor.execute(parsed.toolName, args, {
      signal: context.signal,
      callId: parsed.callId,
      approve: this.approver,
      events: context.events,
      ...(this.options.meter ? { meter: this.options.meter } : {}),
      ...(idempotencyPrefix === undefined
        ? {}
        : { idempotencyKey: `${idempotencyPrefix}:${round}:${parsed.callId}` }),
    });
    const data: StreamEventDataMap["tool_result"] = {
      callId: result.callId,
      toolName: result.toolName,
      success: result.success,
      output: result.output,
      durationMs: result.durationMs,
      round,
    };
    if (result.error !== undefined) data.error = result.error;
    const reported = context.events.emit("tool_result", data);
    if (reported) await reported;
    return result;
  }

  private async approve(request: ToolApprovalRequest): Promise<ToolApprovalDecision> {
    const { approve, context } = this.options;
    if (!approve)
      return { approved: false, reason: "this tool needs approval and no approver is configured" };
    const asked = context.events.emit("approval_requested", {
      approvalId: request.callId,
      kind: "tool",
      toolName: request.toolName,
      arguments: request.arguments,
    });
    if (asked) await asked;
    return approve({ ...request, round: this.rounds });
  }

  /** Records the step's calls; returns the call that failed once too often with the same arguments. */
  private record(
    calls: ParsedToolCall[],
    results: ToolResult[],
  ): { call: ParsedToolCall; result: ToolResult; count: number } | undefined {
    let repeated: { call: ParsedToolCall; result: ToolResult; count: number } | undefined;
    for (let index = 0; index < calls.length; index++) {
      const parsed = calls[index]!;
      const result = results[index]!;
      this.toolCalls.push(toRecord(parsed, result, this.rounds));
      if (result.success && this.failures.size === 0) continue;
      const key = callKey(parsed.toolName, parsed.parsed ? parsed.arguments : parsed.inputText);
      if (result.success) {
        this.failures.delete(key);
        continue;
      }
      const count = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, count);
      if (count >= this.maxRepeatedFailures && !repeated)
        repeated = { call: parsed, result, count };
    }
    return repeated;
  }

  private finish(
    response: ModelResponse,
    stopReason: ToolLoopStopReason,
    failure?: { message: string; toolName?: string; callId?: string },
  ): ToolLoopResult {
    const result: ToolLoopResult = {
      success: stopReason === "final_answer",
      stopReason,
      error: undefined,
      text: response.text,
      usage: this.usage,
      toolCalls: this.toolCalls,
      rounds: this.rounds,
      steps: this.steps,
      maxRoundsReached: stopReason === "max_rounds",
      model: response.model,
      finishReason: response.finishReason,
      prompt: this.prompt,
    };
    if (failure) {
      result.error = new ToolExecutionError(failure.message, {
        reason: stopReason === "max_rounds" ? "max_rounds" : "repeated_failure",
        ...(failure.toolName === undefined ? {} : { toolName: failure.toolName }),
        ...(failure.callId === undefined ? {} : { callId: failure.callId }),
        usage: this.usage,
        details: toolLoopDetails(result),
      });
    }
    return result;
  }
}

/** The answer a saved state was waiting to run the tools of, as a response (its usage is counted already). */
function resumedAnswer(state: ToolLoopState | undefined): ModelResponse | undefined {
  const pending = state?.pending;
  if (!pending) return undefined;
  return { ...pending, usage: emptyUsage(), latencyMs: 0 };
}

function toRecord(parsed: ParsedToolCall, result: ToolResult, round: number): ToolCallRecord {
  const record: ToolCallRecord = {
    name: parsed.toolName,
    arguments: parsed.parsed ? parsed.arguments : parsed.inputText,
    output: result.output,
    success: result.success,
    durationMs: result.durationMs,
    round,
    callId: parsed.callId,
  };
  if (result.error !== undefined) record.error = result.error;
  if (result.errorReason !== undefined) record.errorReason = result.errorReason;
  return record;
}

/**
 * The fields an agent result shows for its tool loop: `toolCalls`, `toolRounds`,
 * `maxRoundsReached`, `toolLoopStopReason`. (Also in a failed loop's `error.details`.)
 */
export function toolLoopDetails(result: ToolLoopResult): {
  toolCalls: ToolCallRecord[];
  modelCalls: number;
  toolRounds: number;
  maxRoundsReached: boolean;
  toolLoopStopReason: ToolLoopStopReason;
} {
  return {
    toolCalls: result.toolCalls,
    modelCalls: result.steps,
    toolRounds: result.rounds,
    maxRoundsReached: result.maxRoundsReached,
    toolLoopStopReason: result.stopReason,
  };
}

function maxRoundsMessage(
  maxToolRounds: number,
  response: ModelResponse,
  agentId: string | undefined,
): string {
  const asked = response.toolCalls.map((toolCall) => toolCall.toolName).join(", ");
  const agent = agentId === undefined ? "the agent" : `agent "${agentId}"`;
  return `The model still asked for tools (${asked}) after ${maxToolRounds} tool rounds, the limit of ${agent}. Raise it with maxToolRounds on the agent — e.g. maxToolRounds: ${Math.max(maxToolRounds * 2, DEFAULT_MAX_TOOL_ROUNDS)} in its entry of the team file or in addAgent({ ... }) (default ${DEFAULT_MAX_TOOL_ROUNDS}) — or make the task smaller.`;
}

function repeatedFailureMessage(call: ParsedToolCall, result: ToolResult, count: number): string {
  const args = call.parsed ? JSON.stringify(call.arguments) : call.inputText;
  const shown = args.length > 200 ? `${args.slice(0, 200)}…` : args;
  return `Tool "${call.toolName}" failed ${count} times with the same arguments ${shown}; stopped instead of retrying. Last error: ${result.error ?? "unknown"}`;
}
