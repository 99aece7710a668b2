import type { LanguageModelV4 } from "@ai-sdk/provider";
import { compileExpression, type JsonataExpression } from "../../agents/jsonata-expression.js";
import { STEP_DEFAULTS, type HttpStepConfig } from "../../agents/step-config.js";
import { parseTemplate } from "../../agents/template.js";
import { interpolateEnv } from "../../providers/interpolate-env.js";
import { ProviderError } from "../../errors/provider-error.js";
import { WorkflowStepError } from "../../errors/workflow-step-error.js";
import { emptyUsage } from "../../events/usage.js";
import { composeModelCall } from "../../pipeline/compose-model-call.js";
import type { ModelCall, ModelCallMiddleware, ModelRequest } from "../../providers/model-call.js";
import { isRetryableStatus } from "../../resilience/is-retryable-error.js";
import {
  fetchSettings,
  fetchWithLimits,
  type FetchResponse,
  type FetchSettings,
} from "../../tools/builtin/http-request.js";
import type { Clock } from "../../internal/clock.js";
import type { StepOutcome, StepRun, WorkflowStep } from "../../run/workflow-step.js";
import { evaluateBounded } from "./transform-step.js";
import { httpRequestOf, type HttpTemplates } from "./http-templates.js";

/** What an http step is built with besides its settings. */
export interface HttpStepParts {
  /** The step's resilience layers (retries honouring `Retry-After`, its breaker). */
  resilience: ModelCallMiddleware | undefined;
  /** Environment for `${NAME}` in headers. */
  env: Record<string, string | undefined>;
  clock: Clock;
  /** DNS lookup (tests); default `dns.lookup`. */
  lookup?: typeof import("node:dns").lookup | undefined;
}

/**
 * An `http` step: one HTTP request through the guards of the `http_fetch` tool (only http(s),
 * `allowHosts`, no private addresses unless `allowPrivate`, each redirect checked, `maxBytes`,
 * `timeoutMs` per attempt) and the resilience layers of model calls: a 408/429/5xx answer or a
 * dropped connection is retried with backoff or after the server's `Retry-After`, and a
 * breaker (when set) counts the failures. Any other non-2xx status fails the step.
 * The output is the response body (parsed when it is JSON), or the value of `response`, a
 * JSONata expression over `{ status, headers, body }`.
 */
export class HttpStep implements WorkflowStep {
  readonly kind = "http";
  private readonly settings: FetchSettings;
  private readonly templates: HttpTemplates;
  private readonly response: JsonataExpression | undefined;
  private readonly call: ModelCall;
  /** What the resilience layers call the request (retry events, breaker keys). */
  private readonly name: string;

  /** @throws ConfigError for a bad `allowPrivate`, `response` or unset `${NAME}`. */
  constructor(
    private readonly agentId: string,
    config: HttpStepConfig,
    parts: HttpStepParts,
  ) {
    const method = config.method ?? "GET";
    this.settings = fetchSettings(
      {
        allowHosts: config.allowHosts,
        allowPrivate: config.allowPrivate,
        lookup: parts.lookup,
        maxBytes: config.maxBytes ?? STEP_DEFAULTS.httpMaxBytes,
        timeoutMs: config.timeoutMs ?? STEP_DEFAULTS.httpTimeoutMs,
        maxRedirects: config.maxRedirects ?? STEP_DEFAULTS.httpMaxRedirects,
        clock: parts.clock,
        userAgent: "llmteam-http-step",
      },
      `Step "${agentId}"`,
    );
    this.templates = {
      method,
      url: parseTemplate(config.url),
      headers: httpHeaders(config.headers ?? {}, parts.env, agentId),
      body: config.body === undefined ? undefined : parseTemplate(config.body),
      json: config.json,
    };
    this.response =
      config.response === undefined
        ? undefined
        : compileExpression(config.response, ["http", "response"], {
            timeoutMs: STEP_DEFAULTS.transformTimeoutMs,
          });
    this.name = `http ${method} ${hostOf(config.url)}`;
    this.call = composeModelCall([parts.resilience], this.attempt);
  }

