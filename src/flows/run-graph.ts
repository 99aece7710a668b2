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
  return new GraphScheduler(execution, graph).run();
}

/** One run of a branching or dynamic graph: the state {@link runGraph} schedules from. */
class GraphScheduler {
  private readonly agents: Map<string, PreparedAgent>;
  private readonly state: Map<string, NodeState>;
  private readonly decided = new Map<FlowEdge, boolean>();
  private readonly loopRuns = new Map<FlowEdge, number>();
  private readonly pendingLoops: FlowEdge[] = [];
  private readonly outputs = new Map<string, unknown>();
  private readonly finished: Settled[] = [];
  private wake: (() => void) | undefined = undefined;
  private running = 0;
  private ends: string[] = [];
  // Only a graph where agents can overlap needs to stop the others when one fails.
  private readonly stopSiblings: AbortController | undefined;
  private readonly signal: AbortSignal;
  private readonly total: number | undefined;
  private failure: { error: unknown } | undefined = undefined;
  private step = 0;
  private completed = 0;

  constructor(
    private readonly execution: RunExecution,
    private readonly graph: FlowGraph,
  ) {
    this.agents = new Map(execution.plan.agents.map((agent) => [agent.id, agent]));
    this.state = new Map<string, NodeState>(graph.nodes.map((id) => [id, "waiting"]));
    this.stopSiblings = graph.parallel ? new AbortController() : undefined;
    this.signal = this.stopSiblings
      ? AbortSignal.any([execution.signal, this.stopSiblings.signal])
      : execution.signal;
    this.total = graph.dynamic ? undefined : graph.nodes.length;
  }

  /** Starts the agents with no edge in, then each agent whose edges are decided, until none runs. */
  async run(): Promise<unknown> {
    const graph = this.graph;
    this.consider(graph.order);
    while (this.running > 0) {
      if (this.finished.length === 0) await new Promise<void>((resolve) => (this.wake = resolve));
      const settled = this.finished.shift()!;
      this.running--;
      if ("error" in settled) {
        this.fail(settled.id, settled.error);
        continue;
      }
      if (this.failure) continue;
      this.state.set(settled.id, "done");
      this.outputs.set(settled.id, settled.output);
      await this.execution.progress(++this.completed, this.total, settled.id);
      await this.decide(settled.id);
      this.consider([
        ...(graph.outgoing.get(settled.id) ?? []).map((edge) => edge.to),
        ...(this.pendingLoops.length > 0 ? this.startLoops() : []),
      ]);
    }
    if (this.failure) throw this.failure.error;
    const ends = this.ends;
    if (ends.length === 1) return this.outputs.get(ends[0]!);
    return Object.fromEntries(ends.map((id) => [id, this.outputs.get(id)]));
  }

  /** Records the first failure; stops the running siblings unless it is a budget refusal. */
  private fail(id: string, error: unknown): void {
    this.state.set(id, "done");
    if (this.failure) return;
    this.failure = { error };
    // Aborting a call the provider is answering would not stop its bill, only its record.
    if (!isBudgetRefusal(error))
      this.stopSiblings?.abort(new Error(`Stopped because agent "${id}" failed.`));
  }

  /** Runs an agent in the background; its outcome lands in `finished` and wakes the loop. */
  private start(id: string): void {
    this.state.set(id, "running");
    this.running++;
    const agent = this.agents.get(id)!;
    const agentStep = ++this.step;
    this.execution
      .checkpoint()
      .then(() => this.execution.runAgent(agent, agentStep, this.signal))
      .then(
        (result): Settled => ({ id, output: result.output }),
        (error: unknown): Settled => ({ id, error }),
      )
      .then(
        (settled) => {
          this.finished.push(settled);
          const resume = this.wake;
          this.wake = undefined;
          resume?.();
        },
        () => undefined,
      );
  }

  private waitsForLoop(id: string): boolean {
    const pendingLoops = this.pendingLoops;
    return (
      pendingLoops.length > 0 && pendingLoops.some((edge) => this.graph.regions.get(edge)!.has(id))
    );
  }

  /** Starts or skips the given agents when their incoming edges are decided; skips propagate. */
  private consider(ids: Iterable<string>): void {
    const { graph, state, decided } = this;
    const queue = [...ids];
    for (let index = 0; index < queue.length; index++) {
      const id = queue[index]!;
      if (state.get(id) !== "waiting" || this.waitsForLoop(id)) continue;
      let pending = false;
      let active = false;
      for (const edge of graph.incoming.get(id)!) {
        const holds = decided.get(edge);
        if (holds === undefined) pending = true;
        else if (holds) active = true;
      }
      if (pending) continue;
      if (active || graph.incoming.get(id)!.length === 0) {
        this.start(id);
        continue;
      }
      state.set(id, "skipped");
      for (const edge of graph.outgoing.get(id)!) {
        decided.set(edge, false);
        queue.push(edge.to);
      }
    }
  }

  /** Decides the edges out of an agent that finished, or queues the loop that re-runs it. */
  private async decide(id: string): Promise<void> {
    const { graph, execution } = this;
    for (const edge of graph.loops.get(id) ?? []) {
      if (edge.when !== undefined && !evaluateCondition(edge.when, execution.variables)) continue;
      const runs = this.loopRuns.get(edge) ?? 1;
      if (runs >= edge.maxIterations!) {
        await execution.emit("warning", {
          message: `Loop ${edge.from} -> ${edge.to} reached maxIterations (${edge.maxIterations}); the flow goes on without it.`,
          code: "loop_limit",
        });
        continue;
      }
      this.loopRuns.set(edge, runs + 1);
      this.pendingLoops.push(edge);
      return;
    }
    let goesOn = false;
    for (const edge of graph.outgoing.get(id)!) {
      const holds = edge.when === undefined || evaluateCondition(edge.when, execution.variables);
      this.decided.set(edge, holds);
      goesOn ||= holds;
    }
    if (!goesOn) this.ends.push(id);
  }

  /** Re-arms the loops whose agents have all stopped; returns the agents to consider again. */
  private startLoops(): string[] {
    const { graph, state, pendingLoops } = this;
    const again: string[] = [];
    for (let index = 0; index < pendingLoops.length; index++) {
      const edge = pendingLoops[index]!;
      const region = graph.regions.get(edge)!;
      if ([...region].some((id) => state.get(id) === "running")) continue;
      for (const id of region) {
        state.set(id, "waiting");
        for (const out of graph.outgoing.get(id)!) this.decided.delete(out);
        for (const inner of graph.loops.get(id) ?? [])
          if (inner !== edge && region.has(inner.to)) this.loopRuns.delete(inner);
      }
      this.ends = this.ends.filter((id) => !region.has(id));
      pendingLoops.splice(index--, 1);
      again.push(...graph.order.filter((id) => region.has(id)));
    }
    return again;
  }
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
