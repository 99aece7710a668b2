import type { Attributes, Counter, Histogram, Meter } from "@opentelemetry/api";

/** The instruments llmteam records into, one set per meter. */
export interface TelemetryInstruments {
  /** `gen_ai.client.token.usage`: tokens per model call attempt, by `gen_ai.token.type`. */
  tokenUsage: Histogram;
  /** `gen_ai.client.operation.duration`: seconds per model call attempt. */
  operationDuration: Histogram;
  /** `llmteam.cost`: USD spent, by model. */
  cost: Counter;
  /** `llmteam.run.duration`: seconds per run, by team and status. */
  runDuration: Histogram;
  /** `llmteam.tool.duration`: seconds per tool call, by tool and outcome. */
  toolDuration: Histogram;
  /** `llmteam.circuit_breaker.transitions`: breaker state changes, by key and new state. */
  breakerTransitions: Counter;
  /** Current state of each breaker key seen (0 closed, 1 half-open, 2 open), read by a gauge. */
  breakerStates: Map<string, number>;
}

const byMeter = new WeakMap<Meter, TelemetryInstruments>();

/** Breaker states as gauge values. */
export const BREAKER_STATE_VALUE: Readonly<Record<string, number>> = {
  closed: 0,
  half_open: 1,
  "half-open": 1,
  open: 2,
};

/** The instruments of a meter, created on first use. */
export function instrumentsOf(meter: Meter): TelemetryInstruments {
  let instruments = byMeter.get(meter);
  if (instruments) return instruments;
  const breakerStates = new Map<string, number>();
  instruments = {
    tokenUsage: meter.createHistogram("gen_ai.client.token.usage", {
      description: "Tokens used by a model call attempt",
      unit: "{token}",
    }),
    operationDuration: meter.createHistogram("gen_ai.client.operation.duration", {
      description: "Duration of a model call attempt",
      unit: "s",
    }),
    cost: meter.createCounter("llmteam.cost", {
      description: "Money spent on model calls",
      unit: "USD",
    }),
    runDuration: meter.createHistogram("llmteam.run.duration", {
      description: "Duration of a team run",
      unit: "s",
    }),
    toolDuration: meter.createHistogram("llmteam.tool.duration", {
      description: "Duration of a tool call",
      unit: "s",
    }),
    breakerTransitions: meter.createCounter("llmteam.circuit_breaker.transitions", {
      description: "Circuit breaker state changes",
    }),
    breakerStates,
  };
  const gauge = meter.createObservableGauge("llmteam.circuit_breaker.state", {
    description: "Circuit breaker state: 0 closed, 1 half-open, 2 open",
  });
  gauge.addCallback((result) => {
    for (const [key, state] of breakerStates) {
      const attributes: Attributes = { "llmteam.breaker.key": key };
      result.observe(state, attributes);
    }
  });
  byMeter.set(meter, instruments);
  return instruments;
}
