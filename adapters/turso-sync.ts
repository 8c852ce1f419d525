/**
 * A local replica that Turso keeps in sync with a server, through `@tursodatabase/sync`: the
 * server (Turso Cloud, or `tursodb --sync-server`) holds the shared history, each machine a
 * replica that reads and writes locally and works offline.
 *
 * What differs from a plain file is declared, not special-cased in the core: the engine is not
 * SQLite (no `data_version`, internal `turso_*` tables), triggers and the header do not travel,
 * and only one process may open the file.
 */
import { connect, type DatabaseRowMutation, type DatabaseRowTransformResult } from "@tursodatabase/sync";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import {
  REPLICA_ID,
  ReplicaInUseError,
  SyncError,
  messageOf,
  type Capabilities,
  type ChangeRewrite,
  newReplicaId,
  type ReplicaIdentity,
  type Connection,
  type Row,
  type SqlValue,
} from "../core/index.ts";
import { StatementCache } from "./statement-cache.ts";

export interface TursoSyncOptions {
  /** The replica file on this machine; created and bootstrapped from the server when missing. */
  path: string;
  /** The server: `libsql://…` (Turso Cloud), `https://…` or `http://…`. */
  url: string;
  /** A token, or a function that gives a fresh one for every request. */
  authToken?: string | (() => Promise<string>) | undefined;
  /** How long the server may take to start answering a request of a round. */
  timeoutMs?: number;
  /**
   * The same, for the requests that bootstrap a replica not yet on this machine: a server
   * prepares the whole history before its first byte (more than 15 s at a million tasks).
   */
  bootstrapTimeoutMs?: number;
  /** The WAL size past which a push or pull ends with a checkpoint. */
  checkpointBytes?: number;
}

/** The part of the engine's prepared statement we use. */
interface Statement {
  all(...args: SqlValue[]): Promise<unknown[]>;
  run(...args: SqlValue[]): Promise<{ changes: number }>;
}

const CAPABILITIES: Capabilities = Object.freeze({
  adapter: "turso-sync",
  singleConnection: true,
  // The header stays on this machine: the version follows from the tables, as on every replica.
  writesApplicationId: false,
  writesUserVersion: false,
  // The engine keeps its own journal; it is always WAL.
  walJournal: false,
  synced: true,
  internalTables: ["turso_", "__turso_"],
  tableValuedPragmas: false,
});

/** Changes sent in one push request, at most (a transaction is never split). */
const PUSH_BATCH = 2000;

/** The engine keeps 2,000 pages (8 MiB) by default, which a replica of many tasks thrashes; as the local files. */
const PAGE_CACHE_PRAGMA = "PRAGMA cache_size = -65536";

/** The WAL is checkpointed by hand on a synced file (the engine turns its own checkpoints off) once it is this large. */
const CHECKPOINT_BYTES = 8 * 1024 * 1024;

/**
 * `fetch`, giving up when the server has not started to answer within `ms`: a server that does
 * not answer must not hold the replica (and every request waiting on it) forever. Once it
 * answers, the body may take as long as it needs: a bootstrap downloads the whole history.
 */
function answeredWithin(limitMs: () => number): typeof fetch {
  return async (input, init) => {
    const controller = new AbortController();
    const ms = limitMs();
    const timer = setTimeout(() => controller.abort(new Error(`the sync server did not answer within ${ms} ms`)), ms);
    const signal = init?.signal ? AbortSignal.any([init.signal, controller.signal]) : controller.signal;
    try {
      return await fetch(input, { ...init, signal });
    } finally {
      clearTimeout(timer);
    }
  };
}

/**
 * The replica's id and its last mark, kept in a file beside it (`id`, then `mark`, a line each):
 * the id is made once, with the replica, and never shared, so the versions of two replicas never
 * collide. A copy of a replica file copies this file too; the marks tell the two apart, and the
 * one that finds another's mark under its id takes a new one (core/history/twins.ts).
 */
function sidecar(path: string) {
  const file = `${path}-replica-id`;
  const [id, mark] = existsSync(file) ? readFileSync(file, "utf8").split("\n") : [];
  let state = {
    id: id && REPLICA_ID.test(id.trim()) ? id.trim() : newReplicaId(),
    mark: mark?.trim() || undefined,
  };
  const keep = () => writeFileSync(file, `${state.id}\n${state.mark ?? ""}\n`);
  keep();
  return {
    get id() {
      return state.id;
    },
    get mark() {
      return state.mark;
    },
    keep(identity: ReplicaIdentity) {
      state = { ...identity };
      keep();
    },
  };
}

/** The engine's change as the core's `ChangeRewrite` reads it, and its answer back. */
function transformWith(rewrite: ChangeRewrite) {
  return (mutation: DatabaseRowMutation): DatabaseRowTransformResult => {
    const statement = rewrite({
      table: mutation.tableName,
      type: mutation.changeType as "insert" | "update" | "delete",
      before: mutation.before as Row | undefined,
      after: mutation.after as Row | undefined,
    });
    return statement ? { operation: "rewrite", stmt: statement } : null;
  };
}

