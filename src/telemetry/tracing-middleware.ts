import { context as otelContext, SpanKind, trace, type Attributes } from "@opentelemetry/api";
import type {
  CallContext,
  ModelCall,
  ModelCallMiddleware,
  ModelRequest,
  ModelResponse,
} from "../providers/model-call.js";
import { markFailed, traceOfRun, usageAttributes, type RunTrace } from "./run-trace.js";

/**
 * The pipeline layer that gives each model call attempt its span (`chat <model>`), under the
 * calling agent's span. Innermost, so retries and fallbacks are one span each. A call of a run
 * that is not traced passes straight through (one map lookup).
 */
export const tracingMiddleware: ModelCallMiddleware = (next) => (request, context) => {
  const runTrace = traceOfRun(context.runId);
  if (!runTrace) return next(request, context);
  return tracedCall(runTrace, next, request, context);
};

async function tracedCall(
  runTrace: RunTrace,
  next: ModelCall,
  request: ModelRequest,
  context: CallContext,
): Promise<ModelResponse> {
  const { model } = request.model;
  const provider = model.provider.split(".")[0] ?? model.provider;
  const attributes: Attributes = {
    ...runTrace.runAttributes,
    "gen_ai.operation.name": "chat",
    "gen_ai.provider.name": provider,
    "gen_ai.request.model": model.modelId,
    "llmteam.model": request.model.name,
    "gen_ai.agent.id": context.agentId,
  };
  if (request.temperature !== undefined)
    attributes["gen_ai.request.temperature"] = request.temperature;
  if (request.maxOutputTokens !== undefined)
    attributes["gen_ai.request.max_tokens"] = request.maxOutputTokens;
  if (runTrace.captureMessageContent)
    attributes["gen_ai.input.messages"] = JSON.stringify(request.prompt);
  const startedAt = context.clock.now();
  const span = runTrace.tracer.startSpan(
    `chat ${model.modelId}`,
    { kind: SpanKind.CLIENT, startTime: startedAt, attributes },
    trace.setSpan(otelContext.active(), runTrace.parentOf(context.agentId)),
  );
  const metric: Attributes = {
    "gen_ai.operation.name": "chat",
    "gen_ai.provider.name": provider,
    "gen_ai.request.model": model.modelId,
  };
  const { instruments } = runTrace;
  try {
    const response = await next(request, context);
    const endedAt = context.clock.now();
    span.setAttributes({
      ...usageAttributes(response.usage),
      "gen_ai.response.model": response.model,
      "gen_ai.response.finish_reasons": [response.finishReason],
    });
    if (runTrace.captureMessageContent)
      span.setAttribute("gen_ai.output.messages", outputMessages(response));
    span.end(endedAt);
    const responded = { ...metric, "gen_ai.response.model": response.model };
    instruments.operationDuration.record((endedAt - startedAt) / 1000, responded);
    instruments.tokenUsage.record(response.usage.inputTokens, {
      ...responded,
      "gen_ai.token.type": "input",
    });
    instruments.tokenUsage.record(response.usage.outputTokens, {
      ...responded,
      "gen_ai.token.type": "output",
    });
    return response;
  } catch (error) {
    const endedAt = context.clock.now();
    const info = error as { name?: string; message?: string; code?: string; status?: number };
    const type =
      info.status !== undefined ? String(info.status) : (info.code ?? info.name ?? "_OTHER");
    markFailed(span, { name: type, message: info.message ?? String(error) });
    if (error instanceof Error) span.recordException(error, endedAt);
    span.end(endedAt);
    instruments.operationDuration.record((endedAt - startedAt) / 1000, {
      ...metric,
      "error.type": type,
    });
    throw error;
  }
}

/** The answer as the `gen_ai.output.messages` attribute (captured message content only). */
function outputMessages(response: ModelResponse): string {
  return JSON.stringify([
    {
      role: "assistant",
      parts: [
        ...(response.text ? [{ type: "text", content: response.text }] : []),
        ...response.toolCalls.map((call) => ({
          type: "tool_call",
          id: call.toolCallId,
          name: call.toolName,
          arguments: call.input,
        })),
      ],
      finish_reason: response.finishReason,
    },
  ]);
}
