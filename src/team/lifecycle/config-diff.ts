import { isDeepStrictEqual } from "node:util";
import type { AgentConfig } from "../../agents/agent-config.js";
import type { TeamConfig } from "../team-config.js";

/**
 * One difference between two team configurations. Agents are named by id, not index:
 * `["agents", "writer", "prompt"]`. A change of run order is one `reordered` entry at `["agents"]`.
 */
export interface ConfigDiffEntry {
  path: (string | number)[];
  kind: "added" | "removed" | "changed" | "reordered";
  /** The old value (absent for `added`). */
  before?: unknown;
  /** The new value (absent for `removed`). */
  after?: unknown;
}

/** What changed between two configurations, key by key. */
export type ConfigDiff = ConfigDiffEntry[];

/**
 * Compares two team configurations key by key.
 *
 * @example
 * diffConfigs(before, after);
 * // [{ path: ["agents", "writer", "prompt"], kind: "changed", before: "Reply", after: "Reply formally" }]
 */
export function diffConfigs(before: TeamConfig, after: TeamConfig): ConfigDiff {
  const diff: ConfigDiff = [];
  const { agents: beforeAgents = [], ...beforeSettings } = before;
  const { agents: afterAgents = [], ...afterSettings } = after;
  diffObjects([], beforeSettings, afterSettings, diff);
  const beforeById = new Map(beforeAgents.map((agent) => [agentId(agent), agent]));
  const afterById = new Map(afterAgents.map((agent) => [agentId(agent), agent]));
  for (const [id, agent] of beforeById) {
    if (!afterById.has(id)) diff.push({ path: ["agents", id], kind: "removed", before: agent });
  }
  for (const [id, agent] of afterById) {
    const old = beforeById.get(id);
    if (old === undefined) diff.push({ path: ["agents", id], kind: "added", after: agent });
    else diffObjects(["agents", id], old, agent, diff);
  }
  const keptBefore = [...beforeById.keys()].filter((id) => afterById.has(id));
  const keptAfter = [...afterById.keys()].filter((id) => beforeById.has(id));
  if (!isDeepStrictEqual(keptBefore, keptAfter)) {
    diff.push({
      path: ["agents"],
      kind: "reordered",
      before: [...beforeById.keys()],
      after: [...afterById.keys()],
    });
  }
  return diff;
}

/**
 * Formats a diff for people, one line per entry: `+` added, `-` removed, `~` changed, `↕` reordered.
 *
 * @example
 * formatConfigDiff(diff); // '~ agents.writer.prompt: "Reply" → "Reply formally"'
 */
export function formatConfigDiff(diff: ConfigDiff): string {
  return diff
    .map((entry) => {
      const path = entry.path.join(".");
      switch (entry.kind) {
        case "added":
          return `+ ${path}: ${show(entry.after)}`;
        case "removed":
          return `- ${path}: ${show(entry.before)}`;
        case "changed":
          return `~ ${path}: ${show(entry.before)} → ${show(entry.after)}`;
        case "reordered":
          return `↕ ${path}: ${(entry.before as string[]).join(", ")} → ${(entry.after as string[]).join(", ")}`;
      }
      return path;
    })
    .join("\n");
}

function diffObjects(
  path: (string | number)[],
  before: object,
  after: object,
  diff: ConfigDiff,
): void {
  const old = before as Record<string, unknown>;
  const next = after as Record<string, unknown>;
  for (const key of new Set([...Object.keys(old), ...Object.keys(next)])) {
    const a = old[key];
    const b = next[key];
    if (isDeepStrictEqual(a, b)) continue;
    const at = [...path, key];
    if (a === undefined) diff.push({ path: at, kind: "added", after: b });
    else if (b === undefined) diff.push({ path: at, kind: "removed", before: a });
    else if (isPlainObject(a) && isPlainObject(b)) diffObjects(at, a, b, diff);
    else diff.push({ path: at, kind: "changed", before: a, after: b });
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function agentId(agent: AgentConfig): string {
  return agent.id ?? agent.role;
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
}
