import type { FlowEdge } from "./flow-graph-types.js";

/**
 * Orders the agents so each comes after those it waits for (by forward edges), or, when the
 * edges have a cycle, returns one cycle (its first agent repeated at the end).
 */
export function topologicalOrder(
  nodes: string[],
  outgoing: Map<string, FlowEdge[]>,
  incoming: Map<string, FlowEdge[]>,
): { order: string[] } | { cycle: string[] } {
  const remaining = new Map(nodes.map((id) => [id, incoming.get(id)!.length]));
  const queue = nodes.filter((id) => remaining.get(id) === 0);
  const order: string[] = [];
  while (queue.length > 0) {
    const id = queue.shift()!;
    order.push(id);
    for (const edge of outgoing.get(id)!) {
      const left = remaining.get(edge.to)! - 1;
      remaining.set(edge.to, left);
      if (left === 0) queue.push(edge.to);
    }
  }
  if (order.length === nodes.length) return { order };
  return {
    cycle: findCycle(
      nodes.filter((id) => remaining.get(id)! > 0),
      outgoing,
    ),
  };
}

function findCycle(candidates: string[], outgoing: Map<string, FlowEdge[]>): string[] {
  const inCycleSet = new Set(candidates);
  const path: string[] = [];
  const onPath = new Set<string>();
  const visited = new Set<string>();
  const visit = (id: string): string[] | undefined => {
    path.push(id);
    onPath.add(id);
    visited.add(id);
    for (const edge of outgoing.get(id)!) {
      if (!inCycleSet.has(edge.to)) continue;
      if (onPath.has(edge.to)) return [...path.slice(path.indexOf(edge.to)), edge.to];
      if (!visited.has(edge.to)) {
        const found = visit(edge.to);
        if (found) return found;
      }
    }
    path.pop();
    onPath.delete(id);
    return undefined;
  };
  for (const id of candidates) {
    if (visited.has(id)) continue;
    const found = visit(id);
    if (found) return found;
  }
  return candidates;
}
