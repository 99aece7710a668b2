/** Tables of knowledge bases in Postgres: every row names its knowledge base (`kb`). */
export function postgresKnowledgeSchema(schema: string): string {
  const s = `"${schema}"`;
  return `
CREATE SCHEMA IF NOT EXISTS ${s};
CREATE TABLE IF NOT EXISTS ${s}.llmteam_kb_meta (
  kb TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (kb, key)
);
CREATE TABLE IF NOT EXISTS ${s}.llmteam_kb_documents (
  id BIGSERIAL PRIMARY KEY,
  kb TEXT NOT NULL,
  path TEXT NOT NULL,
  title TEXT NOT NULL,
  format TEXT NOT NULL,
  hash TEXT NOT NULL,
  bytes BIGINT NOT NULL,
  chunks INTEGER NOT NULL,
  tokens INTEGER NOT NULL,
  metadata JSONB NOT NULL,
  ingested_at BIGINT NOT NULL,
  UNIQUE (kb, path)
);
CREATE TABLE IF NOT EXISTS ${s}.llmteam_kb_chunks (
  id BIGSERIAL PRIMARY KEY,
  kb TEXT NOT NULL,
  document_id BIGINT NOT NULL REFERENCES ${s}.llmteam_kb_documents(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  text TEXT NOT NULL,
  headings TEXT NOT NULL,
  title TEXT NOT NULL,
  page INTEGER,
  tokens INTEGER NOT NULL,
  embedding BYTEA,
  tsv TSVECTOR GENERATED ALWAYS AS (
    setweight(to_tsvector('english', title || ' ' || headings), 'A') || to_tsvector('english', text)
  ) STORED
);
CREATE INDEX IF NOT EXISTS llmteam_kb_chunks_tsv ON ${s}.llmteam_kb_chunks USING GIN (tsv);
CREATE INDEX IF NOT EXISTS llmteam_kb_chunks_document ON ${s}.llmteam_kb_chunks (document_id);
CREATE INDEX IF NOT EXISTS llmteam_kb_chunks_kb ON ${s}.llmteam_kb_chunks (kb);
CREATE TABLE IF NOT EXISTS ${s}.llmteam_kb_entities (
  kb TEXT NOT NULL, key TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL, PRIMARY KEY (kb, key)
);
CREATE TABLE IF NOT EXISTS ${s}.llmteam_kb_mentions (
  kb TEXT NOT NULL,
  entity_key TEXT NOT NULL,
  chunk_id BIGINT NOT NULL REFERENCES ${s}.llmteam_kb_chunks(id) ON DELETE CASCADE,
  PRIMARY KEY (kb, entity_key, chunk_id)
);
CREATE TABLE IF NOT EXISTS ${s}.llmteam_kb_relations (
  id BIGSERIAL PRIMARY KEY,
  kb TEXT NOT NULL,
  source_key TEXT NOT NULL,
  relation TEXT NOT NULL,
  target_key TEXT NOT NULL,
  chunk_id BIGINT NOT NULL REFERENCES ${s}.llmteam_kb_chunks(id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS llmteam_kb_relations_source ON ${s}.llmteam_kb_relations (kb, source_key);
CREATE INDEX IF NOT EXISTS llmteam_kb_relations_target ON ${s}.llmteam_kb_relations (kb, target_key);
`;
}

/** The graph walk in Postgres (`$1` kb, `$2` seed keys, `$3` max hops, `$4` limit). */
export function postgresGraphWalk(schema: string): string {
  const s = `"${schema}"`;
  return `
WITH RECURSIVE walk(key, hops) AS (
  SELECT key, 0 FROM ${s}.llmteam_kb_entities WHERE kb = $1 AND key = ANY($2::text[])
  UNION
  SELECT CASE WHEN r.source_key = w.key THEN r.target_key ELSE r.source_key END, w.hops + 1
  FROM walk w JOIN ${s}.llmteam_kb_relations r
    ON r.kb = $1 AND (r.source_key = w.key OR r.target_key = w.key)
  WHERE w.hops + 1 < $3
), nearest AS (SELECT key, MIN(hops) AS hops FROM walk GROUP BY key),
facts AS (
  SELECT r.id, MIN(n.hops) + 1 AS hops FROM ${s}.llmteam_kb_relations r
  JOIN nearest n ON n.key = r.source_key OR n.key = r.target_key
  WHERE r.kb = $1 GROUP BY r.id
)
SELECT r.id, src.name AS source, src.type AS source_type, r.relation, tgt.name AS target,
  tgt.type AS target_type, f.hops, r.chunk_id, c.position, d.path
FROM facts f
JOIN ${s}.llmteam_kb_relations r ON r.id = f.id
JOIN ${s}.llmteam_kb_entities src ON src.kb = $1 AND src.key = r.source_key
JOIN ${s}.llmteam_kb_entities tgt ON tgt.kb = $1 AND tgt.key = r.target_key
JOIN ${s}.llmteam_kb_chunks c ON c.id = r.chunk_id
JOIN ${s}.llmteam_kb_documents d ON d.id = c.document_id
ORDER BY f.hops, r.id
LIMIT $4`;
}
