import {
  metrics,
  ProxyTracerProvider,
  trace,
  type Meter,
  type MeterProvider,
  type Tracer,
  type TracerProvider,
} from "@opentelemetry/api";

/** Options of {@link configureTelemetry}. */
export interface TelemetryOptions {
  /**
   * Record prompts, completions, tool arguments and tool results on spans
   * (`gen_ai.input.messages`, `gen_ai.output.messages`, `gen_ai.tool.call.arguments`,
   * `gen_ai.tool.call.result`). Default: false, unless the environment variable
   * `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT` is `true`.
   */
  captureMessageContent?: boolean;
  /** Where spans go (default: the globally registered tracer provider). */
  tracerProvider?: TracerProvider;
  /** Where metrics go (default: the globally registered meter provider). */
  meterProvider?: MeterProvider;
}

/** The instrumentation scope of llmteam's spans and metrics. */
export const INSTRUMENTATION_SCOPE = "llmteam";

interface Settings {
  captureMessageContent: boolean | undefined;
  tracerProvider: TracerProvider | undefined;
  tracer: Tracer;
  meterProvider: MeterProvider | undefined;
}

/** The API's no-op tracer provider: what the global proxy delegates to until one is registered. */
const NOOP_TRACER_PROVIDER = new ProxyTracerProvider().getDelegate();

/**
 * True when spans would go nowhere: no tracer provider configured or registered. Checked once
 * per run, before anything is allocated for tracing.
 */
export function tracingOff(): boolean {
  const provider = settings?.tracerProvider ?? trace.getTracerProvider();
  const delegate =
    typeof (provider as Partial<ProxyTracerProvider>).getDelegate === "function"
      ? (provider as ProxyTracerProvider).getDelegate()
      : provider;
  // Another copy of the API has its own no-op instance: known by its class name then.
  return delegate === NOOP_TRACER_PROVIDER || delegate.constructor.name === "NoopTracerProvider";
}

let settings: Settings | undefined;

/**
 * Sets how llmteam reports to OpenTelemetry. Optional: without it, llmteam uses the globally
 * registered providers (a no-op when none is registered) and records no message content.
 *
 * @example
 * configureTelemetry({ captureMessageContent: true });
 */
export function configureTelemetry(options: TelemetryOptions = {}): void {
  settings = {
    captureMessageContent: options.captureMessageContent,
    tracerProvider: options.tracerProvider,
    tracer: (options.tracerProvider ?? trace).getTracer(INSTRUMENTATION_SCOPE),
    meterProvider: options.meterProvider,
  };
}

/** True when metrics would go nowhere: no meter provider configured or registered. */
export function metricsOff(): boolean {
  const provider = settings?.meterProvider ?? metrics.getMeterProvider();
  return provider.constructor.name === "NoopMeterProvider";
}

/**
 * The tracer, meter and content setting in force. The global meter is looked up each time (the
 * metrics API has no proxy: a provider registered later would otherwise be missed).
 */
export function telemetrySettings(): {
  tracer: Tracer;
  meter: Meter;
  captureMessageContent: boolean;
} {
  settings ??= {
    captureMessageContent: undefined,
    tracerProvider: undefined,
    tracer: trace.getTracer(INSTRUMENTATION_SCOPE),
    meterProvider: undefined,
  };
  return {
    tracer: settings.tracer,
    meter: (settings.meterProvider ?? metrics).getMeter(INSTRUMENTATION_SCOPE),
    captureMessageContent:
      settings.captureMessageContent ??
      process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT === "true",
  };
}