  async run(run: StepRun): Promise<StepOutcome> {
    const request = httpRequestOf(this.templates, run.variables, this.agentId);
    const exchange: HttpExchange = { request, response: undefined };
    const answer = await this.call(
      {
        model: { name: this.name, model: NOT_A_MODEL },
        prompt: [],
        stream: false,
        exchange,
      } as HttpModelRequest,
      {
        signal: run.signal,
        clock: run.clock,
        events: run.events,
        runId: run.runId,
        agentId: this.agentId,
      },
    );
    const response = exchange.response!;
    const data = { status: response.status, headers: response.headers, body: parseBody(response) };
    const output = this.response
      ? await evaluateBounded(
          this.response,
          data,
          STEP_DEFAULTS.transformMaxOutputBytes,
          this.agentId,
        )
      : data.body;
    return {
      output,
      details: {
        httpStatus: response.status,
        ...(answer.retryMetrics && answer.retryMetrics.attempts > 1
          ? { retryMetrics: answer.retryMetrics }
          : {}),
      },
    };
  }

  /** One attempt: the guarded request; a non-2xx status is an error the retry layer judges. */
  private readonly attempt: ModelCall = async (request, context) => {
    const exchange = (request as HttpModelRequest).exchange;
    const { method, url } = exchange.request;
    let response: FetchResponse;
    try {
      response = await fetchWithLimits(exchange.request, this.settings, context.signal);
    } catch (error) {
      if (context.signal.aborted) throw error;
      // A network failure (with a system code) is for the retry layer; a refusal is final.
      if (typeof (error as { code?: unknown }).code === "string") throw error;
      throw new WorkflowStepError(
        "request",
        this.agentId,
        `Step "${this.agentId}": ${method} ${url} failed: ${(error as Error).message}`,
        { cause: error },
      );
    }
    if (response.truncated) {
      throw new WorkflowStepError(
        "too_large",
        this.agentId,
        `Step "${this.agentId}": the response of ${method} ${url} is larger than maxBytes (${this.settings.maxBytes}).`,
      );
    }
    if (response.status < 200 || response.status > 299) {
      throw new ProviderError(
        `Step "${this.agentId}": ${method} ${url} answered ${response.status} ${response.statusText}: ${response.body.slice(0, 200)}`,
        {
          status: response.status,
          isRetryable: isRetryableStatus(response.status),
          headers: response.headers,
          provider: "http",
        },
      );
    }
    exchange.response = response;
    return {
      text: "",
      toolCalls: [],
      usage: emptyUsage(),
      finishReason: "stop",
      model: request.model.name,
      latencyMs: 0,
    };
  };
}

/** One request and, once an attempt succeeded, its response. */
interface HttpExchange {
  request: {
    method: string;
    url: string;
    headers: Record<string, string>;
    body?: string | undefined;
  };
  response: FetchResponse | undefined;
}

/** The request the resilience layers pass through: a model request carrying the exchange. */
type HttpModelRequest = ModelRequest & { exchange: HttpExchange };

/** Stands where the layers expect a model: the request is an HTTP request, never a model call. */
const NOT_A_MODEL = new Proxy(
  {},
  {
    get: () => {
      throw new Error("An http step's request is not a model call.");
    },
  },
) as LanguageModelV4;

/** Headers with `${NAME}` read from the environment. @throws ConfigError naming an unset one. */
function httpHeaders(
  headers: Record<string, string>,
  env: Record<string, string | undefined>,
  agentId: string,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      name.toLowerCase(),
      interpolateEnv(value, `Step "${agentId}" (header ${name})`, env),
    ]),
  );
}

/** The body, parsed when the response says it is JSON (as text when it does not parse). */
function parseBody(response: FetchResponse): unknown {
  if (!/\bjson\b/i.test(response.contentType ?? "")) return response.body;
  try {
    return JSON.parse(response.body) as unknown;
  } catch {
    return response.body;
  }
}

/** The host of a URL template, for names (`{...}` parts kept as written). */
function hostOf(url: string): string {
  const match = /^[a-z]+:\/\/([^/?#]+)/i.exec(url);
  return match?.[1] ?? url;
}
