/** Local files through Bun's own `bun:sqlite`. */
// biome-ignore lint/suspicious/noTsIgnore: with Bun's types present the import is fine, so an expect-error would fail there
// @ts-ignore: Bun's types are not installed for the Node type check; this file only loads on Bun.
import { Database } from "bun:sqlite";
import type { Connection } from "../core/index.ts";
import { localCapabilities, syncConnection, type SyncDatabase } from "./sync-sqlite.ts";

export function openBunSqlite(path: string, readOnly = false): Connection {
  const db = new Database(path, readOnly ? { readonly: true } : { create: true });
  return syncConnection(db as SyncDatabase, localCapabilities("bun:sqlite", path));
}
