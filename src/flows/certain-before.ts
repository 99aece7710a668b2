import type { FlowEdge } from "./flow-graph-types.js";
import { NodeSet, type nodeUniverse } from "./node-set.js";

/**
 * The agents certain to have completed when each agent starts: those on every incoming path,
 * the entries, and what they reach by edges without a condition — among its ancestors.
 */
export function certainBefore(
  order: string[],
  entry: string[],
  incoming: Map<string, FlowEdge[]>,
  outgoing: Map<string, FlowEdge[]>,
  ancestors: Map<string, NodeSet>,
  universe: ReturnType<typeof nodeUniverse>,
): Map<string, NodeSet> {
  const certain = new Map<string, NodeSet>();
  for (const id of order) {
    const into = incoming.get(id)!;
    if (into.length === 0) {
      certain.set(id, new NodeSet(universe));
      continue;
    }
    let common: NodeSet | undefined;
    for (const edge of into) {
      const ran = certain.get(edge.from)!.copy().add(edge.from);
      common = common ? common.keepOnly(ran) : ran;
    }
    // Entries always run, so do the agents they reach by edges without a condition. Only
    // ancestors count, and only ancestors lead to ancestors: the walk stays among them.
    const upstream = ancestors.get(id)!;
    const closure = common!;
    for (const name of entry) if (upstream.has(name)) closure.add(name);
    const queue = [...closure];
    while (queue.length > 0) {
      for (const edge of outgoing.get(queue.pop()!)!) {
        if (edge.when === undefined && upstream.has(edge.to) && !closure.has(edge.to)) {
          closure.add(edge.to);
          queue.push(edge.to);
        }
      }
    }
    certain.set(id, closure.keepOnly(upstream));
  }
  return certain;
}
