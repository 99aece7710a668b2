import type { PreparedAgent } from "../agents/llm-agent.js";
import type { ModelCall } from "../providers/model-call.js";
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

  /**
   * @param settings The team's current settings (read again after `settingsChanged()`).
   * @param parts What every pipeline of the team shares.
   */
  constructor(
    private readonly settings: () => Omit<TeamConfig, "agents">,
    private readonly parts: PipelineParts,
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

  /** Forgets the team's pipeline: the next call builds it from the new settings (agents' pipelines follow their agents). */
  settingsChanged(): void {
    this.teamCall = undefined;
  }
}
