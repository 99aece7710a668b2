/** The knowledge base format version this code writes and reads (kept in `meta`). */
export const KNOWLEDGE_FORMAT_VERSION = "1";

/** Tables of a knowledge base in one SQLite file. */
export const SQLITE_KNOWLEDGE_SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS documents (
  id INTEGER PRIMARY KEY,
  path TEXT NOT NULL UNIQUE,
  title TEXT NOT NULL,
  format TEXT NOT NULL,
  hash TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  chunks INTEGER NOT NULL,
  tokens INTEGER NOT NULL,
  metadata TEXT NOT NULL,
  ingested_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS chunks (
  id INTEGER PRIMARY KEY,
  document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  text TEXT NOT NULL,
  headings TEXT NOT NULL,
  page INTEGER,
  tokens INTEGER NOT NULL,
  embedding BLOB
);
CREATE INDEX IF NOT EXISTS chunks_document ON chunks(document_id);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
  text, headings, title,
  content='', contentless_delete=1,
  tokenize='porter unicode61 remove_diacritics 2'
);
CREATE TABLE IF NOT EXISTS entities (key TEXT PRIMARY KEY, name TEXT NOT NULL, type TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS mentions (
  entity_key TEXT NOT NULL,
  chunk_id INTEGER NOT NULL REFERENCES chunks(id) ON DELETE CASCADE,
  PRIMARY KEY (entity_key, chunk_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS relations (
  id INTEGER PRIMARY KEY,
  source_key TEXT NOT NULL,
  relation TEXT NOT NULL,
  target_key TEXT NOT NULL,
  chunk_id INTEGER NOT NULL REFERENCES chunks(id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS relations_source ON relations(source_key);
CREATE INDEX IF NOT EXISTS relations_target ON relations(target_key);
CREATE INDEX IF NOT EXISTS mentions_chunk ON mentions(chunk_id);
`;

/** The walk of the knowledge graph: entities up to `maxHops - 1` hops away, and their relations. */
export const SQLITE_GRAPH_WALK = (seedCount: number): string => `
WITH RECURSIVE walk(key, hops) AS (
  SELECT key, 0 FROM entities WHERE key IN (${Array(seedCount).fill("?").join(", ")})
  UNION
  SELECT CASE WHEN r.source_key = w.key THEN r.target_key ELSE r.source_key END, w.hops + 1
  FROM walk w JOIN relations r ON r.source_key = w.key OR r.target_key = w.key
  WHERE w.hops + 1 < ?
), nearest AS (SELECT key, MIN(hops) AS hops FROM walk GROUP BY key)
SELECT r.id, s.name AS source, s.type AS source_type, r.relation, t.name AS target,
  t.type AS target_type, MIN(n.hops) + 1 AS hops, r.chunk_id, c.position, d.path
FROM relations r
JOIN nearest n ON n.key = r.source_key OR n.key = r.target_key
JOIN entities s ON s.key = r.source_key
JOIN entities t ON t.key = r.target_key
JOIN chunks c ON c.id = r.chunk_id
JOIN documents d ON d.id = c.document_id
GROUP BY r.id
ORDER BY hops, r.id
LIMIT ?`;
