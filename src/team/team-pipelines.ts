import type { PreparedAgent } from "../agents/llm-agent.js";
import type { UsageMeter } from "../cost/usage-meter.js";
import type { ModelCall, ModelCallMiddleware } from "../providers/model-call.js";
import { createResiliencePipeline } from "../resilience/resilience-pipeline.js";
import { resolveCircuitBreakerPolicy } from "../resilience/circuit-breaker-policy.js";
import { resolveRetryPolicy } from "../resilience/retry-policy.js";
import { buildModelPipeline, type PipelineParts } from "../pipeline/model-pipeline.js";
import type { TeamConfig } from "./team-config.js";

/**
 * A team's model-call pipelines, each built once: one per agent (its retry policy, breaker and
 * timeout over the team's defaults) and one for calls that belong to no agent (router,
 * configurator). All share the team's cost layer, middleware and breaker store.
 */
export class TeamPipelines {
  private teamCall: ModelCall | undefined;
  private readonly agentCalls = new WeakMap<PreparedAgent, ModelCall>();
  private readonly stepLayers = new WeakMap<PreparedAgent, ModelCallMiddleware>();

  /**
   * @param settings The team's current settings (read again after `settingsChanged()`).
   * @param parts What every pipeline of the team shares.
   */
  constructor(
    private readonly settings: () => Omit<TeamConfig, "agents">,
    private readonly parts: PipelineParts,
    /** The cost layer's meter of embedding calls (`parts.cost`'s budgets and tracker). */
    readonly meter?: UsageMeter,
  ) {}

  /**
   * The pipeline of calls that belong to no agent (router, configurator): the user's layers,
   * the team's resilience defaults, then the cost layer around the provider call.
   */
  team(): ModelCall {
    if (!this.teamCall) {
      const { retryPolicy, circuitBreaker } = this.settings();
      this.teamCall = buildModelPipeline(
        { retryPolicy, circuitBreaker, timeoutMs: undefined },
        this.parts,
      );
    }
    return this.teamCall;
  }

  /** An agent's pipeline, built once: its retry policy and breaker over the team's defaults. */
  agent(agent: PreparedAgent): ModelCall {
    let call = this.agentCalls.get(agent);
    if (!call) {
      const { config } = agent;
      const settings = this.settings();
      call = buildModelPipeline(
        {
          retryPolicy: resolveRetryPolicy(settings.retryPolicy, config.retryPolicy),
          circuitBreaker:
            resolveCircuitBreakerPolicy(settings.circuitBreaker, config.circuitBreaker) ?? false,
          timeoutMs: config.timeoutMs,
          firstTokenTimeoutMs: config.firstTokenTimeoutMs,
        },
        this.parts,
      );
      this.agentCalls.set(agent, call);
    }
    return call;
  }

  /**
   * The resilience layers of an http step (built once per agent): its own `retryPolicy`
   * (default: 3 retries, except for POST and PATCH, which are not retried unless the step sets
   * one) and `circuitBreaker` (off unless set); the team's model defaults do not apply.
   */
  stepResilience(agent: PreparedAgent): ModelCallMiddleware {
    let layer = this.stepLayers.get(agent);
    if (!layer) {
      const { config } = agent;
      const method = config.http?.method ?? "GET";
      const unsafe = method === "POST" || method === "PATCH";
      layer = createResiliencePipeline({
        retryPolicy: config.retryPolicy ?? (unsafe ? false : {}),
        circuitBreaker: config.circuitBreaker ?? false,
        breakerStore: this.parts.breakerStore,
        breakerKeyPrefix: this.parts.breakerKeyPrefix,
      });
      this.stepLayers.set(agent, layer);
    }
    return layer;
  }

  /** Forgets the team's pipeline: the next call builds it from the new settings (agents' pipelines follow their agents). */
  settingsChanged(): void {
    this.teamCall = undefined;
  }
}
