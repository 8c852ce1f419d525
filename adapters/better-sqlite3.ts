/**
 * Local files on Node releases without `node:sqlite` (Node 20). Chosen over libSQL's file mode
 * by measurement: `node bench/node-fallback.ts` (see docs/file-format.md).
 */
import Database from "better-sqlite3";
import type { Connection } from "../core/index.ts";
import { localCapabilities, syncConnection, type SyncDatabase } from "./sync-sqlite.ts";

export function openBetterSqlite3(path: string, readOnly = false): Connection {
  const db = new Database(path, { readonly: readOnly, fileMustExist: readOnly });
  return syncConnection(db as unknown as SyncDatabase, localCapabilities("better-sqlite3", path));
}
