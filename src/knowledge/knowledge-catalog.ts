import { existsSync, readdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { KnowledgeError } from "../errors/knowledge-error.js";
import type { ChunkOptions } from "./chunk-document.js";
import type { Embedder } from "./embedder.js";
import { embedderOf, embeddingModelFromName } from "./embedding-embedder.js";
import { KnowledgeBase } from "./knowledge-base.js";
import { SqliteKnowledgeStore } from "./sqlite-knowledge-store.js";

/** Where knowledge bases live by default: `.llmteam/kb` under the working directory (or `$LLMTEAM_KB_DIR`). */
export const DEFAULT_KNOWLEDGE_DIRECTORY = ".llmteam/kb";

/** Options of {@link KnowledgeCatalog}. */
export interface KnowledgeCatalogOptions {
  /** Folder of the SQLite knowledge bases, `<name>.db` each (default `$LLMTEAM_KB_DIR`, else `.llmteam/kb`). */
  directory?: string;
  /** Knowledge bases given ready (e.g. on Postgres), by name; they come before the folder's. */
  bases?: Record<string, KnowledgeBase>;
  /** Embedding model of the folder's knowledge bases (turns on hybrid retrieval). */
  embedder?: Embedder;
  /**
   * Makes the embedder of a base embedded with another model, by its stored name (default:
   * `openai/…` and `ollama/…` through the built-in providers, reading `process.env`).
   */
  embedderFor?: (modelName: string) => Promise<Embedder>;
  /** Chunking of the folder's knowledge bases. */
  chunking?: ChunkOptions;
  /**
   * The given `bases` are all there is, kept in one shared store (Postgres, see
   * `connectPostgresKnowledgeCatalog`): the catalog lists only them (no folder), names
   * `location` in its messages, drops a base through its store and closes them and `close`.
   */
  managed?: { location: string; close: () => Promise<void> };
}

/** The embedder of a model named `provider/model` (built-in providers). */
async function embedderFromName(name: string): Promise<Embedder> {
  return embedderOf(await embeddingModelFromName(name), { name });
}

/** The shared catalogs, by folder. */
const SHARED = new Map<string, KnowledgeCatalog>();

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

/**
 * The knowledge bases a team or the CLI can name: SQLite files `<name>.db` in a folder, and
 * bases given ready. Opens each once, on first use.
 */
export class KnowledgeCatalog {
  readonly directory: string;
  private readonly given: Map<string, KnowledgeBase>;
  private readonly opened = new Map<string, KnowledgeBase>();

  /**
   * The process's catalog of a folder (default `$LLMTEAM_KB_DIR` or `.llmteam/kb`), shared by
   * every team given none, so a knowledge base is opened once per process, not once per team.
   */
  static shared(directory?: string): KnowledgeCatalog {
    const resolved = resolve(
      directory ?? (process.env.LLMTEAM_KB_DIR || DEFAULT_KNOWLEDGE_DIRECTORY),
    );
    let catalog = SHARED.get(resolved);
    if (!catalog) {
      catalog = new KnowledgeCatalog({ directory: resolved });
      SHARED.set(resolved, catalog);
    }
    return catalog;
  }

  constructor(private readonly options: KnowledgeCatalogOptions = {}) {
    this.directory = resolve(
      options.directory ?? (process.env.LLMTEAM_KB_DIR || DEFAULT_KNOWLEDGE_DIRECTORY),
    );
    this.given = new Map(Object.entries(options.bases ?? {}));
  }

  /** Where the knowledge bases are: the folder, or the shared store's location. */
  get location(): string {
    return this.options.managed?.location ?? this.directory;
  }

  /** The names of the knowledge bases there are, sorted. */
  names(): string[] {
    const files =
      !this.options.managed && existsSync(this.directory)
        ? readdirSync(this.directory)
            .filter((file) => file.endsWith(".db"))
            .map((file) => file.slice(0, -3))
        : [];
    return [...new Set([...this.given.keys(), ...files])].sort();
  }

  has(name: string): boolean {
    if (this.given.has(name)) return true;
    return !this.options.managed && NAME.test(name) && existsSync(this.pathOf(name));
  }

  /** Where one knowledge base is kept: its SQLite file, or the shared store and its name. */
  whereOf(name: string): string {
    return this.options.managed ? `${this.location}, "${name}"` : this.pathOf(name);
  }

  /** The SQLite file of a knowledge base of the folder. */
  pathOf(name: string): string {
    if (!NAME.test(name))
      throw new KnowledgeError(
        `Knowledge base name ${JSON.stringify(name)} is not valid: use letters, digits, _, - and . (up to 100 characters, e.g. docs).`,
      );
    return join(this.directory, `${name}.db`);
  }

  /**
   * An existing knowledge base.
   * @throws KnowledgeError naming the bases there are, when it does not exist.
   */
  open(name: string): KnowledgeBase {
    const given = this.given.get(name);
    if (given) return given;
    const opened = this.opened.get(name);
    // A file dropped by another catalog (or process) is not searched through a stale handle.
    if (opened && existsSync(this.pathOf(name))) return opened;
    if (opened) {
      void opened.close();
      this.opened.delete(name);
    }
    if (!this.has(name)) throw new KnowledgeError(this.missingMessage(name));
    return this.openFile(name);
  }

  /** A knowledge base, created (an empty SQLite file) when it does not exist. */
  create(name: string): KnowledgeBase {
    const ready = this.given.get(name) ?? this.opened.get(name);
    if (ready) return ready;
    if (this.options.managed)
      throw new KnowledgeError(
        `Knowledge base "${name}" was not connected in ${this.location}: name it in connectPostgresKnowledgeCatalog's knowledgeBases to create it.`,
      );
    return this.openFile(name);
  }

  private openFile(name: string): KnowledgeBase {
    const base = new KnowledgeBase({
      name,
      store: new SqliteKnowledgeStore({ path: this.pathOf(name) }),
      ...(this.options.embedder ? { embedder: this.options.embedder } : {}),
      embedderFor: this.options.embedderFor ?? embedderFromName,
      ...(this.options.chunking ? { chunking: this.options.chunking } : {}),
    });
    this.opened.set(name, base);
    return base;
  }

  /** `Knowledge base "x" does not exist in <dir>. Available: a, b. Create it with …` */
  missingMessage(name: string): string {
    return `Knowledge base "${name}" does not exist ${this.whereAndWhat(name)}`;
  }

  /** `in <dir>. Available: a, b. Create it with: llmteam ingest <files> --kb x` */
  whereAndWhat(name: string): string {
    const names = this.names();
    return `in ${this.location}. ${names.length > 0 ? `Available: ${names.join(", ")}.` : "There are none yet."} Create it with: llmteam ingest <files> --kb ${name}`;
  }

  /**
   * Deletes a knowledge base of the folder (its file).
   * @throws KnowledgeError when it does not exist.
   */
  async drop(name: string): Promise<void> {
    const given = this.given.get(name);
    if (given && this.options.managed) {
      if (!given.store.drop)
        throw new KnowledgeError(`Knowledge base "${name}" has a store that cannot drop it.`);
      await given.store.drop();
      this.given.delete(name);
      await given.close();
      return;
    }
    if (given)
      throw new KnowledgeError(
        `Knowledge base "${name}" was given ready, not kept in ${this.directory}: drop its store yourself.`,
      );
    if (!this.has(name)) throw new KnowledgeError(this.missingMessage(name));
    await this.opened.get(name)?.close();
    this.opened.delete(name);
    const path = this.pathOf(name);
    for (const file of [path, `${path}-wal`, `${path}-shm`]) rmSync(file, { force: true });
  }

  /** Closes the knowledge bases this catalog opened. */
  async close(): Promise<void> {
    await Promise.all([...this.opened.values()].map((base) => base.close()));
    this.opened.clear();
    const managed = this.options.managed;
    if (managed) {
      await Promise.all([...this.given.values()].map((base) => base.close()));
      await managed.close();
    }
  }
}
