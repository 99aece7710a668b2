import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";
import { mkdirSync, statSync } from "node:fs";
import { dirname } from "node:path";
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
import { SQLITE_GRAPH_WALK, SQLITE_KNOWLEDGE_SCHEMA } from "./sqlite-schema.js";
import { VectorMatrix } from "./vector-matrix.js";
import { vectorBytes } from "./vectors.js";
import { entityKey, filterEntries, hitOf } from "./store-helpers.js";

/** Options of {@link SqliteKnowledgeStore}. */
export interface SqliteKnowledgeStoreOptions {
  /** The database file; created (with its folder) when missing. `":memory:"` for a private one. */
  path: string;
  /** Open only when the file exists (default false: create it). */
  mustExist?: boolean;
}

/**
 * A {@link KnowledgeStore} in one SQLite file through `node:sqlite`: documents, chunks with an
 * FTS5 index (BM25, Porter stemming), embeddings as float32 blobs searched exactly, and the
 * knowledge graph. Each document is written in one `BEGIN IMMEDIATE` transaction.
 */
export class SqliteKnowledgeStore implements KnowledgeStore {
  readonly kind = "sqlite";
  readonly path: string;
  private readonly database: DatabaseSync;
  private readonly statements = new Map<string, StatementSync>();
  /** The stored vectors, loaded on the first vector search; cleared by every write. */
  private vectors: { matrix: VectorMatrix; version: number } | undefined;

  constructor(options: SqliteKnowledgeStoreOptions) {
    this.path = options.path;
    if (options.path !== ":memory:" && !options.mustExist)
      mkdirSync(dirname(options.path), { recursive: true });
    const sqlite = process.getBuiltinModule("node:sqlite");
    this.database = new sqlite.DatabaseSync(options.path, { open: true });
    this.database.exec(
      "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
    );
    this.database.exec(SQLITE_KNOWLEDGE_SCHEMA);
  }

