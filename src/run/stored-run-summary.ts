import type { Usage } from "../events/usage.js";
import type { StoredEvent } from "../store/run-store.js";

/** One agent of a stored run, folded from its events. */
export interface StoredAgentSummary {
  agent: string;
  model: string | undefined;
  status: "running" | "completed" | "failed";
  usage?: Usage;
  latencyMs?: number;
  output?: unknown;
  error?: string | undefined;
}

/** The agents of a run, in the order they started, from its events. */
export function storedAgents(events: readonly StoredEvent[]): StoredAgentSummary[] {
  const agents = new Map<string, StoredAgentSummary>();
  for (const { event } of events) {
    const key = event.agentPath ?? event.agentId;
    if (key === undefined) continue;
    if (event.type === "agent_started") {
      const data = event.data as { model: string | undefined };
      agents.set(key, { agent: key, model: data.model, status: "running" });
    } else if (event.type === "agent_completed" || event.type === "agent_failed") {
      const data = event.data as {
        usage: Usage;
        model: string | undefined;
        latencyMs: number;
        output?: unknown;
        error?: { message: string };
      };
      const agent = agents.get(key) ?? { agent: key, model: data.model, status: "running" };
      agent.status = event.type === "agent_completed" ? "completed" : "failed";
      agent.model = data.model ?? agent.model;
      agent.usage = data.usage;
      agent.latencyMs = data.latencyMs;
      if (event.type === "agent_completed") agent.output = data.output;
      else agent.error = data.error?.message;
      agents.set(key, agent);
    }
  }
  return [...agents.values()];
}
