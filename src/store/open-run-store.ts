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
 * (created with its directory when missing). Default {@link DEFAULT_RUN_STORE_PATH}.
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
    const store = new PostgresRunStore({
      connection: spec,
      ...(options.schema === undefined ? {} : { schema: options.schema }),
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
