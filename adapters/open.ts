/**
 * One entry that takes a path or URL and returns a ready, migrated cache.
 */
import { mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { createTaskCache, type CacheOptions, type Connection, type TaskCache } from "../core/index.ts";
import { openLibsql } from "./libsql.ts";
import { openLocalFile } from "./local-file.ts";
import { openTursoSync } from "./turso-sync.ts";

/** Where the Python store keeps its cache, and so where we do. */
export const DEFAULT_CACHE_PATH = join(homedir(), ".uniqc", "cache", "tasks.sqlite");

export interface OpenOptions extends CacheOptions {
  /**
   * Auth token for remote libSQL servers, or for the sync server of a replica, where it may also
   * be a function that gives a fresh token for each request.
   */
  authToken?: string | (() => Promise<string>) | undefined;
  /**
   * The server a replica syncs with (`libsql://…` on Turso Cloud, `http(s)://…`): the target is
   * then the replica's local file, bootstrapped from the server when missing.
   */
  syncUrl?: string | undefined;
  /** Forces a driver: `local` (the runtime's SQLite) or `libsql`. By default a URL means libSQL. */
  driver?: "local" | "libsql";
}

const URL_SCHEME = /^(libsql|https?|wss?|file):/i;

/** Picks the adapter for a target and opens a connection on it. */
export async function openConnection(target: string, options: OpenOptions = {}): Promise<Connection> {
  if (options.syncUrl) {
    if (URL_SCHEME.test(target) || target.startsWith(":memory:")) {
      throw new TypeError(`A synced replica is a file on this machine: give a path, not ${target}`);
    }
    createParentFolder(target);
    return openTursoSync({ path: target, url: options.syncUrl, authToken: options.authToken });
  }
  const driver = options.driver ?? (URL_SCHEME.test(target) ? "libsql" : "local");
  if (driver === "libsql") {
    const url = URL_SCHEME.test(target) || target === ":memory:" ? target : `file:${target}`;
    if (/^file:/i.test(url)) createParentFolder(url.slice("file:".length));
    if (typeof options.authToken === "function") throw new TypeError("libSQL takes its auth token as a string");
    return openLibsql({ url, authToken: options.authToken });
  }
  if (URL_SCHEME.test(target)) throw new TypeError(`The local driver takes a file path, not the URL ${target}`);
  createParentFolder(target);
  return openLocalFile(target);
}

/**
 * Opens the cache at `target`: a file path (default `~/.uniqc/cache/tasks.sqlite`, folders
 * created), `:memory:`, a libSQL URL (`file:`, `libsql://`, `http(s)://`, `ws(s)://`), or, with
 * `syncUrl`, the path of a replica synced with that server.
 */
export async function openCache(target: string = DEFAULT_CACHE_PATH, options: OpenOptions = {}): Promise<TaskCache> {
  return createTaskCache(await openConnection(target, options), options);
}

function createParentFolder(path: string): void {
  if (path === "" || path.startsWith(":memory:")) return;
  mkdirSync(dirname(path.split("?")[0]!), { recursive: true });
}
