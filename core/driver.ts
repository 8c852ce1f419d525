/**
 * The seam between the cache and a SQLite driver.
 *
 * An adapter implements {@link Connection}: a few methods mapped onto its driver. The core wraps
 * it with {@link createDriver}, which adds what every driver needs the same way: transactions
 * that never interleave, and a lock around single-connection drivers so that a statement from
 * one request cannot slip into another request's open transaction.
 */
import { Mutex } from "./mutex.ts";

/** A value SQLite can bind or return. Booleans and undefined are not: drivers disagree on them. */
export type SqlValue = string | number | bigint | null | Uint8Array;

/** A row as a plain object keyed by column name. */
export type Row = Record<string, SqlValue>;

/** Runs single statements. Inside a transaction, the transaction's own executor. */
export interface Executor {
  /** Runs a statement that returns rows. */
  all<T extends object = Row>(sql: string, args?: readonly SqlValue[]): Promise<T[]>;
  /** Runs a statement that returns no rows. */
  run(sql: string, args?: readonly SqlValue[]): Promise<{ changes: number }>;
}

/** What a driver can and cannot do, declared once by its adapter. */
export interface Capabilities {
  /** Human name of the adapter, reported by health endpoints. */
  readonly adapter: string;
  /** All calls share one connection, so even plain statements must wait for open transactions. */
  readonly singleConnection: boolean;
  /** `PRAGMA application_id = …` is accepted (remote libSQL servers refuse it). */
  readonly writesApplicationId: boolean;
  /** `PRAGMA user_version = …` is accepted (some hosts refuse it). */
  readonly writesUserVersion: boolean;
  /** A local file that should be switched to WAL once we know it is ours to write. */
  readonly walJournal: boolean;
}

/** What an adapter implements. Optional methods are optional features. */
export interface Connection extends Executor {
  readonly capabilities: Capabilities;
  /**
   * Runs `fn` inside one write transaction on a handle of its own. Drivers that do not provide
   * it get `BEGIN IMMEDIATE … COMMIT` on their single connection.
   */
  transaction?<T>(fn: (tx: Executor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** The driver as the core uses it. */
export interface Driver extends Executor {
  readonly capabilities: Capabilities;
  /** Runs `fn` in a write transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T>;
  /** Waits for work in flight, then closes the connection. Idempotent. */
  close(): Promise<void>;
}

/** Wraps an adapter's connection with the locking and transaction rules every driver shares. */
export function createDriver(connection: Connection): Driver {
  const transactions = new Mutex();
  const capabilities = Object.freeze({ ...connection.capabilities });
  // On one connection, everything queues behind transactions; with several, only writers do.
  const statements = capabilities.singleConnection ? transactions : undefined;
  let closed: Promise<void> | undefined;

  const begin = connection.transaction
    ? <T>(fn: (tx: Executor) => Promise<T>) => connection.transaction!(fn)
    : async <T>(fn: (tx: Executor) => Promise<T>) => {
        await connection.run("BEGIN IMMEDIATE");
        try {
          const result = await fn(connection);
          await connection.run("COMMIT");
          return result;
        } catch (error) {
          await connection.run("ROLLBACK").catch(() => undefined);
          throw error;
        }
      };

  return {
    capabilities,
    all: (sql, args) =>
      statements ? statements.run(() => connection.all(sql, args)) : connection.all(sql, args),
    run: (sql, args) =>
      statements ? statements.run(() => connection.run(sql, args)) : connection.run(sql, args),
    transaction: (fn) => transactions.run(() => begin(fn)),
    close: () => (closed ??= transactions.run(() => connection.close())),
  };
}
