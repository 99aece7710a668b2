import * as z from "zod";
import type { Citation } from "../../events/retrieval.js";
import { KnowledgeCatalog } from "../../knowledge/knowledge-catalog.js";
import { citationOf, formatContext } from "../../knowledge/passages.js";
import { tool } from "../tool.js";
import type { ToolDefinition } from "../tool-definition.js";

/** Options of the `knowledge_search` built-in. */
export interface KnowledgeSearchToolOptions {
  /** Tool name (default `knowledge_search`). */
  name?: string;
  /** Where the knowledge bases are (default: the shared catalog of `.llmteam/kb`; a team passes its own). */
  catalog?: KnowledgeCatalog;
  /** The knowledge base searched when the model names none (default: the only one there is). */
  knowledgeBase?: string;
  /** Passages per search (default 5). */
  topK?: number;
}

/** What `knowledge_search` returns to the model. */
export interface KnowledgeSearchToolResult {
  knowledgeBase: string;
  /** The numbered passages and a `Sources:` block, to cite as `[n]`. */
  context: string;
  citations: Citation[];
}

/**
 * The `knowledge_search` built-in: an `llm` agent searches a knowledge base when it decides
 * to (the same retrieval as a `rag` agent: BM25, or hybrid with an embedding model).
 *
 * @example
 * builtinTools.knowledgeSearch({ catalog: new KnowledgeCatalog({ directory: "kb" }), topK: 3 });
 */
export function knowledgeSearch(
  options: KnowledgeSearchToolOptions = {},
): ToolDefinition<
  { query: string; knowledgeBase?: string | undefined },
  KnowledgeSearchToolResult
> {
  const catalog = options.catalog ?? KnowledgeCatalog.shared();
  return tool({
    name: options.name ?? "knowledge_search",
    description:
      "Search the knowledge base. Returns numbered passages with sources; cite them as [n].",
    parameters: z.object({
      query: z.string().describe("What to look up, in words likely to appear in the documents"),
      knowledgeBase: z
        .string()
        .optional()
        .describe("Name of the knowledge base (default: the only one, or the configured one)"),
    }),
    execute: async ({ query, knowledgeBase }, { signal, events, meter }) => {
      const name = knowledgeBase ?? options.knowledgeBase ?? onlyBase(catalog);
      const base = catalog.open(name);
      const started = performance.now();
      // Its query embedding (vector, hybrid) counts in the run's usage, cost and budgets.
      const result = await base.search(query, {
        topK: options.topK ?? 5,
        signal,
        ...(meter ? { meter } : {}),
      });
      const citations = result.passages.map(citationOf);
      const wait = events?.emit("retrieval", {
        knowledgeBase: name,
        query,
        mode: result.mode,
        citations,
        durationMs: Math.round(performance.now() - started),
      });
      if (wait) await wait;
      return { knowledgeBase: name, context: formatContext(result), citations };
    },
  });
}

function onlyBase(catalog: KnowledgeCatalog): string {
  const names = catalog.names();
  if (names.length === 1) return names[0]!;
  throw new Error(
    names.length === 0
      ? `There is no knowledge base in ${catalog.location}: create one with llmteam ingest <files> --kb <name>.`
      : `Name the knowledge base to search (knowledgeBase): one of ${names.join(", ")}.`,
  );
}
