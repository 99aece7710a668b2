import type { AgentResult } from "../agents/agent-result.js";
import { createEvent } from "../events/create-event.js";
import type { StreamEvent, StreamEventDataMap } from "../events/stream-event.js";
import type { StoredDecision, StoredEvent, StoredRun, StoredSnapshot } from "../store/run-store.js";
import type { ToolLoopState } from "../tools/tool-loop.js";
import type { RunResultBuilder } from "./run-result.js";

/** Version of the engine's snapshot state (`StoredSnapshot.state`). */
export const RUN_STATE_VERSION = 1;

/** A tool loop in flight at a durability point: when its agent started, and the loop's state. */
export interface SavedLoop {
  startedAt: number;
  state: ToolLoopState;
}

/** The engine's part of a stored snapshot: the tool loops in flight, by agent id. */
export interface RunState {
  version: typeof RUN_STATE_VERSION;
  loops: Record<string, SavedLoop>;
}

/** What a resumed run starts from: the stored run, its log, snapshot and approval decisions. */
export interface RunReplaySource {
  run: StoredRun;
  events: readonly StoredEvent[];
  snapshot: StoredSnapshot | undefined;
  decisions: readonly StoredDecision[];
}

/**
 * The memory of a stored run that a resumed run replays its flow against: agent steps that
 * completed return their stored result (no model call, no event), failures that escalated are
 * thrown again (the escalation replays over the stored steps), router decisions already
 * made are taken again, and a tool loop that was in flight goes on from its saved state.
 */
export class RunReplay {
  readonly runId: string;
  /** The run's input, as stored. */
  readonly input: Record<string, unknown>;
  readonly lastSeq: number;
  /** When the run first started (its `run_started` event), ms since the epoch. */
  readonly startedAt: number;
  /** The stored events, rebuilt as events (in order). */
  readonly events: StreamEvent[];
  private readonly completed = new Map<string, AgentResult[]>();
  private readonly routes = new Map<number, StreamEventDataMap["agent_selected"]>();
  private readonly loops: Map<string, SavedLoop>;
  private readonly decided: Map<string, StoredDecision>;
  /** Agent approvals and human tasks asked and not answered in the log, by agent id. */
  private readonly askedApprovals = new Map<string, string>();
  /** When each approval was asked (ms since the epoch), by approval id. */
  private readonly askedTimes = new Map<string, number>();
  private steps = 0;

  constructor(source: RunReplaySource) {
    const { run } = source;
    this.runId = run.runId;
    this.input = run.input;
    this.lastSeq = source.events.at(-1)?.seq ?? 0;
    this.events = source.events.map(({ event }) =>
      createEvent(
        event.type,
        run.runId,
        event.seq,
        event.timestamp,
        event.agentId,
        event.agentPath,
        event.data,
      ),
    );
    this.startedAt = this.events[0]?.timestamp ?? run.createdAt;
    this.loops = new Map(Object.entries(readState(source.snapshot)?.loops ?? {}));
    this.decided = new Map(source.decisions.map((decision) => [decision.approvalId, decision]));
  }

  /**
   * Folds the stored log into `builder` and `variables`, and keeps each completed agent step
   * (own agents: `pathPrefix/agentId`) and router decision for the replay.
   */
  restore(
    builder: RunResultBuilder,
    variables: Record<string, unknown>,
    pathPrefix: string,
    outputKeys: ReadonlyMap<string, string>,
  ): void {
    const failed = new Map<string, AgentResult>();
    for (const event of this.events) {
      const own =
        event.agentId === undefined || event.agentPath === `${pathPrefix}/${event.agentId}`;
      builder.apply(event, own);
      if (!own) continue;
      if (event.type === "agent_completed") {
        const agentId = event.agentId!;
        this.queue(agentId, builder.lastAgentResult);
        this.askedApprovals.delete(agentId);
        this.steps++;
        variables[outputKeys.get(agentId) ?? agentId] = event.data.output;
        for (const name of event.data.details?.outputAliases ?? [])
          variables[name] = event.data.output;
      } else if (event.type === "agent_failed") {
        failed.set(event.agentId!, builder.lastAgentResult!);
      } else if (event.type === "escalation" && event.data.trigger !== "output") {
        // An escalated failure is replayed too: the resumed run walks the same escalation.
        this.queue(event.agentId!, failed.get(event.agentId!));
      } else if (event.type === "agent_selected" && !event.data.done) {
        this.routes.set(event.data.iteration, event.data);
      } else if (event.type === "approval_requested" && event.data.kind !== "tool") {
        this.askedApprovals.set(event.agentId!, event.data.approvalId);
        this.askedTimes.set(event.data.approvalId, event.timestamp);
      }
    }
  }

  private queue(agentId: string, result: AgentResult | undefined): void {
    if (result === undefined) return;
    const queue = this.completed.get(agentId) ?? [];
    queue.push(result);
    this.completed.set(agentId, queue);
  }

  /** Steps the replay will restore (completed agent steps in the log). */
  get replayedSteps(): number {
    return this.steps;
  }

  /** Whether anything is left to recall. */
  get pending(): boolean {
    for (const queue of this.completed.values()) if (queue.length > 0) return true;
    return this.routes.size > 0;
  }

  /**
   * The stored result of the agent's next step, taken: a completed one, or a failure that
   * escalated (`success: false`); `undefined` when the step did not end.
   */
  takeAgent(agentId: string): AgentResult | undefined {
    return this.completed.get(agentId)?.shift();
  }

  /** The router's stored decision of `iteration`, taken. */
  takeRoute(iteration: number): StreamEventDataMap["agent_selected"] | undefined {
    const route = this.routes.get(iteration);
    this.routes.delete(iteration);
    return route;
  }

  /** The tool loop of `agentId` that was in flight, taken. */
  takeLoop(agentId: string): SavedLoop | undefined {
    const loop = this.loops.get(agentId);
    this.loops.delete(agentId);
    return loop;
  }

  /** The id of the agent approval asked before the restart and not answered in the log, taken. */
  takeAskedApproval(agentId: string): string | undefined {
    const approvalId = this.askedApprovals.get(agentId);
    this.askedApprovals.delete(agentId);
    return approvalId;
  }

  /** When the approval `approvalId` was first asked (its `approval_requested` event), if it is in the log. */
  askedAt(approvalId: string): number | undefined {
    return this.askedTimes.get(approvalId);
  }

  /** A decision stored for `approvalId` (e.g. given by another process), if any. */
  decision(approvalId: string): StoredDecision | undefined {
    return this.decided.get(approvalId);
  }
}

function readState(snapshot: StoredSnapshot | undefined): RunState | undefined {
  const state = snapshot?.state as Partial<RunState> | undefined;
  if (!state || state.version !== RUN_STATE_VERSION || typeof state.loops !== "object")
    return undefined;
  return state as RunState;
}
