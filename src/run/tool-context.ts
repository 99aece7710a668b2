import type { AgentCallSettings, AgentRunContext, PreparedAgent } from "../agents/llm-agent.js";
import type { UsageMeter } from "../cost/usage-meter.js";
import type { ToolApprovalFunction } from "../tools/tool-approval.js";
import type { RunJournal } from "./run-journal.js";
import type { SavedLoop } from "./run-replay.js";

/** What {@link toolContext} reads of the run. */
export interface ToolContextRun {
  readonly plan: {
    readonly runId: string;
    readonly pathPrefix: string;
    readonly journal?: RunJournal | undefined;
    readonly meter?: UsageMeter | undefined;
  };
  readonly variables: Record<string, unknown>;
  readonly observed: boolean;
  readonly checkpoint: () => Promise<void>;
  /** The run's tool approver for this agent, when someone can be asked. */
  readonly approveTool: ToolApprovalFunction | undefined;
}

/**
 * What an agent with tools runs with: its settings, approvals, step boundaries and durability
 * (a resumed loop's state, where the loop's state is saved, its tool calls' idempotency keys).
 */
export function toolContext(
  agent: PreparedAgent,
  settings: AgentCallSettings,
  started: number,
  loop: SavedLoop | undefined,
  run: ToolContextRun,
): AgentRunContext {
  const { plan } = run;
  const journal = plan.journal;
  const context: AgentRunContext = {
    settings,
    variables: run.variables,
    observed: run.observed,
    checkpoint: run.checkpoint,
    idempotencyPrefix: `${plan.runId}:${plan.pathPrefix}/${agent.id}`,
  };
  if (run.approveTool) context.approveTool = run.approveTool;
  if (loop) context.resume = loop.state;
  if (plan.meter) context.meter = plan.meter;
  if (journal) context.saveState = (state) => journal.saveLoop(agent.id, started, state);
  return context;
}
