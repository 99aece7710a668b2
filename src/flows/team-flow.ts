import { modelNameOf } from "../agents/agent-config.js";
import type { PreparedAgent } from "../agents/llm-agent.js";
import { ConfigError } from "../errors/config-error.js";
import { compileFlow, type CompiledFlow } from "./flow-graph.js";
import { runGraph, runLinear } from "./run-graph.js";
import { flowAgentsOf, checkTeamFlow, type TeamFlowSettings } from "./validate-team-flow.js";
import { ORCHESTRATOR_DEFAULTS, orchestratorMaxTokens } from "../router/orchestrator-config.js";
import type { RouteSettings } from "../router/route-decision.js";
import { runRouterLoop } from "../router/run-router.js";
import { orchestratorTermination, type TerminationCondition } from "../router/termination.js";
import type { RunExecution } from "../run/run-execution.js";
import { runSequential } from "./sequential-flow.js";

/** A team's flow, compiled: sequential, a graph (chain or explicit), or the router. */
export type TeamFlow =
  | CompiledFlow
  | {
      kind: "router";
      route: Omit<RouteSettings, "model">;
      termination: TerminationCondition;
      model: string | undefined;
    };

/**
 * Compiles the team's flow or router settings against its agents.
 * @throws ConfigError listing every problem with its path.
 */
export function compileTeamFlow(
  settings: TeamFlowSettings & { maxTokens?: number | undefined },
  agents: PreparedAgent[],
): TeamFlow {
  const configs = agents.map((agent) => agent.config);
  const issues = checkTeamFlow(settings, configs);
  if (issues.length > 0) throw new ConfigError(issues);
  if (settings.orchestration) {
    const orchestrator = settings.orchestrator ?? {};
    const termination = orchestratorTermination(orchestrator, ORCHESTRATOR_DEFAULTS.maxIterations);
    return {
      kind: "router",
      model: orchestrator.model === undefined ? undefined : modelNameOf(orchestrator.model),
      termination,
      route: {
        prompt: orchestrator.prompt,
        maxIterations: orchestrator.maxIterations ?? ORCHESTRATOR_DEFAULTS.maxIterations,
        onInvalidDecision:
          orchestrator.onInvalidDecision ?? ORCHESTRATOR_DEFAULTS.onInvalidDecision,
        temperature: orchestrator.temperature,
        maxTokens: orchestratorMaxTokens(orchestrator, settings.maxTokens),
        noun: "agent",
      },
    };
  }
  const compiled = compileFlow(settings.flow, flowAgentsOf(configs, settings.escalation));
  if ("issues" in compiled) throw new ConfigError(compiled.issues);
  return compiled.flow;
}

/** The mode a run reports in `run_started`: `sequential`, `chain`, `graph` or `router`. */
export function flowMode(flow: TeamFlow): string {
  return flow.kind === "graph" ? flow.graph.source : flow.kind;
}

/** Runs the team's agents in the flow's way. Returns the run's output. */
export function runTeamFlow(execution: RunExecution, flow: TeamFlow): Promise<unknown> {
  // The common cases without an extra async frame (it would live as long as the run).
  if (flow.kind === "sequential") return runSequential(execution);
  if (flow.kind === "graph" && !flow.graph.parallel && !flow.graph.dynamic)
    return runLinear(execution, flow.graph.order);
  return runOtherFlow(execution, flow);
}

async function runOtherFlow(execution: RunExecution, flow: TeamFlow): Promise<unknown> {
  switch (flow.kind) {
    case "sequential":
      return runSequential(execution);
    case "graph":
      return runGraph(execution, flow.graph);
    case "router": {
      const agents = new Map(execution.plan.agents.map((agent) => [agent.id, agent]));
      return runRouterLoop({
        execution,
        settings: { ...flow.route, model: execution.plan.models.get("_orchestrator")! },
        termination: flow.termination,
        candidates: execution.plan.agents.map((agent) => ({
          id: agent.id,
          role: agent.role,
          ...(agent.config.description === undefined
            ? {}
            : { description: agent.config.description }),
        })),
        runCandidate: (id, iteration) => execution.runAgent(agents.get(id)!, iteration),
      });
    }
  }
}
