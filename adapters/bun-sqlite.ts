/** Local files through Bun's own `bun:sqlite`. */
// @ts-ignore: Bun's types are not installed for the Node type check; this file only loads on Bun.
import { Database } from "bun:sqlite";
import type { Connection } from "../core/index.ts";
import { localCapabilities, syncConnection, type SyncDatabase } from "./sync-sqlite.ts";

export function openBunSqlite(path: string): Connection {
  return syncConnection(new Database(path, { create: true }) as SyncDatabase, localCapabilities("bun:sqlite", path));
}
