import { KnowledgeError } from "../errors/knowledge-error.js";
import type { ChunkHit, KnowledgeFilters } from "./knowledge-store.js";

/** How entities are matched: by their name in lower case, blanks collapsed. */
export function entityKey(name: string): string {
  return name.trim().toLowerCase().replace(/\s+/g, " ");
}

const FILTER_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * Filters as `[key, accepted values]` pairs.
 * @throws KnowledgeError for a key that is not a plain name or an empty list of values.
 */
export function filterEntries(
  filters: KnowledgeFilters | undefined,
): [string, (string | number | boolean)[]][] {
  if (!filters) return [];
  return Object.entries(filters).map(([key, value]) => {
    if (!FILTER_KEY.test(key))
      throw new KnowledgeError(
        `Filter key ${JSON.stringify(key)} is not a metadata name: use letters, digits, _ and - (e.g. format, path, title).`,
      );
    const accepted = Array.isArray(value) ? value : [value];
    if (accepted.length === 0)
      throw new KnowledgeError(
        `Filter "${key}" lists no values: give one value or a non-empty list.`,
      );
    return [key, accepted];
  });
}

/** A stored chunk's row (id, position, text, headings as JSON, page, path, title) as a hit. */
export function hitOf(row: Record<string, unknown>, score: number): ChunkHit {
  const hit: ChunkHit = {
    chunkId: Number(row.id),
    path: row.path as string,
    title: row.title as string,
    position: Number(row.position),
    text: row.text as string,
    headings: JSON.parse(row.headings as string) as string[],
    score,
  };
  if (row.page !== null && row.page !== undefined) hit.page = Number(row.page);
  return hit;
}
