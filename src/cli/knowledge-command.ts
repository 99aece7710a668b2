import { KnowledgeError } from "../errors/knowledge-error.js";
import { KnowledgeCatalog } from "../knowledge/knowledge-catalog.js";
import type { IngestProgress, IngestSummary } from "../knowledge/ingest.js";
import { formatContext } from "../knowledge/passages.js";
import type { CliIO } from "./cli-io.js";
import { parseCommand, plural, UsageError } from "./cli-options.js";
import {
  knowledgeExtras,
  KNOWLEDGE_MODEL_OPTIONS,
  type KnowledgeExtras,
} from "./knowledge-models.js";
import { connectPostgresKnowledgeCatalog } from "../knowledge/postgres-knowledge-catalog.js";
import { isPostgresUrl } from "../store/open-run-store.js";
import { usd } from "./usd.js";

/**
 * The catalog the CLI uses: the Postgres schema `--store postgres://…[?schema=x]` names (with
 * `create`, the bases an ingest fills), else the folder `--kb-dir`, `$LLMTEAM_KB_DIR` or
 * `.llmteam/kb`.
 */
async function catalogOf(
  values: { store?: string | undefined; "kb-dir"?: string | undefined },
  io: CliIO,
  extras: KnowledgeExtras["catalog"],
  create: string[] = [],
): Promise<KnowledgeCatalog> {
  const store = values.store;
  if (store !== undefined) {
    if (!isPostgresUrl(store))
      throw new UsageError(
        `--store takes a postgres://… URL (e.g. postgres://127.0.0.1:5432/kb?schema=docs), not "${store}"; knowledge bases in SQLite files live in --kb-dir.`,
      );
    if (values["kb-dir"] !== undefined)
      throw new UsageError("--store and --kb-dir name two places: give one of them.");
    return connectPostgresKnowledgeCatalog({
      url: store,
      knowledgeBases: create,
      ...(extras.embedder ? { embedder: extras.embedder } : {}),
    });
  }
  return new KnowledgeCatalog({
    directory: values["kb-dir"] ?? (io.env.LLMTEAM_KB_DIR || ".llmteam/kb"),
    ...extras,
  });
}

function positiveInteger(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0)
    throw new UsageError(`${option} must be a positive whole number, not "${value}".`);
  return number;
}

/** `llmteam ingest <files|dirs|globs> --kb <name> [--sync]`: ingest with progress and a summary. */
export async function ingestCommand(
  argv: string[],
  io: CliIO,
  help: () => number,
): Promise<number> {
  const { values, positionals } = parseCommand("ingest", argv, {
    kb: { type: "string" },
    "kb-dir": { type: "string" },
    store: { type: "string" },
    sync: { type: "boolean" },
    "max-file-bytes": { type: "string" },
    "chunk-tokens": { type: "string" },
    "overlap-tokens": { type: "string" },
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
    ...KNOWLEDGE_MODEL_OPTIONS,
  });
  if (values.help) return help();
  if (values.kb === undefined)
    throw new UsageError(
      "ingest needs --kb <name>: the knowledge base to fill. See llmteam ingest --help.",
    );
  if (positionals.length === 0)
    throw new UsageError(
      "ingest needs files, folders or globs, e.g. llmteam ingest docs/ --kb docs.",
    );
  const extras = await knowledgeExtras(values, io);
  const catalog = await catalogOf(values, io, extras.catalog, [values.kb]);
  try {
    const base = catalog.create(values.kb);
    const maxTokens = positiveInteger(values["chunk-tokens"], "--chunk-tokens");
    const overlapTokens = positiveInteger(values["overlap-tokens"], "--overlap-tokens");
    const maxFileBytes = positiveInteger(values["max-file-bytes"], "--max-file-bytes");
    const progress = progressPrinter(io);
    const summary = await base.ingest(positionals, {
      sync: values.sync ?? false,
      ...(values.json ? {} : { onProgress: progress }),
      ...(maxFileBytes === undefined ? {} : { maxFileBytes }),
      ...(maxTokens === undefined && overlapTokens === undefined
        ? {}
        : {
            chunking: {
              ...(maxTokens ? { maxTokens } : {}),
              ...(overlapTokens ? { overlapTokens } : {}),
            },
          }),
      ...(extras.graph ? { graph: extras.graph } : {}),
      ...(io.signal ? { signal: io.signal } : {}),
    });
    if (values.json) io.stdout(`${JSON.stringify(summary, null, 2)}\n`);
    else io.stdout(formatSummary(values.kb, summary, (await base.stats()).sizeBytes));
    return summary.files === 0 && summary.skipped.length > 0 ? 1 : 0;
  } finally {
    await catalog.close();
  }
}