  private statement(sql: string): StatementSync {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.database.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  documentHash(path: string): Promise<string | undefined> {
    const row = this.statement("SELECT hash FROM documents WHERE path = ?").get(path);
    return Promise.resolve(row?.hash as string | undefined);
  }

  async replaceDocument(
    document: StoredDocument,
    chunks: StoredChunk[],
    graph?: DocumentGraph,
  ): Promise<void> {
    await this.transaction(() => {
      this.remove(document.path);
      const tokens = chunks.reduce((sum, chunk) => sum + chunk.tokens, 0);
      const { lastInsertRowid } = this.statement(
        `INSERT INTO documents (path, title, format, hash, bytes, chunks, tokens, metadata, ingested_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        document.path,
        document.title,
        document.format,
        document.hash,
        document.bytes,
        chunks.length,
        tokens,
        JSON.stringify(document.metadata),
        Date.now(),
      );
      const insertChunk = this.statement(
        `INSERT INTO chunks (document_id, position, text, headings, page, tokens, embedding)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      );
      const insertText = this.statement(
        "INSERT INTO chunks_fts (rowid, text, headings, title) VALUES (?, ?, ?, ?)",
      );
      const ids: number[] = [];
      for (const chunk of chunks) {
        const { lastInsertRowid: chunkId } = insertChunk.run(
          lastInsertRowid,
          chunk.position,
          chunk.text,
          JSON.stringify(chunk.headings),
          chunk.page ?? null,
          chunk.tokens,
          chunk.embedding ? vectorBytes(chunk.embedding) : null,
        );
        ids.push(Number(chunkId));
        insertText.run(chunkId, chunk.text, chunk.headings.join(" / "), document.title);
      }
      if (graph) this.insertGraph(graph, ids);
    });
  }

  private insertGraph(graph: DocumentGraph, chunkIds: number[]): void {
    const upsert = this.statement(
      "INSERT INTO entities (key, name, type) VALUES (?, ?, ?) ON CONFLICT(key) DO NOTHING",
    );
    const mention = this.statement(
      "INSERT OR IGNORE INTO mentions (entity_key, chunk_id) VALUES (?, ?)",
    );
    const relate = this.statement(
      "INSERT INTO relations (source_key, relation, target_key, chunk_id) VALUES (?, ?, ?, ?)",
    );
    for (const entity of graph.entities) {
      const chunkId = chunkIds[entity.position];
      if (chunkId === undefined) continue;
      upsert.run(entityKey(entity.name), entity.name, entity.type);
      mention.run(entityKey(entity.name), chunkId);
    }
    for (const relation of graph.relations) {
      const chunkId = chunkIds[relation.position];
      if (chunkId === undefined) continue;
      for (const name of [relation.source, relation.target]) {
        upsert.run(entityKey(name), name, "thing");
        mention.run(entityKey(name), chunkId);
      }
      relate.run(
        entityKey(relation.source),
        relation.relation,
        entityKey(relation.target),
        chunkId,
      );
    }
  }

  /** Runs `work` in one `BEGIN IMMEDIATE` transaction; its error rolls it back and rejects. */
  private transaction(work: () => void): Promise<void> {
    this.vectors = undefined;
    try {
      this.database.exec("BEGIN IMMEDIATE");
      try {
        work();
        this.database.exec("COMMIT");
      } catch (error) {
        this.database.exec("ROLLBACK");
        throw error;
      }
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Removes one document, its chunks' text index and its graph entries (inside a transaction). */
  private remove(path: string): boolean {
    const row = this.statement("SELECT id FROM documents WHERE path = ?").get(path);
    if (!row) return false;
    this.statement(
      "DELETE FROM chunks_fts WHERE rowid IN (SELECT id FROM chunks WHERE document_id = ?)",
    ).run(row.id!);
    this.statement("DELETE FROM documents WHERE id = ?").run(row.id!);
    this.statement("DELETE FROM entities WHERE key NOT IN (SELECT entity_key FROM mentions)").run();
    return true;
  }

  async removeDocuments(paths: readonly string[]): Promise<number> {
    let removed = 0;
    for (const path of paths) {
      await this.transaction(() => {
        if (this.remove(path)) removed++;
      });
    }
    return removed;
  }

  listDocuments(): Promise<DocumentInfo[]> {
    const rows = this.statement(
      "SELECT path, title, format, hash, bytes, chunks, tokens, ingested_at FROM documents ORDER BY path",
    ).all();
    return Promise.resolve(
      rows.map((row) => ({
        path: row.path as string,
        title: row.title as string,
        format: row.format as DocumentInfo["format"],
        hash: row.hash as string,
        bytes: Number(row.bytes),
        chunks: Number(row.chunks),
        tokens: Number(row.tokens),
        ingestedAt: Number(row.ingested_at),
      })),
    );
  }

  /** `AND …` clauses and their values for metadata filters. */
  private filterSql(filters: KnowledgeFilters | undefined): {
    sql: string;
    values: SQLInputValue[];
  } {
    let sql = "";
    const values: SQLInputValue[] = [];
    for (const [key, accepted] of filterEntries(filters)) {
      sql += ` AND json_extract(d.metadata, ?) IN (${accepted.map(() => "?").join(", ")})`;
      values.push(
        `$."${key}"`,
        ...accepted.map((value) => (typeof value === "boolean" ? Number(value) : value)),
      );
    }
    return { sql, values };
  }

  searchText(terms: readonly string[], options: StoreSearchOptions): Promise<ChunkHit[]> {
    if (terms.length === 0 || options.limit <= 0) return Promise.resolve([]);
    const match = terms.map((term) => `"${term.replaceAll('"', '""')}"`).join(" OR ");
    const filter = this.filterSql(options.filters);
    const rows = this.statement(
      `SELECT c.id, c.position, c.text, c.headings, c.page, d.path, d.title,
         bm25(chunks_fts, 1.0, 2.0, 2.0) AS rank
       FROM chunks_fts JOIN chunks c ON c.id = chunks_fts.rowid
       JOIN documents d ON d.id = c.document_id
       WHERE chunks_fts MATCH ?${filter.sql}
       ORDER BY rank LIMIT ?`,
    ).all(match, ...filter.values, options.limit);
    return Promise.resolve(rows.map((row) => hitOf(row, -Number(row.rank))));
  }

  searchVector(vector: Float32Array, options: StoreSearchOptions): Promise<ChunkHit[]> {
    let allowed: Set<number> | undefined;
    if (options.filters) {
      const filter = this.filterSql(options.filters);
      allowed = new Set(
        this.statement(
          `SELECT c.id FROM chunks c JOIN documents d ON d.id = c.document_id
           WHERE c.embedding IS NOT NULL${filter.sql}`,
        )
          .all(...filter.values)
          .map((row) => Number(row.id)),
      );
    }
    let nearest: { id: number; score: number }[];
    try {
      nearest = this.loadVectors().nearest(vector, options.limit, allowed);
    } catch (error) {
      return Promise.reject(error);
    }
    const scores = new Map(nearest.map(({ id, score }) => [id, score]));
    return this.getChunks(nearest.map(({ id }) => id)).then((hits) =>
      hits.map((hit) => ({ ...hit, score: scores.get(hit.chunkId)! })),
    );
  }

  /**
   * Every stored vector in one matrix, read once and kept until a write changes the file (this
   * connection's writes, or another's: `PRAGMA data_version`), so exact search scans memory
   * instead of decoding a blob per row (see docs/performance.md).
   */
  private loadVectors(): VectorMatrix {
    const version = Number(this.statement("PRAGMA data_version").get()!.data_version);
    if (this.vectors && this.vectors.version === version) return this.vectors.matrix;
    const rows = this.statement(
      "SELECT id, embedding FROM chunks WHERE embedding IS NOT NULL ORDER BY id",
    ).all();
    const matrix = VectorMatrix.of(
      rows.map((row) => ({ id: Number(row.id), bytes: row.embedding as Uint8Array })),
    );
    this.vectors = { matrix, version };
    return matrix;
  }

  getChunks(ids: readonly number[]): Promise<ChunkHit[]> {
    if (ids.length === 0) return Promise.resolve([]);
    const byId = new Map(
      this.database
        .prepare(
          `SELECT c.id, c.position, c.text, c.headings, c.page, d.path, d.title FROM chunks c
           JOIN documents d ON d.id = c.document_id WHERE c.id IN (${ids.map(() => "?").join(", ")})`,
        )
        .all(...ids)
        .map((row) => [Number(row.id), row]),
    );
    return Promise.resolve(ids.filter((id) => byId.has(id)).map((id) => hitOf(byId.get(id)!, 0)));
  }

  findEntities(
    terms: readonly string[],
    types: readonly string[] | undefined,
    limit: number,
  ): Promise<GraphEntity[]> {
    if (terms.length === 0) return Promise.resolve([]);
    const typeSql =
      types && types.length > 0 ? ` AND type IN (${types.map(() => "?").join(", ")})` : "";
    const rows = this.database
      .prepare(
        `SELECT name, type FROM entities WHERE key IN (${terms.map(() => "?").join(", ")})${typeSql}
         ORDER BY length(key) DESC LIMIT ?`,
      )
      .all(...terms, ...(types ?? []), limit);
    return Promise.resolve(
      rows.map((row) => ({ name: row.name as string, type: row.type as string })),
    );
  }

  walkGraph(entities: readonly string[], maxHops: number, limit: number): Promise<GraphFact[]> {
    if (entities.length === 0 || maxHops <= 0) return Promise.resolve([]);
    const rows = this.database
      .prepare(SQLITE_GRAPH_WALK(entities.length))
      .all(...entities.map(entityKey), maxHops, limit);
    return Promise.resolve(
      rows.map((row) => ({
        source: row.source as string,
        sourceType: row.source_type as string,
        relation: row.relation as string,
        target: row.target as string,
        targetType: row.target_type as string,
        hops: Number(row.hops),
        chunkId: Number(row.chunk_id),
        position: Number(row.position),
        path: row.path as string,
      })),
    );
  }

  getMeta(key: string): Promise<string | undefined> {
    const row = this.statement("SELECT value FROM meta WHERE key = ?").get(key);
    return Promise.resolve(row?.value as string | undefined);
  }

  setMeta(key: string, value: string): Promise<void> {
    this.statement(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    ).run(key, value);
    return Promise.resolve();
  }

  stats(): Promise<KnowledgeStats> {
    const row = this.statement(
      `SELECT (SELECT count(*) FROM documents) AS documents, count(*) AS chunks,
         coalesce(sum(tokens), 0) AS tokens, count(embedding) AS embedded FROM chunks`,
    ).get()!;
    this.database.exec("PRAGMA wal_checkpoint(PASSIVE)");
    const size =
      this.path === ":memory:"
        ? 0
        : statSync(this.path).size +
          (statSync(`${this.path}-wal`, { throwIfNoEntry: false })?.size ?? 0);
    return Promise.resolve({
      documents: Number(row.documents),
      chunks: Number(row.chunks),
      tokens: Number(row.tokens),
      embeddedChunks: Number(row.embedded),
      sizeBytes: size,
    });
  }

  close(): Promise<void> {
    if (this.database.isOpen) this.database.close();
    return Promise.resolve();
  }
}
