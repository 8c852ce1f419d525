/**
 * Opens a local file with the runtime's own SQLite: `bun:sqlite` on Bun, `node:sqlite` on Deno
 * and on Node releases that have it, and better-sqlite3 on older Node.
 */
import type { Connection } from "../core/index.ts";

export async function openLocalFile(path: string, options: { readOnly?: boolean } = {}): Promise<Connection> {
  const readOnly = options.readOnly ?? false;
  if ("Bun" in globalThis) return (await import("./bun-sqlite.ts")).openBunSqlite(path, readOnly);
  if (await hasNodeSqlite()) return (await import("./node-sqlite.ts")).openNodeSqlite(path, readOnly);
  return (await import("./better-sqlite3.ts")).openBetterSqlite3(path, readOnly);
}

/** Probes rather than reads version numbers: some Node 22 releases keep `node:sqlite` behind a flag. */
async function hasNodeSqlite(): Promise<boolean> {
  try {
    await import("node:sqlite");
    return true;
  } catch {
    return false;
  }
}
