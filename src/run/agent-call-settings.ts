import type { AgentCallSettings, PreparedAgent } from "../agents/llm-agent.js";
import type { ModelCall, ResolvedModel } from "../providers/model-call.js";

/** Team-wide call settings; `stream: undefined` streams when the run is observed. */
export interface CallDefaults {
  readonly temperature: number | undefined;
  readonly maxTokens: number | undefined;
  readonly stream: boolean | undefined;
}

/**
 * An agent's call settings: its model, fallbacks and pipeline, and its own temperature, token
 * limit and `stream` over the team's `defaults` (`stream` unset: stream when the run is observed).
 */
export function agentCallSettings(
  agent: PreparedAgent,
  model: ResolvedModel,
  fallbackModels: ResolvedModel[] | undefined,
  call: ModelCall,
  defaults: CallDefaults,
): AgentCallSettings {
  return {
    model,
    fallbackModels,
    call,
    temperature: agent.config.temperature ?? defaults.temperature,
    maxTokens: agent.config.maxTokens ?? defaults.maxTokens,
    stream: agent.config.stream ?? defaults.stream,
  };
}

/** What {@link planCallSettings} reads of a run's plan. */
interface SettingsSource {
  readonly models: ReadonlyMap<string, ResolvedModel>;
  readonly fallbackModels?: ReadonlyMap<string, ResolvedModel[]> | undefined;
  readonly agentCalls?: ReadonlyMap<string, ModelCall> | undefined;
  readonly call: ModelCall;
  readonly defaults: CallDefaults;
}

/** The agent's call settings from a plan's maps (for plans built without `agentSettings`). */
export function planCallSettings(plan: SettingsSource, agent: PreparedAgent): AgentCallSettings {
  return agentCallSettings(
    agent,
    plan.models.get(agent.id)!,
    plan.fallbackModels?.get(agent.id),
    plan.agentCalls?.get(agent.id) ?? plan.call,
    plan.defaults,
  );
}
