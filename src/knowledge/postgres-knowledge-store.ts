import type { Pool, PoolClient } from "pg";
import type {
  ChunkHit,
  DocumentGraph,
  DocumentInfo,
  GraphEntity,
  GraphFact,
  KnowledgeFilters,
  KnowledgeStats,
  KnowledgeStore,
  StoreSearchOptions,
  StoredChunk,
  StoredDocument,
} from "./knowledge-store.js";
import { postgresGraphWalk, postgresKnowledgeSchema } from "./postgres-schema.js";
import { entityKey, filterEntries, hitOf } from "./store-helpers.js";
import { VectorMatrix } from "./vector-matrix.js";
import { vectorBytes } from "./vectors.js";

/** Options of {@link PostgresKnowledgeStore.connect}. */
export interface PostgresKnowledgeStoreOptions {
  /** The knowledge base this store holds (many share the tables, each row names its base). */
  knowledgeBase: string;
  /** A `pg` pool to use (the caller closes it), or… */
  pool?: Pool;
  /** …a connection string for a pool of the store's own, e.g. `postgres://127.0.0.1:5432/kb`. */
  connectionString?: string;
  /** The Postgres schema of the tables (default `public`); created when missing. */
  schema?: string;
}

type Row = Record<string, unknown>;

/** The meta key counting a base's writes (vector caches of other processes reload on a change). */
const WRITE_VERSION = "write_version";

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * A {@link KnowledgeStore} in Postgres, for knowledge bases shared by many processes: Postgres
 * full-text search (`tsvector`, `ts_rank_cd`, English stemming, headings and titles weighted
 * up), embeddings as float32 `bytea` searched exactly (an in-memory matrix per process, reloaded
 * when a write bumps the base's version), and the graph walked with a recursive query.
 * Each document is written in one transaction.
 */
export class PostgresKnowledgeStore implements KnowledgeStore {
  readonly kind = "postgres";
  /** The vectors, loaded on the first vector search, with the write version they are of. */
  private vectors: { matrix: VectorMatrix; version: string } | undefined;
  private constructor(
    private readonly pool: Pool,
    private readonly ownsPool: boolean,
    private readonly kb: string,
    private readonly schema: string,
  ) {}

  /**
   * Connects and creates the tables when missing.
   * @throws Error for a schema name that is not a plain identifier.
   */
  static async connect(options: PostgresKnowledgeStoreOptions): Promise<PostgresKnowledgeStore> {
    const schema = options.schema ?? "public";
    if (!SCHEMA_NAME.test(schema))
      throw new Error(
        `Postgres schema ${JSON.stringify(schema)} is not a plain identifier (letters, digits, _).`,
      );
    let pool = options.pool;
    if (!pool) {
      const pg = await import("pg");
      pool = new pg.default.Pool({ connectionString: options.connectionString, max: 4 });
    }
    const store = new PostgresKnowledgeStore(pool, !options.pool, options.knowledgeBase, schema);
    await pool.query(postgresKnowledgeSchema(schema));
    return store;
  }

  private table(name: string): string {
    return `"${this.schema}".llmteam_kb_${name}`;
  }

  async documentHash(path: string): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ hash: string }>(
      `SELECT hash FROM ${this.table("documents")} WHERE kb = $1 AND path = $2`,
      [this.kb, path],
    );
    return rows[0]?.hash;
  }

  private async transaction(work: (client: PoolClient) => Promise<void>): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      await work(client);
      await client.query(
        `INSERT INTO ${this.table("meta")} (kb, key, value) VALUES ($1, $2, '1')
         ON CONFLICT (kb, key) DO UPDATE SET value = (${this.table("meta")}.value::bigint + 1)::text`,
        [this.kb, WRITE_VERSION],
      );
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async replaceDocument(
    document: StoredDocument,
    chunks: StoredChunk[],
    graph?: DocumentGraph,
  ): Promise<void> {
    await this.transaction(async (client) => {
      await this.remove(client, document.path);
      const tokens = chunks.reduce((sum, chunk) => sum + chunk.tokens, 0);
      const { rows } = await client.query<{ id: string }>(
        `INSERT INTO ${this.table("documents")} (kb, path, title, format, hash, bytes, chunks, tokens, metadata, ingested_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
        [
          this.kb,
          document.path,
          document.title,
          document.format,
          document.hash,
          document.bytes,
          chunks.length,
          tokens,
          JSON.stringify(document.metadata),
          Date.now(),
        ],
      );
      const documentId = rows[0]!.id;
      const ids: string[] = [];
      // One INSERT for all chunks of the document, through unnest.
      if (chunks.length > 0) {
        const inserted = await client.query<{ id: string }>(
          `INSERT INTO ${this.table("chunks")} (kb, document_id, position, text, headings, title, page, tokens, embedding)
           SELECT $1, $2, position, text, headings, $3, page, tokens,
             embedding
           FROM unnest($4::int[], $5::text[], $6::text[], $7::int[], $8::int[], $9::bytea[])
             AS t(position, text, headings, page, tokens, embedding)
           ORDER BY position RETURNING id`,
          [
            this.kb,
            documentId,
            document.title,
            chunks.map((chunk) => chunk.position),
            chunks.map((chunk) => chunk.text),
            chunks.map((chunk) => JSON.stringify(chunk.headings)),
            chunks.map((chunk) => chunk.page ?? null),
            chunks.map((chunk) => chunk.tokens),
            chunks.map((chunk) =>
              chunk.embedding ? Buffer.from(vectorBytes(chunk.embedding)) : null,
            ),
          ],
        );
        ids.push(...inserted.rows.map((row) => row.id));
      }
      if (graph) await this.insertGraph(client, graph, ids);
    });
  }

  private async insertGraph(
    client: PoolClient,
    graph: DocumentGraph,
    chunkIds: string[],
  ): Promise<void> {
    const entities = this.table("entities");
    const upsert = `INSERT INTO ${entities} (kb, key, name, type) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`;
    const mention = `INSERT INTO ${this.table("mentions")} (kb, entity_key, chunk_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`;
    for (const entity of graph.entities) {
      const chunkId = chunkIds[entity.position];
      if (chunkId === undefined) continue;
      await client.query(upsert, [this.kb, entityKey(entity.name), entity.name, entity.type]);
      await client.query(mention, [this.kb, entityKey(entity.name), chunkId]);
    }
    for (const relation of graph.relations) {
      const chunkId = chunkIds[relation.position];
      if (chunkId === undefined) continue;
      for (const name of [relation.source, relation.target]) {
        await client.query(upsert, [this.kb, entityKey(name), name, "thing"]);
        await client.query(mention, [this.kb, entityKey(name), chunkId]);
      }
      await client.query(
        `INSERT INTO ${this.table("relations")} (kb, source_key, relation, target_key, chunk_id) VALUES ($1, $2, $3, $4, $5)`,
        [
          this.kb,
          entityKey(relation.source),
          relation.relation,
          entityKey(relation.target),
          chunkId,
        ],
      );
    }
  }

  private async remove(client: PoolClient, path: string): Promise<boolean> {
    const { rowCount } = await client.query(
      `DELETE FROM ${this.table("documents")} WHERE kb = $1 AND path = $2`,
      [this.kb, path],
    );
    if (!rowCount) return false;
    await client.query(
      `DELETE FROM ${this.table("entities")} e WHERE e.kb = $1 AND NOT EXISTS
         (SELECT 1 FROM ${this.table("mentions")} m WHERE m.kb = $1 AND m.entity_key = e.key)`,
      [this.kb],
    );
    return true;
  }

  async removeDocuments(paths: readonly string[]): Promise<number> {
    let removed = 0;
    for (const path of paths) {
      await this.transaction(async (client) => {
        if (await this.remove(client, path)) removed++;
      });
    }
    return removed;
  }

  async listDocuments(): Promise<DocumentInfo[]> {
    const { rows } = await this.pool.query<Row>(
      `SELECT path, title, format, hash, bytes, chunks, tokens, ingested_at FROM ${this.table("documents")}
       WHERE kb = $1 ORDER BY path`,
      [this.kb],
    );
    return rows.map((row) => ({
      path: row.path as string,
      title: row.title as string,
      format: row.format as DocumentInfo["format"],
      hash: row.hash as string,
      bytes: Number(row.bytes),
      chunks: Number(row.chunks),
      tokens: Number(row.tokens),
      ingestedAt: Number(row.ingested_at),
    }));
  }

  /** `AND …` clauses for metadata filters, numbering parameters from `next`. */
  private filterSql(
    filters: KnowledgeFilters | undefined,
    next: number,
  ): { sql: string; values: unknown[] } {
    let sql = "";
    const values: unknown[] = [];
    for (const [key, accepted] of filterEntries(filters)) {
      sql += ` AND d.metadata ->> $${next + values.length} = ANY($${next + values.length + 1}::text[])`;
      values.push(key, accepted.map(String));
    }
    return { sql, values };
  }

  async searchText(terms: readonly string[], options: StoreSearchOptions): Promise<ChunkHit[]> {
    const words = terms.flatMap((term) => term.split(/[^\p{L}\p{N}_]+/u)).filter(Boolean);
    if (words.length === 0 || options.limit <= 0) return [];
    const filter = this.filterSql(options.filters, 4);
    const { rows } = await this.pool.query<Row>(
      `SELECT c.id, c.position, c.text, c.headings, c.page, d.path, d.title,
         ts_rank_cd(c.tsv, q) AS rank
       FROM ${this.table("chunks")} c JOIN ${this.table("documents")} d ON d.id = c.document_id,
         to_tsquery('english', $2) q
       WHERE c.kb = $1 AND c.tsv @@ q${filter.sql}
       ORDER BY rank DESC, c.id LIMIT $3`,
      [this.kb, words.join(" | "), options.limit, ...filter.values],
    );
    return rows.map((row) => hitOf(row, Number(row.rank)));
  }

  async searchVector(vector: Float32Array, options: StoreSearchOptions): Promise<ChunkHit[]> {
    let allowed: Set<number> | undefined;
    if (options.filters) {
      const filter = this.filterSql(options.filters, 2);
      const { rows } = await this.pool.query<{ id: string }>(
        `SELECT c.id FROM ${this.table("chunks")} c JOIN ${this.table("documents")} d ON d.id = c.document_id
         WHERE c.kb = $1 AND c.embedding IS NOT NULL${filter.sql}`,
        [this.kb, ...filter.values],
      );
      allowed = new Set(rows.map((row) => Number(row.id)));
    }
    const nearest = (await this.loadVectors()).nearest(vector, options.limit, allowed);
    const scores = new Map(nearest.map(({ id, score }) => [id, score]));
    const hits = await this.getChunks(nearest.map(({ id }) => id));
    return hits.map((hit) => ({ ...hit, score: scores.get(hit.chunkId)! }));
  }

  /** The base's vectors as a matrix, read again only when a write bumped its version. */
  private async loadVectors(): Promise<VectorMatrix> {
    const version = (await this.getMeta(WRITE_VERSION)) ?? "0";
    if (this.vectors?.version === version) return this.vectors.matrix;
    const { rows } = await this.pool.query<{ id: string; embedding: Buffer }>(
      `SELECT id, embedding FROM ${this.table("chunks")} WHERE kb = $1 AND embedding IS NOT NULL ORDER BY id`,
      [this.kb],
    );
    const matrix = VectorMatrix.of(
      rows.map((row) => ({ id: Number(row.id), bytes: row.embedding })),
    );
    this.vectors = { matrix, version };
    return matrix;
  }

  async getChunks(ids: readonly number[]): Promise<ChunkHit[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.pool.query<Row>(
      `SELECT c.id, c.position, c.text, c.headings, c.page, d.path, d.title
       FROM ${this.table("chunks")} c JOIN ${this.table("documents")} d ON d.id = c.document_id
       WHERE c.kb = $1 AND c.id = ANY($2::bigint[])`,
      [this.kb, ids],
    );
    const byId = new Map(rows.map((row) => [Number(row.id), row]));
    return ids.filter((id) => byId.has(id)).map((id) => hitOf(byId.get(id)!, 0));
  }

  async findEntities(
    terms: readonly string[],
    types: readonly string[] | undefined,
    limit: number,
  ): Promise<GraphEntity[]> {
    if (terms.length === 0) return [];
    const { rows } = await this.pool.query<GraphEntity>(
      `SELECT name, type FROM ${this.table("entities")}
       WHERE kb = $1 AND key = ANY($2::text[]) AND ($3::text[] IS NULL OR type = ANY($3::text[]))
       ORDER BY length(key) DESC LIMIT $4`,
      [this.kb, terms, types && types.length > 0 ? types : null, limit],
    );
    return rows;
  }

  async walkGraph(
    entities: readonly string[],
    maxHops: number,
    limit: number,
  ): Promise<GraphFact[]> {
    if (entities.length === 0 || maxHops <= 0) return [];
    const { rows } = await this.pool.query<Row>(postgresGraphWalk(this.schema), [
      this.kb,
      entities.map(entityKey),
      maxHops,
      limit,
    ]);
    return rows.map((row) => ({
      source: row.source as string,
      sourceType: row.source_type as string,
      relation: row.relation as string,
      target: row.target as string,
      targetType: row.target_type as string,
      hops: Number(row.hops),
      chunkId: Number(row.chunk_id),
      position: Number(row.position),
      path: row.path as string,
    }));
  }

  async getMeta(key: string): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ value: string }>(
      `SELECT value FROM ${this.table("meta")} WHERE kb = $1 AND key = $2`,
      [this.kb, key],
    );
    return rows[0]?.value;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${this.table("meta")} (kb, key, value) VALUES ($1, $2, $3)
       ON CONFLICT (kb, key) DO UPDATE SET value = excluded.value`,
      [this.kb, key, value],
    );
  }

  async stats(): Promise<KnowledgeStats> {
    const { rows } = await this.pool.query<Row>(
      `SELECT (SELECT count(*) FROM ${this.table("documents")} WHERE kb = $1) AS documents,
         count(*) AS chunks, coalesce(sum(tokens), 0) AS tokens, count(embedding) AS embedded,
         (SELECT coalesce(sum(octet_length(text)), 0) FROM ${this.table("chunks")} WHERE kb = $1) AS text_bytes,
         (SELECT pg_total_relation_size('${this.table("chunks")}') + pg_total_relation_size('${this.table("documents")}')) AS table_bytes
       FROM ${this.table("chunks")} WHERE kb = $1`,
      [this.kb],
    );
    const row = rows[0]!;
    return {
      documents: Number(row.documents),
      chunks: Number(row.chunks),
      tokens: Number(row.tokens),
      embeddedChunks: Number(row.embedded),
      sizeBytes: Number(row.table_bytes),
    };
  }

  /** Removes every row of this knowledge base (what `llmteam kb drop` does for a file). */
  async drop(): Promise<void> {
    await this.transaction(async (client) => {
      for (const name of ["relations", "mentions", "entities", "documents", "meta"])
        await client.query(`DELETE FROM ${this.table(name)} WHERE kb = $1`, [this.kb]);
    });
  }

  async close(): Promise<void> {
    if (this.ownsPool) await this.pool.end();
  }
}
