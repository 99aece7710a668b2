import type { RunExecution } from "../run-execution.js";
import { evaluateCondition } from "./condition.js";
import type { FlowEdge, FlowGraph } from "./flow-graph.js";

type NodeState = "waiting" | "running" | "done" | "skipped";
type Settled = { id: string; output: unknown } | { id: string; error: unknown };

/**
 * Runs a flow graph. An agent starts once every edge into it has been decided (its source
 * finished, or was skipped) and at least one holds; when none holds it is skipped, and so
 * are the edges out of it. Agents whose edges are decided together run concurrently. A loop
 * edge that holds re-runs its target and everything after it, up to `maxIterations` runs.
 * The first failure stops the agents still running and fails the flow.
 * @returns the output of the agent that finished last with no way on, or `{ id: output }`
 *   when several branches ended with their own agent.
 */
export async function runGraph(execution: RunExecution, graph: FlowGraph): Promise<unknown> {
  const agents = new Map(execution.plan.agents.map((agent) => [agent.id, agent]));
  const state = new Map<string, NodeState>(graph.nodes.map((id) => [id, "waiting"]));
  const decided = new Map<FlowEdge, boolean>();
  const loopRuns = new Map<FlowEdge, number>();
  const pendingLoops: FlowEdge[] = [];
  const running = new Map<string, Promise<Settled>>();
  const outputs = new Map<string, unknown>();
  let ends: string[] = [];
  const stopSiblings = new AbortController();
  const signal = AbortSignal.any([execution.signal, stopSiblings.signal]);
  const total = graph.dynamic ? undefined : graph.nodes.length;
  let failure: { error: unknown } | undefined;
  let step = 0;
  let completed = 0;

  const start = (id: string): void => {
    state.set(id, "running");
    const agent = agents.get(id)!;
    const agentStep = ++step;
    const task = (async (): Promise<Settled> => {
      await execution.checkpoint();
      const result = await execution.runAgent(agent, agentStep, signal);
      return { id, output: result.output };
    })().catch((error: unknown) => ({ id, error }));
    running.set(id, task);
  };

  const waitsForLoop = (id: string): boolean => pendingLoops.some((edge) => graph.regions.get(edge)!.has(id));

  const schedule = (): void => {
    for (let changed = true; changed; ) {
      changed = false;
      for (const id of graph.nodes) {
        if (state.get(id) !== "waiting" || waitsForLoop(id)) continue;
        const into = graph.incoming.get(id)!;
        if (into.length === 0) {
          start(id);
          continue;
        }
        if (into.some((edge) => !decided.has(edge))) continue;
        if (into.some((edge) => decided.get(edge))) {
          start(id);
          continue;
        }
        state.set(id, "skipped");
        for (const edge of graph.outgoing.get(id)!) decided.set(edge, false);
        changed = true;
      }
    }
  };

  /** Decides the edges out of an agent that finished; returns false when a loop re-runs it. */
  const decide = async (id: string): Promise<void> => {
    for (const edge of graph.loops.get(id) ?? []) {
      if (edge.when !== undefined && !evaluateCondition(edge.when, execution.variables)) continue;
      const runs = loopRuns.get(edge) ?? 1;
      if (runs >= edge.maxIterations!) {
        const wait = execution.emit("warning", {
          message: `Loop ${edge.from} -> ${edge.to} reached maxIterations (${edge.maxIterations}); the flow goes on without it.`,
          code: "loop_limit",
        });
        if (wait) await wait;
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

  const startLoops = (): void => {
    for (let index = 0; index < pendingLoops.length; index++) {
      const edge = pendingLoops[index]!;
      const region = graph.regions.get(edge)!;
      if ([...region].some((id) => state.get(id) === "running")) continue;
      for (const id of region) {
        state.set(id, "waiting");
        for (const out of graph.outgoing.get(id)!) decided.delete(out);
        for (const inner of graph.loops.get(id) ?? []) if (inner !== edge && region.has(inner.to)) loopRuns.delete(inner);
      }
      ends = ends.filter((id) => !region.has(id));
      pendingLoops.splice(index--, 1);
    }
  };

  schedule();
  while (running.size > 0) {
    const settled = await Promise.race(running.values());
    running.delete(settled.id);
    if ("error" in settled) {
      if (!failure) {
        failure = { error: settled.error };
        stopSiblings.abort(new Error(`Stopped because agent "${settled.id}" failed.`));
      }
      continue;
    }
    if (failure) continue;
    state.set(settled.id, "done");
    outputs.set(settled.id, settled.output);
    const wait = execution.emit("progress", { completed: ++completed, total, label: settled.id });
    if (wait) await wait;
    await decide(settled.id);
    startLoops();
    schedule();
  }
  if (failure) throw failure.error;
  if (ends.length === 1) return outputs.get(ends[0]!);
  return Object.fromEntries(ends.map((id) => [id, outputs.get(id)]));
}
