import type { IngestOptions, IngestSummary } from "./ingest.js";
import type { GraphExtractor } from "./knowledge-base.js";
import { KnowledgeCatalog } from "./knowledge-catalog.js";

/** Options of {@link ingest}: where, and how, to ingest. */
export interface IngestIntoOptions extends IngestOptions {
  /** The knowledge base to fill, by name (created when missing). */
  knowledgeBase: string;
  /** The catalog it is in (default: `$LLMTEAM_KB_DIR` or `.llmteam/kb`; closed after when made here). */
  catalog?: KnowledgeCatalog;
  /** KAG: extract entities and relations of each chunk (see `graphExtractorOf`). */
  graph?: GraphExtractor;
}

/**
 * Ingests files, folders and globs into a knowledge base by name: what `llmteam ingest` does.
 *
 * @example
 * const summary = await ingest(["docs/"], { knowledgeBase: "docs", sync: true });
 */
export async function ingest(
  inputs: readonly string[],
  options: IngestIntoOptions,
): Promise<IngestSummary> {
  const { knowledgeBase, catalog: given, ...rest } = options;
  const catalog = given ?? new KnowledgeCatalog();
  try {
    return await catalog.create(knowledgeBase).ingest(inputs, rest);
  } finally {
    if (!given) await catalog.close();
  }
}
