/**
 * libSQL through `@libsql/client`: local `file:` and `:memory:` databases, and remote
 * `libsql://`, `http(s)://` and `ws(s)://` servers with an auth token.
 */
import { createClient, type InStatement, type ResultSet, type Transaction } from "@libsql/client";
import type { Capabilities, Connection, Executor, Row, SqlValue } from "../core/index.ts";

export interface LibsqlOptions {
  url: string;
  authToken?: string | undefined;
}

const BUSY_TIMEOUT_MS = 5000;

/** Whether a URL names a database on this machine rather than a server. */
function isLocalLibsqlUrl(url: string): boolean {
  return url === ":memory:" || /^file:/i.test(url);
}

function toRows<T>(result: ResultSet): T[] {
  const { columns, rows } = result;
  return rows.map((row) => {
    const object: Row = {};
    for (let i = 0; i < columns.length; i++) object[columns[i]!] = row[i] as SqlValue;
    return object as T;
  });
}

function executorOf(execute: (statement: InStatement) => Promise<ResultSet>): Executor {
  return {
    all: async (sql, args = []) => toRows(await execute({ sql, args: args as SqlValue[] })),
    run: async (sql, args = []) => ({ changes: (await execute({ sql, args: args as SqlValue[] })).rowsAffected }),
  };
}

export function openLibsql({ url, authToken }: LibsqlOptions): Connection {
  const local = isLocalLibsqlUrl(url);
  // Locally, one connection keeps per-connection settings (busy timeout) on every statement,
  // including transactions, which the client would otherwise run on a fresh connection.
  const client = createClient({
    url,
    authToken,
    intMode: "number",
    ...(local ? { concurrency: 1, timeout: BUSY_TIMEOUT_MS } : {}),
  });
  const capabilities: Capabilities = {
    adapter: "libsql",
    singleConnection: local,
    // Remote servers refuse `PRAGMA application_id = …`, and some refuse `user_version`.
    writesApplicationId: local,
    writesUserVersion: local,
    walJournal: local && url !== ":memory:" && !/^file::memory:/i.test(url),
    synced: false,
  };
  return {
    capabilities,
    ...executorOf((statement) => client.execute(statement)),
    // A transaction of its own: over HTTP, BEGIN and COMMIT sent as separate requests would
    // land on different streams.
    async transaction(fn) {
      const tx: Transaction = await client.transaction("write");
      try {
        const result = await fn(executorOf((statement) => tx.execute(statement)));
        await tx.commit();
        return result;
      } catch (error) {
        await tx.rollback().catch(() => undefined);
        throw error;
      } finally {
        tx.close();
      }
    },
    close: async () => client.close(),
  };
}
