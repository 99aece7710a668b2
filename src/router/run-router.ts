import { RouterDecisionError } from "../errors/router-decision-error.js";
import { emptyUsage } from "../events/usage.js";
import type { RunExecution } from "../run/run-execution.js";
import { AgentFailure } from "../run/run-failure.js";
import {
  decideNext,
  ORCHESTRATOR_ID,
  type RouteCandidate,
  type RouteDecision,
  type RouteHistoryEntry,
  type RouteSettings,
} from "./route-decision.js";
import type { TerminationCondition, TerminationState } from "./termination.js";

/** What a routed run needs: who can be picked, how to run them, when to stop. */
export interface RouterLoopOptions {
  execution: RunExecution;
  settings: RouteSettings;
  /** Checked before every decision; always includes `maxIterations`. */
  termination: TerminationCondition;
  candidates: RouteCandidate[];
  /** Runs the chosen candidate as step `iteration`; throws when it fails the run. */
  runCandidate: (id: string, iteration: number) => Promise<{ output: unknown }>;
}

/**
 * The router loop: before each step the termination conditions are checked, then the
 * orchestrator picks the next candidate (an `agent_selected` event with its reason and
 * tokens) or says done. It goes on until done or a condition fires — not at the first success.
 * @returns the last output.
 * @throws AgentFailure of the orchestrator (a RouterDecisionError) when it stops before any
 * candidate ran: such a run has no output.
 */
export async function runRouterLoop(options: RouterLoopOptions): Promise<unknown> {
  const { execution, settings, termination, candidates } = options;
  const history: RouteHistoryEntry[] = [];
  const agentsCalled: string[] = [];
  const state: TerminationState = {
    iteration: 0,
    elapsedMs: 0,
    costUsd: undefined,
    lastAgent: undefined,
    lastOutput: undefined,
    agentsCalled,
  };
  const cost = execution.builder.result.cost;
  let stopReason = "";
  for (let iteration = 1; ; iteration++) {
    state.elapsedMs = execution.elapsedMs();
    state.costUsd = cost.calls > 0 ? cost.totalUsd : undefined;
    const fired = termination.check(state);
    if (fired !== undefined) {
      stopReason = `termination condition ${fired} fired`;
      await execution.emit(
        "agent_selected",
        {
          nextAgent: "",
          reason: `Stopped by termination condition ${fired}.`,
          iteration,
          done: true,
        },
        ORCHESTRATOR_ID,
      );
      break;
    }
    await execution.checkpoint();
    let decision;
    try {
      decision =
        recalled(execution, iteration) ??
        (await decideNext(execution, settings, candidates, history, iteration));
    } catch (error) {
      throw new AgentFailure(ORCHESTRATOR_ID, error);
    }
    const { nextAgent, reason, done, fallback, usage } = decision;
    await execution.emit(
      "agent_selected",
      { nextAgent, reason, iteration, done, fallback, usage },
      ORCHESTRATOR_ID,
    );
    if (done) {
      stopReason = `the orchestrator said done: ${reason || "no reason given"}`;
      break;
    }
    await execution.checkpoint();
    const { output } = await options.runCandidate(nextAgent, iteration);
    history.push({ id: nextAgent, output });
    agentsCalled.push(nextAgent);
    state.iteration = iteration;
    state.lastAgent = nextAgent;
    state.lastOutput = output;
    await execution.progress(iteration, undefined, nextAgent);
  }
  if (history.length === 0) {
    throw new AgentFailure(
      ORCHESTRATOR_ID,
      new RouterDecisionError(
        `The orchestrator ended the run before any ${settings.noun} ran, so the run has no output (${stopReason}).`,
      ),
    );
  }
  return state.lastOutput;
}

/** The decision a resumed run made before its restart (the run store's `agent_selected`). */
function recalled(execution: RunExecution, iteration: number): RouteDecision | undefined {
  const stored = execution.recallRoute(iteration);
  if (!stored) return undefined;
  return {
    nextAgent: stored.nextAgent,
    reason: stored.reason,
    done: stored.done ?? false,
    fallback: stored.fallback ?? false,
    usage: stored.usage ?? emptyUsage(),
  };
}
