/**
 * Follows a local cache file, the Python package's `~/.uniqc/cache/tasks.sqlite`, into this
 * server's cache: its new and changed tasks and its archive moves arrive here, and from a synced
 * replica go on to every machine. The file is opened read-only and never written.
 *
 * It asks SQLite whether the file changed (`data_version`, through the driver's change stamp)
 * every `intervalMs`, and when it did, reads the rows changed since the last import, in pages,
 * and imports them (see core/operations/imports.ts, which makes a second import of the same rows a no-op).
 * Deletes in the followed file are not followed: the shared history keeps what it was given.
 */
import { openLocalFile } from "../../adapters/local-file.ts";
import { createDriver, formatTimestamp, messageOf, type Driver, type TaskCache } from "../../core/index.ts";

/** How the following goes, for `/api/health`. */
export interface FollowState {
  readonly source: string;
  readonly last_import: string | null;
  /** Rows written into this cache since the server started. */
  readonly imported: number;
  readonly last_error: { readonly at: string; readonly message: string } | null;
}

export interface Follower {
  state(): FollowState;
  /** Imports now whatever changed (also what the interval does). */
  poll(): Promise<void>;
  stop(): Promise<void>;
}

const PAGE = 1000;

/** Reads one table's rows changed since `since` (by `update_time`, and `archived_at` in the archive), page by page. */
async function* changedRows(source: Driver, table: "tasks" | "archived_tasks", since: string) {
  const moved = table === "archived_tasks" ? " OR archived_at >= ?" : "";
  for (let after = 0; ; ) {
    const rows = await source.all<Record<string, unknown> & { _rowid: number }>(
      `SELECT rowid AS _rowid, * FROM ${table} WHERE rowid > ? AND (update_time >= ?${moved}) ORDER BY rowid LIMIT ${PAGE}`,
      moved ? [after, since, since] : [after, since],
    );
    if (rows.length === 0) return;
    yield rows.map(({ _rowid, ...row }) => row);
    after = Number(rows.at(-1)!._rowid);
  }
}

export function followFile(path: string, cache: TaskCache, options: { intervalMs?: number } = {}): Follower {
  const intervalMs = options.intervalMs ?? 1000;
  let source: Driver | undefined;
  let stamp = "";
  // Rows at or after this time are read again: the boundary may hold rows written in the same microsecond.
  let since = "";
  let lastImport: string | null = null;
  let imported = 0;
  let lastError: FollowState["last_error"] = null;
  let running: Promise<void> | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  async function importChanges(): Promise<void> {
    // The file may not exist yet (the Python package has not run): look again next time.
    source ??= createDriver(await openLocalFile(path, { readOnly: true }));
    const file = source;
    const now = await file.changeStamp();
    if (now === stamp) return;
    const tables = new Set(
      (await file.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")).map((row) =>
        String(row.name),
      ),
    );
    let newest = since;
    for (const table of ["tasks", "archived_tasks"] as const) {
      if (!tables.has(table)) continue;
      for await (const rows of changedRows(file, table, since)) {
        const moved = rows.map((row) => ({ ...row, ...(table === "tasks" ? { archived_at: undefined } : {}) }));
        const result = await cache.importRows(moved);
        imported += result.written;
        for (const row of rows) {
          for (const time of [row.update_time, row.archived_at])
            if (typeof time === "string" && time > newest) newest = time;
        }
      }
    }
    since = newest;
    stamp = now;
    lastImport = formatTimestamp(new Date());
  }

  const poll = () => {
    running ??= importChanges()
      .then(() => {
        lastError = null;
      })
      .catch((error) => {
        lastError = { at: formatTimestamp(new Date()), message: messageOf(error) };
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => void poll().finally(schedule), intervalMs);
  };
  void poll().finally(schedule);

  return {
    state: () => ({ source: path, last_import: lastImport, imported, last_error: lastError }),
    poll,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      await source?.close();
    },
  };
}