/** Progress on stderr: a bar drawn in place on a terminal, else one line per file. */
function progressPrinter(io: CliIO): (progress: IngestProgress) => void {
  return ({ done, total, path, status, chunks }) => {
    if (io.stderrIsTTY) {
      const width = 24;
      const filled = Math.round((done / total) * width);
      const bar = `${"█".repeat(filled)}${"░".repeat(width - filled)}`;
      io.stderr(
        `\r${bar} ${done}/${total} ${path.slice(-50).padEnd(50)}${done === total ? "\n" : ""}`,
      );
    } else {
      io.stderr(
        `[${done}/${total}] ${status} ${path}${status === "ingested" ? ` (${plural(chunks, "chunk")})` : ""}\n`,
      );
    }
  };
}

function formatSummary(name: string, summary: IngestSummary, sizeBytes: number): string {
  const seconds = (summary.durationMs / 1000).toFixed(2);
  const rate =
    summary.durationMs > 0
      ? Math.round((summary.chunks * 1000) / summary.durationMs)
      : summary.chunks;
  const lines = [
    `Knowledge base "${name}": ${plural(summary.files, "file")} — ${summary.ingested} ingested, ${summary.unchanged} unchanged, ${summary.skipped.length} skipped${summary.removed > 0 ? `, ${summary.removed} removed` : ""}`,
    `  ${plural(summary.chunks, "chunk")}, ${plural(summary.tokens, "token")} written in ${seconds} s (${rate} chunks/s); index ${(sizeBytes / 1024).toFixed(0)} KiB`,
  ];
  if (summary.embeddingTokens > 0) {
    const cost =
      summary.embeddingCostUsd !== undefined
        ? usd(summary.embeddingCostUsd)
        : "cost unknown: the embedding model has no price";
    lines.push(`  embeddings: ${plural(summary.embeddingTokens, "token")}, ${cost}`);
  }
  for (const skipped of summary.skipped) lines.push(`  skipped ${skipped.path}: ${skipped.reason}`);
  return `${lines.join("\n")}\n`;
}

/** `llmteam kb list | show <name> | query "<question>" --kb <name> | drop <name>`. */
export async function kbCommand(argv: string[], io: CliIO, help: () => number): Promise<number> {
  const { values, positionals } = parseCommand("kb", argv, {
    kb: { type: "string" },
    "kb-dir": { type: "string" },
    store: { type: "string" },
    "top-k": { type: "string" },
    mode: { type: "string" },
    filter: { type: "string", multiple: true },
    scores: { type: "boolean" },
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
    ...KNOWLEDGE_MODEL_OPTIONS,
  });
  if (values.help) return help();
  const [action, argument, ...extra] = positionals;
  const extras = await knowledgeExtras(values, io);
  const catalog = await catalogOf(values, io, extras.catalog);
  try {
    switch (action) {
      case "list":
        return await listBases(catalog, io, values.json ?? false);
      case "show":
        return await showBase(
          catalog,
          nameOf(catalog, argument ?? values.kb, "show"),
          io,
          values.json ?? false,
        );
      case "drop": {
        const name = argument ?? values.kb;
        if (name === undefined) throw new UsageError("usage: llmteam kb drop <name>.");
        await catalog.drop(name);
        io.stdout(`Dropped knowledge base "${name}".\n`);
        return 0;
      }
      case "query": {
        if (argument === undefined || extra.length > 0)
          throw new UsageError(
            'usage: llmteam kb query "<question>" [--kb <name>]. See llmteam kb --help.',
          );
        const base = catalog.open(nameOf(catalog, values.kb, "query"));
        const mode = values.mode;
        const topK = positiveInteger(values["top-k"], "--top-k") ?? 5;
        if (mode !== undefined && !["bm25", "vector", "hybrid", "graph"].includes(mode))
          throw new UsageError(`--mode must be bm25, vector, hybrid or graph, not "${mode}".`);
        const result =
          mode === "graph"
            ? await base.searchGraph(argument, { topK })
            : await base.search(argument, {
                topK,
                ...(mode ? { mode: mode as "bm25" | "vector" | "hybrid" } : {}),
                ...(values.filter ? { filters: parseFilters(values.filter) } : {}),
                ...(io.signal ? { signal: io.signal } : {}),
              });
        io.stdout(
          values.json
            ? `${JSON.stringify(result, null, 2)}\n`
            : `${formatContext(result, { includeScores: values.scores ?? true })}\n`,
        );
        return 0;
      }
      default:
        throw new UsageError(
          'usage: llmteam kb list | show <name> | query "<question>" --kb <name> | drop <name>. See llmteam kb --help.',
        );
    }
  } finally {
    await catalog.close();
  }
}

