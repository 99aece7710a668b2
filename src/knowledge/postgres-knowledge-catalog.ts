import type { Pool } from "pg";
import type { ChunkOptions } from "./chunk-document.js";
import type { Embedder } from "./embedder.js";
import { embedderOf, embeddingModelFromName } from "./embedding-embedder.js";
import { KnowledgeBase } from "./knowledge-base.js";
import { KnowledgeCatalog } from "./knowledge-catalog.js";
import { PostgresKnowledgeStore } from "./postgres-knowledge-store.js";

/** Options of {@link connectPostgresKnowledgeCatalog}. */
export interface PostgresKnowledgeCatalogOptions {
  /**
   * The server, `postgres://…` or `postgresql://…`; a `schema` parameter
   * (`postgres://host/db?schema=kb`) names the schema of the tables (default `public`).
   */
  url: string;
  /** Knowledge bases to have even when they hold nothing yet (what an ingest fills). */
  knowledgeBases?: readonly string[];
  /** Embedding model of the knowledge bases (turns on hybrid retrieval). */
  embedder?: Embedder;
  /** Chunking of the knowledge bases. */
  chunking?: ChunkOptions;
}

/** A Postgres URL without its `schema` parameter, that parameter, and the URL without a password. */
export function splitPostgresUrl(spec: string): {
  connectionString: string;
  schema: string | undefined;
  location: string;
} {
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    return { connectionString: spec, schema: undefined, location: spec };
  }
  const schema = url.searchParams.get("schema") ?? undefined;
  url.searchParams.delete("schema");
  const connectionString = url.toString();
  url.password = "";
  return { connectionString, schema, location: url.toString() };
}

/**
 * The knowledge bases kept in one Postgres schema, as a catalog (what `llmteam ingest` and
 * `llmteam kb` use with `--store postgres://…`): every base that has rows there, and those
 * named in `knowledgeBases`, each a {@link PostgresKnowledgeStore} on one shared pool. Closing
 * the catalog ends the pool; `drop` removes a base's rows.
 *
 * @throws Error when the server cannot be reached, or the schema is not a plain identifier.
 * @example
 * const catalog = await connectPostgresKnowledgeCatalog({ url: "postgres://127.0.0.1/kb?schema=docs" });
 * console.log(catalog.names());
 */
export async function connectPostgresKnowledgeCatalog(
  options: PostgresKnowledgeCatalogOptions,
): Promise<KnowledgeCatalog> {
  const { connectionString, schema = "public", location } = splitPostgresUrl(options.url);
  const pg = await import("pg");
  const pool: Pool = new pg.default.Pool({ connectionString, max: 4 });
  try {
    // The first store creates the tables (and checks the schema name) before they are read.
    const first = await PostgresKnowledgeStore.connect({ pool, schema, knowledgeBase: "" });
    await first.close();
    // A base exists while it has documents or settings (a drop leaves only its write version,
    // kept so other processes' vector caches notice).
    const { rows } = await pool.query<{ kb: string }>(
      `SELECT kb FROM "${schema}".llmteam_kb_meta WHERE key <> 'write_version'
       UNION SELECT kb FROM "${schema}".llmteam_kb_documents`,
    );
    const names = [...new Set([...rows.map((row) => row.kb), ...(options.knowledgeBases ?? [])])];
    const bases: Record<string, KnowledgeBase> = {};
    for (const name of names) {
      const store = await PostgresKnowledgeStore.connect({ pool, schema, knowledgeBase: name });
      bases[name] = new KnowledgeBase({
        name,
        store,
        ...(options.embedder ? { embedder: options.embedder } : {}),
        embedderFor: async (model) =>
          embedderOf(await embeddingModelFromName(model), { name: model }),
        ...(options.chunking ? { chunking: options.chunking } : {}),
      });
    }
    return new KnowledgeCatalog({
      bases,
      ...(options.embedder ? { embedder: options.embedder } : {}),
      managed: { location, close: () => pool.end() },
    });
  } catch (error) {
    await pool.end();
    throw error;
  }
}
