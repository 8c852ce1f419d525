/**
 * What a command works on: a cache file or libSQL URL opened in this process (`--db`, with the
 * sync flags for a replica), or a running server (`--server`, `--token`) through the typed
 * client. Both are the library's `TaskCache`, so each command is written once.
 */
import { DEFAULT_CACHE_PATH, openCache } from "../../adapters/open.ts";
import type { TaskCache } from "../../core/index.ts";
import { openCacheClient } from "../client/client.ts";

export interface TargetOptions {
  db?: string | undefined;
  server?: string | undefined;
  token?: string | undefined;
  syncUrl?: string | undefined;
  syncToken?: string | undefined;
}

/** Opens what the options name: a server when `--server` is given, else the file or URL (the default file without one). */
export function openTarget(options: TargetOptions): Promise<TaskCache> {
  if (options.server) return openCacheClient({ url: options.server, token: options.token });
  return openCache(options.db ?? DEFAULT_CACHE_PATH, {
    syncUrl: options.syncUrl,
    authToken: options.syncToken ?? process.env.UNIQC_DB_AUTH_TOKEN,
    // A command does its own rounds: the opening one, and `sync` when asked.
    syncIntervalMs: 0,
  });
}
