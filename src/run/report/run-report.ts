import type { ErrorInfo, RunStatus, StreamEventDataMap } from "../../events/stream-event.js";
import type { Usage } from "../../events/usage.js";

/** One agent run in a report. */
export interface RunReportAgent {
  /** 1-based position in start order. */
  order: number;
  agentId: string;
  role: string;
  success: boolean;
  /** When the agent started, in ms after the run started. */
  startedAtMs: number;
  latencyMs: number;
  usage: Usage;
  model: string | undefined;
  modelCalls: number;
  error?: ErrorInfo;
}

/** One routing decision (router mode, group router and arbiter). */
export interface RunReportDecision {
  iteration: number;
  /** The agent (or team) chosen; empty when the decision ended the run. */
  nextAgent: string;
  reason: string;
  done: boolean;
  /** True when the orchestrator's answer was invalid and the fallback rule decided. */
  fallback: boolean;
}

/** One escalation of an agent's step (an `escalation` event): what triggered it and what was done. */
export type RunReportEscalation = { agentId: string } & StreamEventDataMap["escalation"];

/** A run's report as plain data (what `JSON.stringify(result.report)` writes). */
export interface RunReportData {
  runId: string;
  teamId: string;
  /** `sequential`, `chain`, `graph`, `router`, or `group:<role>`. */
  mode: string;
  status: RunStatus | "running";
  success: boolean;
  durationMs: number;
  startedAt: string;
  usage: Usage;
  /** Spend in USD of the priced calls (the result's `cost.totalUsd`); undefined when no call was counted. */
  costUsd: number | undefined;
  /** Models without a price: their calls are not in `costUsd`. */
  unpricedModels: string[];
  /** Agents in the order they started. */
  agents: RunReportAgent[];
  decisions: RunReportDecision[];
  /** Escalations of agents' steps, in order (see docs/orchestration.md, "Escalation"). */
  escalations: RunReportEscalation[];
  /** The run's error and each failed agent's. */
  errors: { agentId?: string; name: string; message: string; code?: string }[];
  warnings: string[];
  /** Reports of nested runs (teams in a group), by team id. */
  sections?: { title: string; report: RunReportData }[];
}

/**
 * What a run did, for people and programs: agents in order with durations, tokens and cost,
 * router decisions with their reasons, errors. `toMarkdown()` for people, `JSON.stringify`
 * (or `toJSON()`) for programs.
 *
 * @example
 * const result = await team.run({ query: "..." });
 * await writeFile("report.md", result.report.toMarkdown());
 */
export class RunReport implements RunReportData {
  readonly runId: string;
  readonly teamId: string;
  readonly mode: string;
  readonly status: RunStatus | "running";
  readonly success: boolean;
  readonly durationMs: number;
  readonly startedAt: string;
  readonly usage: Usage;
  readonly costUsd: number | undefined;
  readonly unpricedModels: string[];
  readonly agents: RunReportAgent[];
  readonly decisions: RunReportDecision[];
  readonly escalations: RunReportEscalation[];
  readonly errors: RunReportData["errors"];
  readonly warnings: string[];
  readonly sections?: { title: string; report: RunReportData }[];

  constructor(data: RunReportData) {
    this.runId = data.runId;
    this.teamId = data.teamId;
    this.mode = data.mode;
    this.status = data.status;
    this.success = data.success;
    this.durationMs = data.durationMs;
    this.startedAt = data.startedAt;
    this.usage = data.usage;
    this.costUsd = data.costUsd;
    this.unpricedModels = data.unpricedModels;
    this.agents = data.agents;
    this.decisions = data.decisions;
    this.escalations = data.escalations;
    this.errors = data.errors;
    this.warnings = data.warnings;
    if (data.sections) this.sections = data.sections;
  }

  /** The report as plain JSON data. */
  toJSON(): RunReportData {
    return { ...this };
  }

  /** The report as Markdown. */
  toMarkdown(): string {
    return reportMarkdown(this, 1);
  }
}

function reportMarkdown(report: RunReportData, level: number): string {
  const heading = "#".repeat(level);
  const lines = [
    `${heading} Run report: ${report.teamId}`,
    "",
    `- Run: \`${report.runId}\``,
    `- Mode: ${report.mode}`,
    `- Status: **${report.status}**`,
    `- Started: ${report.startedAt}`,
    `- Duration: ${report.durationMs} ms`,
    `- Tokens: ${tokens(report.usage)}`,
    `- Cost: ${report.costUsd === undefined ? "not tracked" : `$${report.costUsd.toFixed(6)}`}${report.unpricedModels.length > 0 ? ` (unpriced, not counted: ${report.unpricedModels.join(", ")})` : ""}`,
    "",
    `${heading}# Agents`,
    "",
  ];
  if (report.agents.length === 0) lines.push("No agent ran.");
  else {
    lines.push(
      "| # | Agent | Role | Status | Start (ms) | Duration (ms) | Model | Calls | Tokens (in/out) |",
      "|---|---|---|---|---|---|---|---|---|",
    );
    for (const agent of report.agents) {
      const status = agent.success ? "ok" : `failed: ${cell(agent.error?.message ?? "")}`;
      lines.push(
        `| ${agent.order} | ${cell(agent.agentId)} | ${cell(agent.role)} | ${status} | ${agent.startedAtMs} | ${agent.latencyMs} | ${cell(agent.model ?? "—")} | ${agent.modelCalls} | ${agent.usage.inputTokens}/${agent.usage.outputTokens} |`,
      );
    }
  }
  if (report.decisions.length > 0) {
    lines.push("", `${heading}# Decisions`, "");
    for (const decision of report.decisions) {
      const what = decision.done ? "done" : `→ ${decision.nextAgent}`;
      lines.push(
        `${decision.iteration}. ${what}${decision.fallback ? " (fallback)" : ""}: ${decision.reason}`,
      );
    }
  }
  if (report.escalations.length > 0) {
    lines.push("", `${heading}# Escalations`, "");
    for (const { agentId, trigger, action, to, depth, reason, exhausted } of report.escalations) {
      const what = action === "reroute" ? `reroute → ${to}` : action;
      lines.push(
        `- ${agentId} (${trigger}, depth ${depth}): ${what}${exhausted ? " (bounds used up)" : ""} — ${reason}`,
      );
    }
  }
  if (report.errors.length > 0) {
    lines.push("", `${heading}# Errors`, "");
    for (const error of report.errors)
      lines.push(`- ${error.agentId ? `${error.agentId}: ` : ""}${error.name}: ${error.message}`);
  }
  if (report.warnings.length > 0) {
    lines.push("", `${heading}# Warnings`, "");
    for (const warning of report.warnings) lines.push(`- ${warning}`);
  }
  for (const section of report.sections ?? []) {
    lines.push(
      "",
      `${heading}# ${section.title}`,
      "",
      reportMarkdown(section.report, level + 2).trimEnd(),
    );
  }
  return `${lines.join("\n")}\n`;
}

function tokens(usage: Usage): string {
  const parts = [`${usage.totalTokens} (${usage.inputTokens} in, ${usage.outputTokens} out`];
  if (usage.cachedInputTokens) parts.push(`, ${usage.cachedInputTokens} cached`);
  if (usage.reasoningTokens) parts.push(`, ${usage.reasoningTokens} reasoning`);
  return `${parts.join("")})${usage.estimated ? ", partly estimated" : ""}`;
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\s+/g, " ");
}
