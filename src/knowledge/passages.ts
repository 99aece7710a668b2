import type { ChunkHit, GraphFact } from "./knowledge-store.js";

import type { Citation } from "../events/retrieval.js";

export type { Citation } from "../events/retrieval.js";

/** A retrieved passage: its text and its citation. */
export interface Passage extends Citation {
  text: string;
}

/** How passages were ranked. */
export type RetrievalMode = "bm25" | "vector" | "hybrid" | "graph";

/** What a search of a knowledge base found. */
export interface KnowledgeSearchResult {
  knowledgeBase: string;
  query: string;
  mode: RetrievalMode;
  passages: Passage[];
  /** KAG: the facts of the graph walk (empty for passage retrieval). */
  facts: GraphFact[];
  /** The embedding call that embedded the query (vector and hybrid modes): its model and tokens. */
  embedding?: { model: string; tokens: number };
}

/** A passage from a stored chunk and its score. */
export function passageOf(hit: ChunkHit, score = hit.score): Passage {
  const passage: Passage = {
    document: hit.path,
    title: hit.title,
    chunk: hit.position,
    headings: hit.headings,
    score,
    text: hit.text,
  };
  if (hit.page !== undefined) passage.page = hit.page;
  return passage;
}

/** A passage's citation (the passage without its text). */
export function citationOf(passage: Passage): Citation {
  const { text: _text, ...citation } = passage;
  return citation;
}

/** How passages are written out for the next agent. */
export interface FormatOptions {
  /** End with a `Sources:` block naming each passage's document and chunk (default true). */
  includeSources?: boolean;
  /** Show each source's score (default false). */
  includeScores?: boolean;
}

function sourceLine(citation: Citation, index: number, includeScores: boolean): string {
  const where = [citation.document, ...citation.headings].join(" › ");
  const details = [`chunk ${citation.chunk}`];
  if (citation.page !== undefined) details.push(`page ${citation.page}`);
  if (includeScores) details.push(`score ${citation.score.toFixed(4)}`);
  return `[${index + 1}] ${where} (${details.join(", ")})`;
}

/**
 * The retrieved context as text: numbered passages (and graph facts), then a `Sources:` block,
 * so a model reading it can cite `[n]`.
 */
export function formatContext(result: KnowledgeSearchResult, options: FormatOptions = {}): string {
  const includeSources = options.includeSources ?? true;
  const includeScores = options.includeScores ?? false;
  const blocks: string[] = [];
  if (result.facts.length > 0) {
    blocks.push(
      "Facts:\n" +
        result.facts
          .map(
            (fact) =>
              `- ${fact.source} ${fact.relation} ${fact.target} (${fact.path}, chunk ${fact.position})`,
          )
          .join("\n"),
    );
  }
  result.passages.forEach((passage, index) => blocks.push(`[${index + 1}] ${passage.text}`));
  if (blocks.length === 0)
    return `No passages of knowledge base "${result.knowledgeBase}" match: ${result.query}`;
  if (includeSources && result.passages.length > 0) {
    blocks.push(
      "Sources:\n" +
        result.passages
          .map((passage, index) => sourceLine(passage, index, includeScores))
          .join("\n"),
    );
  }
  return blocks.join("\n\n");
}
