import type { PreparedAgent } from "../agents/llm-agent.js";
import { BudgetExceededError } from "../errors/budget-exceeded-error.js";
import type { RunExecution } from "../run/run-execution.js";
import { evaluateCondition } from "./condition.js";
import type { FlowEdge, FlowGraph } from "./flow-graph.js";

type NodeState = "waiting" | "running" | "done" | "skipped";
type Settled = { id: string; output: unknown } | { id: string; error: unknown };

/**
 * Runs a flow graph. An agent starts once every edge into it has been decided (its source
 * finished, or was skipped) and at least one holds; when none holds it is skipped, and so
 * are the edges out of it. Agents whose edges are decided together run concurrently. A loop
 * edge that holds re-runs its target and everything after it, up to `maxIterations` runs.
 * The first failure stops the agents still running and fails the flow — except a budget
 * refusal: then no further agent starts, but those already running go on (each of their calls
 * is still reserved first, so a hard limit holds) and what they spend counts.
 * @returns the output of the agent that finished last with no way on, or `{ id: output }`
 *   when several branches ended with their own agent.
 */
export async function runGraph(execution: RunExecution, graph: FlowGraph): Promise<unknown> {
  if (!graph.parallel && !graph.dynamic) return runLinear(execution, graph.order);
  const agents = new Map(execution.plan.agents.map((agent) => [agent.id, agent]));
  const state = new Map<string, NodeState>(graph.nodes.map((id) => [id, "waiting"]));
  const decided = new Map<FlowEdge, boolean>();
  const loopRuns = new Map<FlowEdge, number>();
  const pendingLoops: FlowEdge[] = [];
  const outputs = new Map<string, unknown>();
  const finished: Settled[] = [];
  let wake: (() => void) | undefined;
  let running = 0;
  let ends: string[] = [];
  // Only a graph where agents can overlap needs to stop the others when one fails.
  const stopSiblings = graph.parallel ? new AbortController() : undefined;
  const signal = stopSiblings
    ? AbortSignal.any([execution.signal, stopSiblings.signal])
    : execution.signal;
  const total = graph.dynamic ? undefined : graph.nodes.length;
  let failure: { error: unknown } | undefined;
  let step = 0;
  let completed = 0;

  const start = (id: string): void => {
    state.set(id, "running");
    running++;
    const agent = agents.get(id)!;
    const agentStep = ++step;
    execution
      .checkpoint()
      .then(() => execution.runAgent(agent, agentStep, signal))
      .then(
        (result): Settled => ({ id, output: result.output }),
        (error: unknown): Settled => ({ id, error }),
      )
      .then(
        (settled) => {
          finished.push(settled);
          const resume = wake;
          wake = undefined;
          resume?.();
        },
        () => undefined,
      );
  };

  const waitsForLoop = (id: string): boolean =>
    pendingLoops.length > 0 && pendingLoops.some((edge) => graph.regions.get(edge)!.has(id));

  /** Starts or skips the given agents when their incoming edges are decided; skips propagate. */
  const consider = (ids: Iterable<string>): void => {
    const queue = [...ids];
    for (let index = 0; index < queue.length; index++) {
      const id = queue[index]!;
      if (state.get(id) !== "waiting" || waitsForLoop(id)) continue;
      let pending = false;
      let active = false;
      for (const edge of graph.incoming.get(id)!) {
        const holds = decided.get(edge);
        if (holds === undefined) pending = true;
        else if (holds) active = true;
      }
      if (pending) continue;
      if (active || graph.incoming.get(id)!.length === 0) {
        start(id);
        continue;
      }
      state.set(id, "skipped");
      for (const edge of graph.outgoing.get(id)!) {
        decided.set(edge, false);
        queue.push(edge.to);
      }
    }
  };

  /** Decides the edges out of an agent that finished, or queues the loop that re-runs it. */
  const decide = async (id: string): Promise<void> => {
    for (const edge of graph.loops.get(id) ?? []) {
      if (edge.when !== undefined && !evaluateCondition(edge.when, execution.variables)) continue;
      const runs = loopRuns.get(edge) ?? 1;
      if (runs >= edge.maxIterations!) {
        await execution.emit("warning", {
          message: `Loop ${edge.from} -> ${edge.to} reached maxIterations (${edge.maxIterations}); the flow goes on without it.`,
          code: "loop_limit",
        });
        continue;
      }
      loopRuns.set(edge, runs + 1);
      pendingLoops.push(edge);
      return;
    }
    let goesOn = false;
    for (const edge of graph.outgoing.get(id)!) {
      const holds = edge.when === undefined || evaluateCondition(edge.when, execution.variables);
      decided.set(edge, holds);
      goesOn ||= holds;
    }
    if (!goesOn) ends.push(id);
  };

  /** Re-arms the loops whose agents have all stopped; returns the agents to consider again. */
  const startLoops = (): string[] => {
    const again: string[] = [];
    for (let index = 0; index < pendingLoops.length; index++) {
      const edge = pendingLoops[index]!;
      const region = graph.regions.get(edge)!;
      if ([...region].some((id) => state.get(id) === "running")) continue;
      for (const id of region) {
        state.set(id, "waiting");
        for (const out of graph.outgoing.get(id)!) decided.delete(out);
        for (const inner of graph.loops.get(id) ?? [])
          if (inner !== edge && region.has(inner.to)) loopRuns.delete(inner);
      }
      ends = ends.filter((id) => !region.has(id));
      pendingLoops.splice(index--, 1);
      again.push(...graph.order.filter((id) => region.has(id)));
    }
    return again;
  };

  consider(graph.order);
  while (running > 0) {
    if (finished.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    const settled = finished.shift()!;
    running--;
    if ("error" in settled) {
      state.set(settled.id, "done");
      if (!failure) {
        failure = { error: settled.error };
        // Aborting a call the provider is answering would not stop its bill, only its record.
        if (!isBudgetRefusal(settled.error))
          stopSiblings?.abort(new Error(`Stopped because agent "${settled.id}" failed.`));
      }
      continue;
    }
    if (failure) continue;
    state.set(settled.id, "done");
    outputs.set(settled.id, settled.output);
    await execution.progress(++completed, total, settled.id);
    await decide(settled.id);
    consider([
      ...(graph.outgoing.get(settled.id) ?? []).map((edge) => edge.to),
      ...(pendingLoops.length > 0 ? startLoops() : []),
    ]);
  }
  if (failure) throw failure.error;
  if (ends.length === 1) return outputs.get(ends[0]!);
  return Object.fromEntries(ends.map((id) => [id, outputs.get(id)]));
}

/** A budget refusal, as thrown or as the cause of the agent's failure. */
function isBudgetRefusal(error: unknown): boolean {
  return (
    BudgetExceededError.isInstance(error) ||
    (error instanceof Error && BudgetExceededError.isInstance(error.cause))
  );
}

/** The agents of a plan by id, made once per plan's agent list (runs share it). */
const agentsByList = new WeakMap<readonly PreparedAgent[], Map<string, PreparedAgent>>();

/** A chain without branches or conditions: one agent after the other. */
export async function runLinear(
  execution: RunExecution,
  order: readonly string[],
): Promise<unknown> {
  const list = execution.plan.agents;
  let agents = agentsByList.get(list);
  if (!agents) {
    agents = new Map(list.map((agent) => [agent.id, agent]));
    agentsByList.set(list, agents);
  }
  let output: unknown;
  for (let index = 0; index < order.length; index++) {
    await execution.checkpoint();
    const result = await execution.runAgent(agents.get(order[index]!)!, index + 1);
    output = result.output;
    await execution.progress(index + 1, order.length, order[index]!);
  }
  return output;
}
