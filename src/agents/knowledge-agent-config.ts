import * as z from "zod";
import type { ConfigIssue } from "../errors/config-error.js";

const scalar = z.union([z.string(), z.number(), z.boolean()]);

/** The keys of `rag` and `kag` agents (the original's names, in camelCase). */
export const knowledgeAgentShape = {
  /** `rag` / `kag`: the knowledge base to search, by name (see `llmteam kb list`). */
  knowledgeBase: z
    .string({ error: "knowledgeBase must be the name of a knowledge base (see llmteam kb list)." })
    .min(1, "knowledgeBase must not be empty.")
    .optional(),
  /** `rag` / `kag`: the search query, a template (default `{query}`, the run's query). */
  query: z.string().min(1, "query must not be empty.").optional(),
  /** `rag` / `kag`: passages to retrieve (default 5). */
  topK: z.number().int().positive().max(100).optional(),
  /** `rag`: passages scoring below this are dropped (BM25, cosine or RRF score, by mode). */
  scoreThreshold: z.number().optional(),
  /** `rag`: equality filters on document metadata (`format`, `path`, `title`, ingest's metadata); a list is any of. */
  filters: z.record(z.string(), z.union([scalar, z.array(scalar).min(1)])).optional(),
  /** `rag` / `kag`: end the output with a `Sources:` block (default true). */
  includeSources: z.boolean().optional(),
  /** `rag` / `kag`: show each source's score (default false). */
  includeScores: z.boolean().optional(),
  /** `rag`: `bm25`, `vector` or `hybrid` (default: `hybrid` when the base has an embedding model, else `bm25`). */
  retrievalMode: z.enum(["bm25", "vector", "hybrid"]).optional(),
  /** `kag`: hops of the graph walk from the question's entities (default 2). */
  maxHops: z.number().int().min(1).max(5).optional(),
  /** `kag`: entities of the question to start from (default 10). */
  maxEntities: z.number().int().positive().max(100).optional(),
  /** `kag`: list the facts (relations) found, before the passages (default true). */
  includeRelations: z.boolean().optional(),
  /** `kag`: only start from entities of these types. */
  entityTypes: z.array(z.string().min(1)).optional(),
};

/** Keys of {@link knowledgeAgentShape} only `kag` agents take. */
export const KAG_ONLY_KEYS = ["maxHops", "maxEntities", "includeRelations", "entityTypes"] as const;
/** Keys only `rag` agents take. */
export const RAG_ONLY_KEYS = ["scoreThreshold", "filters", "retrievalMode"] as const;
/** Keys `rag` and `kag` agents take. */
export const KNOWLEDGE_KEYS = [
  "knowledgeBase",
  "query",
  "topK",
  "includeSources",
  "includeScores",
] as const;

/** The agent kinds that search a knowledge base. */
export type KnowledgeType = "rag" | "kag";

/** True for `rag` and `kag` agents (they search a knowledge base and call no model). */
export function isKnowledgeType(type: string): type is KnowledgeType {
  return type === "rag" || type === "kag";
}

/**
 * Knowledge keys set where they do not apply: on agents of another kind, or a key of the other
 * knowledge kind (`maxHops` on a `rag` agent...).
 */
export function checkKnowledgeKeys(
  agent: Record<string, unknown> & { type: string },
): ConfigIssue[] {
  const { type } = agent;
  const rejected = isKnowledgeType(type)
    ? type === "rag"
      ? KAG_ONLY_KEYS
      : RAG_ONLY_KEYS
    : [...KNOWLEDGE_KEYS, ...RAG_ONLY_KEYS, ...KAG_ONLY_KEYS];
  const why = isKnowledgeType(type)
    ? `: it is a key of "${type === "rag" ? "kag" : "rag"}" agents`
    : `: knowledge keys are for agents of type "rag" or "kag"`;
  return rejected
    .filter((key) => agent[key] !== undefined)
    .map((key) => ({
      path: [key],
      message: `${key} does not apply to an agent of type "${type}"${why}.`,
    }));
}
