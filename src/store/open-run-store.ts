import { PostgresRunStore } from "./postgres-run-store.js";
import type { RunStore } from "./run-store.js";
import { DEFAULT_RUN_STORE_PATH, SqliteRunStore } from "./sqlite-run-store.js";

/** Options of {@link openRunStore}. */
export interface OpenRunStoreOptions {
  /** Postgres schema of the store's tables (Postgres URLs only). Default `"public"`. */
  schema?: string;
}

/** True when `spec` names a Postgres server (`postgres://…` or `postgresql://…`). */
export function isPostgresUrl(spec: string): boolean {
  return /^postgres(?:ql)?:\/\//i.test(spec);
}

/**
 * The run store a spec names, as the CLI's `--store` and a team file's `runStore:` give it:
 * a `postgres://…` or `postgresql://…` URL opens a {@link PostgresRunStore} (connected, its
 * tables created or migrated), anything else is the path of a {@link SqliteRunStore} file
 * (created with its directory when missing). Default {@link DEFAULT_RUN_STORE_PATH}. A URL's
 * `schema` parameter (`postgres://host/db?schema=llmteam`) names the Postgres schema of the
 * tables, as `options.schema` does.
 *
 * @throws RunStoreError when the store cannot be reached or opened (see each store).
 * @example
 * const store = await openRunStore(process.env.LLMTEAM_RUN_STORE ?? ".llmteam/runs.db");
 */
export async function openRunStore(
  spec: string = DEFAULT_RUN_STORE_PATH,
  options: OpenRunStoreOptions = {},
): Promise<RunStore> {
  if (isPostgresUrl(spec)) {
    const { connection, schema } = splitSchema(spec);
    const chosen = options.schema ?? schema;
    const store = new PostgresRunStore({
      connection,
      ...(chosen === undefined ? {} : { schema: chosen }),
    });
    try {
      await store.connect();
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }
  return new SqliteRunStore({ path: spec });
}

/** A Postgres URL without its `schema` parameter, and that parameter. */
function splitSchema(spec: string): { connection: string; schema: string | undefined } {
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    return { connection: spec, schema: undefined };
  }
  const schema = url.searchParams.get("schema") ?? undefined;
  if (schema === undefined) return { connection: spec, schema };
  url.searchParams.delete("schema");
  return { connection: url.toString(), schema };
}