/** The base to use: the one named, else the only one there is. */
function nameOf(catalog: KnowledgeCatalog, name: string | undefined, action: string): string {
  if (name !== undefined) return name;
  const names = catalog.names();
  if (names.length === 1) return names[0]!;
  throw new UsageError(
    names.length === 0
      ? `there is no knowledge base in ${catalog.location}: create one with llmteam ingest <files> --kb <name>.`
      : `name the knowledge base to ${action} (--kb <name>): one of ${names.join(", ")}.`,
  );
}

/** `--filter key=value` (repeated; a key given twice matches any of its values). */
function parseFilters(filters: string[]): Record<string, string[]> {
  const parsed: Record<string, string[]> = {};
  for (const filter of filters) {
    const at = filter.indexOf("=");
    if (at <= 0)
      throw new UsageError(`--filter takes key=value (e.g. format=markdown), not "${filter}".`);
    (parsed[filter.slice(0, at)] ??= []).push(filter.slice(at + 1));
  }
  return parsed;
}

async function listBases(catalog: KnowledgeCatalog, io: CliIO, json: boolean): Promise<number> {
  const rows = [];
  for (const name of catalog.names()) rows.push({ name, ...(await catalog.open(name).stats()) });
  if (json) io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
  else if (rows.length === 0)
    io.stdout(
      `No knowledge bases in ${catalog.location}. Create one with: llmteam ingest <files> --kb <name>\n`,
    );
  else {
    const lines = [`Knowledge bases in ${catalog.location}:`];
    for (const row of rows)
      lines.push(
        `  ${row.name.padEnd(20)} ${plural(row.documents, "document")}, ${plural(row.chunks, "chunk")}, ${plural(row.tokens, "token")}, ${(row.sizeBytes / 1024).toFixed(0)} KiB`,
      );
    io.stdout(`${lines.join("\n")}\n`);
  }
  return 0;
}

async function showBase(
  catalog: KnowledgeCatalog,
  name: string,
  io: CliIO,
  json: boolean,
): Promise<number> {
  if (!catalog.has(name)) throw new KnowledgeError(catalog.missingMessage(name));
  const base = catalog.open(name);
  const stats = await base.stats();
  const documents = await base.documents();
  const embedding = await base.store.getMeta("embedding_model");
  if (json) {
    io.stdout(
      `${JSON.stringify({ name, ...stats, embeddingModel: embedding ?? null, documents }, null, 2)}\n`,
    );
    return 0;
  }
  const lines = [
    `Knowledge base "${name}" (${catalog.whereOf(name)})`,
    `  ${plural(stats.documents, "document")}, ${plural(stats.chunks, "chunk")}, ${plural(stats.tokens, "token")}, ${(stats.sizeBytes / 1024).toFixed(0)} KiB`,
    `  retrieval: BM25${embedding ? ` + vectors of ${embedding} (${stats.embeddedChunks} chunks embedded)` : " (no embeddings)"}`,
  ];
  for (const document of documents)
    lines.push(
      `  ${document.path}  ${document.format}, ${plural(document.chunks, "chunk")}, ${plural(document.tokens, "token")}`,
    );
  io.stdout(`${lines.join("\n")}\n`);
  return 0;
}
