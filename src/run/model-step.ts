import type { AgentResult } from "../agents/agent-result.js";
import {
  runToolAgent,
  type AgentCallSettings,
  type AgentOutput,
  type PreparedAgent,
} from "../agents/llm-agent.js";
import { AgentCall } from "./agent-call.js";
import type { AgentStepHost } from "./agent-step-host.js";
import type { SavedLoop } from "./run-replay.js";
import { toolContext, type ToolContextRun } from "./tool-context.js";

/**
 * The step of an agent that calls a model: `agent_started` (unless a resumed tool loop goes
 * on), then one model call, or the tool loop (from `loop`'s state when one was in flight),
 * and `agent_completed` or `agent_failed`.
 * @param run what the tool loop needs of the run, made only for agents with tools.
 * @throws AgentFailure wrapping the agent's error.
 */
export async function runModelStep(
  host: AgentStepHost,
  agent: PreparedAgent,
  settings: AgentCallSettings,
  step: { number: number; signal: AbortSignal; loop: SavedLoop | undefined },
  run: () => ToolContextRun,
): Promise<AgentResult> {
  const { loop } = step;
  const started = loop?.startedAt ?? host.plan.clock.now();
  if (!loop) {
    const data = { role: agent.role, model: settings.model.name, step: step.number };
    await host.emitAt(started, "agent_started", data, agent.id);
  }
  const call = new AgentCall(host, agent, settings, step.signal, started);
  const executor = agent.executor;
  if (!executor) return call.run();
  let outcome: AgentOutput;
  try {
    if (loop) call.spentBefore(loop.state.usage);
    outcome = await runToolAgent(
      agent,
      executor,
      toolContext(agent, settings, started, loop, run()),
      call,
    );
  } catch (error) {
    return call.failed(error);
  }
  return call.complete(outcome);
}
