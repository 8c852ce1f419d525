/** Local files through the runtime's own `node:sqlite` (Node 22.5 and later, Deno). */
import { DatabaseSync } from "node:sqlite";
import type { Connection } from "../core/index.ts";
import { localCapabilities, syncConnection, type SyncDatabase } from "./sync-sqlite.ts";

export function openNodeSqlite(path: string, readOnly = false): Connection {
  return syncConnection(
    new DatabaseSync(path, { readOnly }) as unknown as SyncDatabase,
    localCapabilities("node:sqlite", path),
  );
}
