import type { AgentResult } from "../agents/agent-result.js";
import type { AgentStep, AgentStepContext } from "../agents/agent-step.js";
import type { PreparedAgent } from "../agents/llm-agent.js";
import { AgentSink } from "./agent-call.js";
import { addUsage, emptyUsage } from "../events/usage.js";
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
  const { meter, runId, clock } = host.plan;
  // The step's calls that are not model calls (embeddings) count in the run as the agent's.
  const metered: AgentStepContext["meter"] = meter
    ? (call) => meter(call, { signal, clock, events, runId, agentId: agent.id })
    : undefined;
  let outcome;
  try {
    outcome = await work({
      variables: host.variables,
      signal,
      events,
      ...(metered ? { meter: metered } : {}),
    });
  } catch (error) {
    return host.failAgent(agent, undefined, started, error, events.spent);
  }
  // The agent's usage is what its metered calls reported (a query embedding's tokens).
  const spent = events.spent;
  if (spent)
    outcome = { ...outcome, usage: addUsage(addUsage(emptyUsage(), outcome.usage), spent) };
  return host.completeAgent(agent, started, outcome);
}