export async function openTursoSync({
  path,
  url,
  authToken,
  timeoutMs = 15_000,
  bootstrapTimeoutMs = 600_000,
  checkpointBytes = CHECKPOINT_BYTES,
}: TursoSyncOptions): Promise<Connection> {
  let answerMs = existsSync(path) ? timeoutMs : Math.max(timeoutMs, bootstrapTimeoutMs);
  const open = async (rewrite?: ChangeRewrite) => {
    try {
      const opened = await connect({
        path,
        url,
        authToken,
        clientName: "uniqc-task-cache",
        // Requests of bounded size. The engine still gathers every waiting change in memory first,
        // and aborts past about 128 MiB; the core keeps below that (see SYNCED_CHUNK).
        pushOperationsThreshold: PUSH_BATCH,
        fetch: answeredWithin(() => answerMs),
        ...(rewrite ? { transform: transformWith(rewrite) } : {}),
      });
      await opened.exec(PAGE_CACHE_PRAGMA);
      return opened;
    } catch (error) {
      const message = messageOf(error);
      if (/locked by another process/i.test(message)) throw new ReplicaInUseError(path, { cause: error });
      // Only a replica that does not exist yet needs the server to open: it is bootstrapped from it.
      throw new SyncError(`The replica ${path} could not be bootstrapped from ${url}: ${message}`, { cause: error });
    }
  };
  let db = await open();
  answerMs = timeoutMs;
  const own = sidecar(path);

  const statements = new StatementCache<Statement>();
  const prepare = async (sql: string) =>
    statements.get(sql) ?? statements.add(sql, (await db.prepare(sql)) as Statement);
  // Pulls change the data without moving `total_changes()`, so they are counted here.
  let pulls = 0;
  // The engine's change log holds pushed entries until the next pull rebuilds it from the
  // server's state and the unpushed changes; entries above this id are not pushed yet.
  let pushedThrough = 0;
  const query = async <T>(sql: string, ...args: SqlValue[]) => (await (await prepare(sql)).all(...args)) as T[];
  const checkpointIfLarge = async () => {
    if ((await db.stats()).mainWalSize > checkpointBytes) await db.checkpoint();
  };

  return {
    capabilities: CAPABILITIES,
    all: <T extends object = Row>(sql: string, args: readonly SqlValue[] = []) => query<T>(sql, ...args),
    run: async (sql, args = []) => ({ changes: Number((await (await prepare(sql)).run(...args)).changes) }),
    // This process owns the file: its own writes and its pulls are every change there is.
    async changeStamp() {
      const [row] = await query<{ n: number }>("SELECT total_changes() AS n");
      return `${pulls}:${row?.n}`;
    },
    replica: {
      get id() {
        return own.id;
      },
      get mark() {
        return own.mark;
      },
      keep: (identity: ReplicaIdentity) => own.keep(identity),
      async pull() {
        const changed = await db.pull();
        if (changed) {
          pulls++;
          pushedThrough = 0;
        }
        await checkpointIfLarge();
        return changed;
      },
      async push() {
        await db.push();
        const [top] = await query<{ id: number | null }>("SELECT MAX(change_id) AS id FROM turso_cdc");
        pushedThrough = Number(top?.id ?? 0);
        await checkpointIfLarge();
      },
      // Row and schema changes only: the log also holds commit markers and the engine's own rows.
      async pending() {
        const [row] = await query<{ n: number }>(
          "SELECT COUNT(*) AS n FROM turso_cdc WHERE change_id > ? AND table_name IS NOT NULL AND table_name NOT LIKE 'turso%'",
          pushedThrough,
        );
        return Number(row?.n ?? 0);
      },
      // The engine's transform cannot be set on an open database, and it aborts the process on a
      // push that also carries schema changes: those go out first, then the database is opened
      // again with the rewrite.
      async rewriteChanges(rewrite) {
        const [schema] = await query<{ n: number }>(
          "SELECT COUNT(*) AS n FROM turso_cdc WHERE change_id > ? AND table_name = 'sqlite_schema'",
          pushedThrough,
        );
        if (Number(schema?.n ?? 0) > 0) {
          try {
            await db.push();
            const [top] = await query<{ id: number | null }>("SELECT MAX(change_id) AS id FROM turso_cdc");
            pushedThrough = Number(top?.id ?? 0);
          } catch (error) {
            throw new SyncError(
              `The replica ${path} has a schema change that must reach ${url} before it can be written, and the server could not be reached: ${messageOf(error)}`,
              { cause: error },
            );
          }
        }
        statements.clear();
        await db.close();
        db = await open(rewrite);
      },
    },
    close: async () => {
      statements.clear();
      await db.close();
    },
  };
}
