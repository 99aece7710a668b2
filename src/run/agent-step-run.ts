import type { AgentResult } from "../agents/agent-result.js";
import type { AgentStep } from "../agents/agent-step.js";
import type { PreparedAgent } from "../agents/llm-agent.js";
import { AgentSink } from "./agent-call.js";
import type { AgentStepHost } from "./agent-step-host.js";

/**
 * Runs the step of an agent that calls no model of the run (`rag`, `kag`): `agent_started`
 * (no model), the step with the run's variables and an event sink of the agent, then
 * `agent_completed` or `agent_failed`.
 * @throws AgentFailure wrapping the step's error.
 */
export async function runAgentStep(
  host: AgentStepHost,
  agent: PreparedAgent,
  work: AgentStep,
  step: number,
  signal: AbortSignal,
): Promise<AgentResult> {
  const started = host.plan.clock.now();
  await host.emitAt(
    started,
    "agent_started",
    { role: agent.role, model: undefined, step },
    agent.id,
  );
  const events = new AgentSink(host, agent.id);
  let outcome;
  try {
    outcome = await work({ variables: host.variables, signal, events });
  } catch (error) {
    return host.failAgent(agent, undefined, started, error, events.spent);
  }
  return host.completeAgent(agent, started, outcome);
}
