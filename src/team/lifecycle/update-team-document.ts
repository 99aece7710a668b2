import { isDeepStrictEqual } from "node:util";
import type { Document, YAMLMap } from "yaml";
import { loadYaml } from "../../internal/load-yaml.js";
import type { AgentConfig } from "../../agents/agent-config.js";
import type { TeamConfig } from "../team-config.js";

/**
 * Edits a parsed YAML team file (a `yaml` `Document`) from `before` to `after` in place,
 * touching only what changed, so comments, key order and styles elsewhere survive. Agents
 * are matched by id: a changed agent keeps its node (and its comments); a removed agent's
 * node and comments go; a new agent is appended in run order.
 *
 * @example
 * const document = parseDocument(await readFile("team.yaml", "utf8"));
 * updateTeamDocument(document, before, team.toConfig());
 * await writeFile("team.yaml", document.toString());
 */
export function updateTeamDocument(
  document: Document,
  before: TeamConfig,
  after: TeamConfig,
): void {
  if (!loadYaml().isMap(document.contents)) {
    document.contents = document.createNode(after);
    return;
  }
  const root = document.contents;
  const { agents: oldAgents, ...oldSettings } = before;
  const { agents: newAgents, ...newSettings } = after;
  syncMap(document, root, oldSettings, newSettings);
  if (isDeepStrictEqual(oldAgents, newAgents)) return;
  const sequence = root.get("agents", true);
  if (newAgents === undefined) {
    root.delete("agents");
    return;
  }
  if (!loadYaml().isSeq(sequence) || oldAgents === undefined) {
    root.set("agents", document.createNode(newAgents));
    return;
  }
  const nodes = new Map<string, unknown>();
  oldAgents.forEach((agent, index) => nodes.set(agentId(agent), sequence.items[index]));
  const oldById = new Map(oldAgents.map((agent) => [agentId(agent), agent]));
  sequence.items = newAgents.map((agent) => {
    const node = nodes.get(agentId(agent));
    const old = oldById.get(agentId(agent));
    if (old !== undefined && loadYaml().isMap(node)) {
      syncMap(document, node, old, agent);
      return node;
    }
    return document.createNode(agent);
  });
}

function syncMap(document: Document, map: YAMLMap, before: object, after: object): void {
  const old = before as Record<string, unknown>;
  const next = after as Record<string, unknown>;
  for (const key of new Set([...Object.keys(old), ...Object.keys(next)])) {
    const value = next[key];
    if (isDeepStrictEqual(old[key], value)) continue;
    if (value === undefined) {
      map.delete(key);
      continue;
    }
    const node = map.get(key, true);
    if (loadYaml().isScalar(node) && isScalarValue(value) && isScalarValue(node.value))
      node.value = value;
    else if (loadYaml().isMap(node) && isPlainObject(value) && isPlainObject(old[key]))
      syncMap(document, node, old[key], value);
    else map.set(key, document.createNode(value));
  }
}

function isScalarValue(value: unknown): boolean {
  return value === null || ["string", "number", "boolean"].includes(typeof value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function agentId(agent: AgentConfig): string {
  return agent.id ?? agent.role;
}
