import type { Citation, RetrievalFact } from "../events/retrieval.js";
import { emptyUsage } from "../events/usage.js";
import type { KnowledgeBase } from "../knowledge/knowledge-base.js";
import { citationOf, formatContext, type KnowledgeSearchResult } from "../knowledge/passages.js";
import type { AgentConfig } from "./agent-config.js";
import type { AgentStep } from "./agent-step.js";
import { renderTemplate, type Template } from "./template.js";

/** The run variable that holds the context of the last knowledge agent that ran. */
export const CONTEXT_VARIABLE = "context";

/** The default search text of `rag` and `kag` agents: the run's query. */
export const DEFAULT_KNOWLEDGE_QUERY = "{query}";

/**
 * The step of a `rag` or `kag` agent: renders its `query`, searches its knowledge base (opened
 * on first use), emits `retrieval` with the citations, sets `{context}` and answers the
 * passages (and facts) with a `Sources:` block. Citations are in the agent result.
 */
export function knowledgeStep(
  agentId: string,
  config: AgentConfig,
  query: Template,
  open: () => KnowledgeBase,
): AgentStep {
  return async ({ variables, signal, events, meter }) => {
    const text = renderTemplate(query, variables, agentId);
    signal.throwIfAborted();
    const base = open();
    const searchStarted = performance.now();
    const result: KnowledgeSearchResult =
      config.type === "kag"
        ? await base.searchGraph(text, {
            ...(config.maxHops === undefined ? {} : { maxHops: config.maxHops }),
            ...(config.maxEntities === undefined ? {} : { maxEntities: config.maxEntities }),
            ...(config.entityTypes === undefined ? {} : { entityTypes: config.entityTypes }),
            ...(config.topK === undefined ? {} : { topK: config.topK }),
          })
        : await base.search(text, {
            signal,
            ...(meter ? { meter } : {}),
            ...(config.topK === undefined ? {} : { topK: config.topK }),
            ...(config.scoreThreshold === undefined
              ? {}
              : { scoreThreshold: config.scoreThreshold }),
            ...(config.filters === undefined ? {} : { filters: config.filters }),
            ...(config.retrievalMode === undefined ? {} : { mode: config.retrievalMode }),
          });
    const citations: Citation[] = result.passages.map(citationOf);
    const facts: RetrievalFact[] = result.facts.map((fact) => ({
      source: fact.source,
      relation: fact.relation,
      target: fact.target,
      hops: fact.hops,
      document: fact.path,
      chunk: fact.position,
    }));
    const includeRelations = config.type === "kag" && (config.includeRelations ?? true);
    const wait = events.emit("retrieval", {
      knowledgeBase: base.name,
      query: text,
      mode: result.mode,
      citations,
      ...(includeRelations ? { facts } : {}),
      durationMs: Math.round(performance.now() - searchStarted),
    });
    if (wait) await wait;
    const output = formatContext(includeRelations ? result : { ...result, facts: [] }, {
      ...(config.includeSources === undefined ? {} : { includeSources: config.includeSources }),
      ...(config.includeScores === undefined ? {} : { includeScores: config.includeScores }),
    });
    // The query's embedding call (vector, hybrid) is in the details too; its tokens and cost
    // reached the run through the meter (a `cost_update` of this agent), so usage stays empty
    // here: the run's usage is the sum of its `cost_update` events.
    const embedded = result.embedding;
    return {
      output,
      usage: emptyUsage(),
      model: undefined,
      latencyMs: 0,
      details: {
        modelCalls: 0,
        // `{context}` reads it too (set by the run, and restored when a stored run resumes).
        outputAliases: [CONTEXT_VARIABLE],
        citations,
        ...(includeRelations ? { facts } : {}),
        ...(embedded ? { embedding: embedded } : {}),
      },
    };
  };
}
