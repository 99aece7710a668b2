import type { AgentResult } from "../agents/agent-result.js";
import type { AgentOutput, PreparedAgent } from "../agents/llm-agent.js";
import type { StreamEventDataMap } from "../events/stream-event.js";
import type { StreamEventType } from "../events/stream-event-type.js";
import type { Usage } from "../events/usage.js";
import type { Clock } from "../internal/clock.js";
import type { UsageMeter } from "../cost/usage-meter.js";

/**
 * What one agent step (`AgentCall`, `AgentSink`, `runTeamStep`) needs of the run it belongs to.
 * `RunExecution` implements it; the steps depend on this interface rather than on the class,
 * so the run can build its steps without the two importing each other.
 */
export interface AgentStepHost {
  readonly plan: {
    readonly runId: string;
    readonly clock: Clock;
    /** The run's input (what a nested team's input starts from). */
    readonly input: Record<string, unknown>;
    /** The cost layer's meter of calls that are not model calls (`rag` query embeddings). */
    readonly meter?: UsageMeter | undefined;
  };
  /** Run input and agents' outputs by name: what prompts read. */
  readonly variables: Record<string, unknown>;
  /** Whether someone consumes the run's events as they happen. */
  readonly observed: boolean;
  /** Emits one event of the run. Returns a promise only under back-pressure. */
  emit<T extends StreamEventType>(
    type: T,
    data: StreamEventDataMap[T],
    agentId?: string,
    cause?: unknown,
  ): void | Promise<void>;
  /** {@link emit} with a timestamp the caller has read already. */
  emitAt<T extends StreamEventType>(
    timestamp: number,
    type: T,
    data: StreamEventDataMap[T],
    agentId?: string,
    cause?: unknown,
  ): void | Promise<void>;
  /** Ends an agent's step with `agent_completed`; returns the agent's result. */
  completeAgent(agent: PreparedAgent, started: number, outcome: AgentOutput): Promise<AgentResult>;
  /**
   * Ends an agent's step with `agent_failed`.
   * @throws AgentFailure wrapping `error`, always.
   */
  failAgent(
    agent: PreparedAgent,
    model: string | undefined,
    started: number,
    error: unknown,
    spent?: Usage,
  ): Promise<never>;
}
