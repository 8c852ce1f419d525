/**
 * The three synchronous SQLite drivers (`better-sqlite3`, `node:sqlite`, `bun:sqlite`) share one
 * shape: `prepare(sql)` gives a statement with `all(...args)` and `run(...args)`. This maps that
 * shape onto the core's connection once, so each driver's adapter only opens its database.
 */
import type { Capabilities, Connection, Row, SqlValue } from "../core/index.ts";
import { StatementCache } from "./statement-cache.ts";

/** The part of a synchronous driver's statement we use. */
export interface SyncStatement {
  all(...args: SqlValue[]): unknown[];
  run(...args: SqlValue[]): { changes: number | bigint };
}

/** The part of a synchronous driver's database we use. */
export interface SyncDatabase {
  prepare(sql: string): SyncStatement;
  close(): void;
}

/** Settings for one connection; the journal mode is the core's to set once the file is accepted. */
const CONNECTION_PRAGMAS = ["PRAGMA busy_timeout = 5000", "PRAGMA foreign_keys = ON"];

/**
 * Speed settings. The default 2 MB page cache thrashes on a million-row file; in WAL mode
 * `synchronous = NORMAL` never corrupts the file (a power cut may lose the last commits).
 * These read the file header, so on a file that is not SQLite they fail, and are skipped: the
 * core's first read then reports the file clearly.
 */
const TUNING_PRAGMAS = ["PRAGMA synchronous = NORMAL", "PRAGMA cache_size = -65536", "PRAGMA mmap_size = 268435456"];

export function syncConnection(db: SyncDatabase, capabilities: Capabilities): Connection {
  const statements = new StatementCache<SyncStatement>();
  const prepare = (sql: string) => statements.get(sql) ?? statements.add(sql, db.prepare(sql));
  for (const pragma of CONNECTION_PRAGMAS) db.prepare(pragma).run();
  try {
    for (const pragma of TUNING_PRAGMAS) db.prepare(pragma).run();
  } catch {
    // Not a database: see TUNING_PRAGMAS.
  }
  return {
    capabilities,
    // Async so that a driver's synchronous throw reaches callers as a rejection.
    all: async <T extends object = Row>(sql: string, args: readonly SqlValue[] = []) =>
      prepare(sql).all(...args) as T[],
    run: async (sql, args = []) => ({ changes: Number(prepare(sql).run(...args).changes) }),
    close: async () => {
      statements.clear();
      db.close();
    },
  };
}

/** Capabilities of a synchronous driver on a local file, or in memory. */
export function localCapabilities(adapter: string, path: string): Capabilities {
  return {
    adapter,
    singleConnection: true,
    writesApplicationId: true,
    writesUserVersion: true,
    walJournal: path !== ":memory:" && path !== "",
    synced: false,
  };
}
