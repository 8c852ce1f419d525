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
  /**
   * A replica its engine keeps in sync with a server. Triggers do not travel there (they are
   * reverted at the next pull and fire again when pushed changes are replayed), nor does the
   * header; and its own schema changes are replayed on top of the server's at every pull.
   */
  readonly synced: boolean;
  /** Name prefixes of tables the engine keeps for itself, which are not the cache's schema. */
  readonly internalTables?: readonly string[];
  /**
   * False where the engine's table-valued pragmas (`pragma_table_info(…)` in a SELECT) must not
   * be used: the replica's engine then refuses every later WAL checkpoint as "busy".
   */
  readonly tableValuedPragmas?: boolean;
}

/** A change the engine is about to send to the server, or to replay over a pull. */
export interface PendingChange {
  readonly table: string;
  readonly type: "insert" | "update" | "delete";
  /** The whole row before and after the change, by column. */
  readonly before?: Row | undefined;
  readonly after?: Row | undefined;
}

/** A statement that applies a change in its place; undefined applies the change as it is. */
export type ChangeRewrite = (change: PendingChange) => { sql: string; values: SqlValue[] } | undefined;

/** What a replica keeps beside its file to know itself. */
export interface ReplicaIdentity {
  readonly id: string;
  readonly mark: string;
}

/** A replica kept in sync with a server by its engine. */
export interface Replica {
  /** This replica's own id: stable for its file, different on every other replica (see `renew`). */
  readonly id: string;
  /**
   * The mark this replica last left in the shared history, kept beside its file with the id
   * (undefined before its first): a copy of the file that goes on writing leaves marks of its own.
   */
  readonly mark: string | undefined;
  /** Keeps this id and mark beside the file from now on (the id changes only for a copy, see history/twins.ts). */
  keep(identity: ReplicaIdentity): void;
  /** Applies the server's new changes under the local ones; true when there were any. */
  pull(): Promise<boolean>;
  /** Sends the local changes; they stay local if this fails, and go with the next push. */
  push(): Promise<void>;
  /** How many row and schema changes made here wait to be pushed. */
  pending(): Promise<number>;
  /**
   * From now on, sends and replays every row change through `rewrite`. Schema changes cannot
   * travel with rewritten ones, so those waiting are pushed first; throws `SyncError` when they
   * cannot be.
   */
  rewriteChanges(rewrite: ChangeRewrite): Promise<void>;
}

/** The replica's calls as the core makes them. */
export interface DriverReplica {
  readonly id: string;
  readonly mark: string | undefined;
  keep(identity: ReplicaIdentity): void;
  /**
   * Applies the server's changes, then runs `settle` in a write transaction before anything else
   * may touch the file, so no other work sees what the pull left unsettled. It runs whether or
   * not the pull brought changes: what an earlier settle left undone is settled now.
   */
  pull<T>(settle: (tx: Transaction) => Promise<T>): Promise<{ changed: boolean; settled: T }>;
  push(): Promise<void>;
  pending(): Promise<number>;
  rewriteChanges(rewrite: ChangeRewrite): Promise<void>;
}

/** A write transaction as the core sees it. */
export interface Transaction extends Executor {
  /** The data's change stamp (see {@link Driver.changeStamp}) as of this transaction's writes so far. */
  changeStamp(): Promise<string>;
  /** Runs `fn` once the transaction has committed, before any other work may touch the file; not at all if it rolls back. */
  afterCommit(fn: () => void): void;
}

/** What an adapter implements. Optional methods are optional features. */
export interface Connection extends Executor {
  readonly capabilities: Capabilities;
  /**
   * Runs `fn` inside one write transaction on a handle of its own. Drivers that do not provide
   * it get `BEGIN IMMEDIATE … COMMIT` on their single connection.
   */
  transaction?<T>(fn: (tx: Executor) => Promise<T>): Promise<T>;
  /**
   * A value that moves whenever the data may have changed. Drivers whose file other processes
   * write leave it out, and SQLite's `data_version` with this connection's `total_changes()` is
   * asked instead; a driver that owns its file knows every change itself.
   */
  changeStamp?(): Promise<string>;
  /** Present when the database is a synced replica. */
  readonly replica?: Replica;
  close(): Promise<void>;
}

/** The driver as the core uses it. */
export interface Driver extends Executor {
  readonly capabilities: Capabilities;
  /** Runs `fn` in a write transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
  /** See {@link Connection.changeStamp}. */
  changeStamp(): Promise<string>;
  /** The replica's sync calls, each run alone: never inside a transaction or beside a statement. */
  readonly replica: DriverReplica | undefined;
  /** Waits for work in flight, then closes the connection. Idempotent. */
  close(): Promise<void>;
}

/**
 * `data_version` moves when another connection commits (another process, the Python store);
 * `total_changes()` moves with this connection's own writes.
 */
const STAMP_SQL = "SELECT data_version AS version, total_changes() AS changes FROM pragma_data_version";

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

  // A driver that owns its file knows its stamp on its one connection; elsewhere SQLite is asked
  // on the handle given (a transaction's own, where the adapter has one).
  const stampOf = (db: Executor) =>
    connection.changeStamp && db === connection
      ? connection.changeStamp()
      : db.all<{ version: number; changes: number }>(STAMP_SQL).then(([row]) => `${row?.version}:${row?.changes}`);
  // Inside the lock: what runs after the commit runs before the next statement or transaction.
  const transaction = async <T>(fn: (tx: Transaction) => Promise<T>) => {
    const committed: (() => void)[] = [];
    const result = await begin((tx) =>
      fn({
        all: (sql, args) => tx.all(sql, args),
        run: (sql, args) => tx.run(sql, args),
        changeStamp: () => stampOf(tx),
        afterCommit: (then) => void committed.push(then),
      }),
    );
    for (const then of committed) then();
    return result;
  };

  const queued = <T>(work: () => Promise<T>) => (statements ? statements.run(work) : work());
  const alone = <T>(work: () => Promise<T>) => transactions.run(work);
  const { replica } = connection;

  return {
    capabilities,
    all: (sql, args) => queued(() => connection.all(sql, args)),
    run: (sql, args) => queued(() => connection.run(sql, args)),
    changeStamp: () => queued(() => stampOf(connection)),
    replica: replica && {
      get id() {
        return replica.id;
      },
      get mark() {
        return replica.mark;
      },
      keep: (identity: ReplicaIdentity) => replica.keep(identity),
      pull: <T>(settle: (tx: Transaction) => Promise<T>) =>
        alone(async () => {
          const changed = await replica.pull();
          return { changed, settled: await transaction(settle) };
        }),
      push: () => alone(() => replica.push()),
      pending: () => queued(() => replica.pending()),
      rewriteChanges: (rewrite: ChangeRewrite) => alone(() => replica.rewriteChanges(rewrite)),
    },
    transaction: (fn) => transactions.run(() => transaction(fn)),
    close: () => (closed ??= transactions.run(() => connection.close())),
  };
}
