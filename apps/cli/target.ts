/**
 * What a command works on: a cache file or libSQL URL opened in this process (`--db`, with the
 * sync flags for a replica), or a running server (`--server`, `--token`), through the typed
 * client. Both answer the same calls with the same shapes, so each command is written once.
 */
import { DEFAULT_CACHE_PATH, openCache } from "../../adapters/open.ts";
import {
  NotFoundError,
  type ActivityStats,
  type Comparison,
  type TaskAnalysis,
  type StatsOptions,
  type ArchiveExpiredResult,
  type ExportScope,
  type ImportResult,
  type MatchFilter,
  type MaintenanceReport,
  type RetentionPolicy,
  type StatusCounts,
  type StoredTask,
  type SyncReport,
  type Task,
  type TaskCache,
  type TaskFilter,
  type TaskConflicts,
  type TaskShards,
  type TaskSummary,
} from "../../core/index.ts";
import { createCacheClient, type CacheClient } from "../client/client.ts";
import { decodeCursor, nextCursor, type CursorScope } from "../http/cursor.ts";

export interface TargetOptions {
  db?: string | undefined;
  server?: string | undefined;
  token?: string | undefined;
  syncUrl?: string | undefined;
  syncToken?: string | undefined;
}

export interface ListRequest extends TaskFilter {
  limit: number;
  offset: number;
  cursor?: string | undefined;
  archived: boolean;
}

export interface Listing {
  tasks: TaskSummary[];
  total: number;
  next_cursor: string | null;
}

/** What a command by filter does: to active tasks (archive, delete) or archived ones (restore, purge). */
export type MatchingAction = "archive" | "delete" | "restore" | "purge";

/** What it did, or with `dryRun` how many tasks it would take. */
export interface MatchingOutcome {
  count: number;
  conflicts?: string[] | undefined;
}

export interface Target {
  /** The file, URL or server, for messages. */
  readonly where: string;
  list(request: ListRequest): Promise<Listing>;
  /** A task, active or archived. */
  get(id: string): Promise<Task | undefined>;
  shards(id: string): Promise<TaskShards | undefined>;
  conflicts(id: string): Promise<TaskConflicts | undefined>;
  conflicted(): Promise<string[]>;
  counts(): Promise<StatusCounts & { archived: number }>;
  deleteTasks(ids: readonly string[]): Promise<{ deleted: string[]; missing: string[] }>;
  archive(ids: readonly string[]): Promise<{ archived: string[]; missing: string[] }>;
  restore(ids: readonly string[]): Promise<{ restored: string[]; missing: string[] }>;
  archiveExpired(options: { hours: number; terminalOnly: boolean }): Promise<ArchiveExpiredResult>;
  matching(action: MatchingAction, filter: MatchFilter): Promise<MatchingOutcome>;
  stats(options: StatsOptions): Promise<ActivityStats>;
  analyse(id: string): Promise<TaskAnalysis>;
  compare(ids: readonly string[]): Promise<Comparison>;
  purge(options: { olderThanHours: number; dryRun: boolean }): Promise<{ count: number; cutoff: string }>;
  maintain(policy: RetentionPolicy, onProgress?: (rows: number) => void): Promise<MaintenanceReport>;
  exportRows(scope: ExportScope): AsyncGenerator<StoredTask>;
  importRows(rows: readonly unknown[]): Promise<ImportResult>;
  sync(): Promise<SyncReport>;
  close(): Promise<void>;
}

/** Restores one by one: each is its own move, and an id that is not archived is reported, not fatal. */
async function restoreEach(restore: (id: string) => Promise<void>, ids: readonly string[]) {
  const restored: string[] = [];
  const missing: string[] = [];
  for (const id of new Set(ids)) {
    try {
      await restore(id);
      restored.push(id);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      missing.push(id);
    }
  }
  return { restored, missing };
}

function fileTarget(cache: TaskCache, where: string): Target {
  return {
    where,
    async list({ archived, cursor, limit, offset, ...filter }) {
      const scope: CursorScope = { listing: archived ? "archive" : "tasks", ...filter };
      const options = {
        ...filter,
        limit,
        offset,
        after: cursor === undefined ? undefined : decodeCursor(cursor, scope),
      };
      const page = archived ? await cache.listArchivedText(options) : await cache.listText(options);
      return {
        tasks: JSON.parse(page.tasks) as TaskSummary[],
        total: page.total,
        next_cursor: nextCursor(page.count, limit, page.last, scope),
      };
    },
    get: async (id) => (await cache.get(id)) ?? (await cache.getArchived(id)),
    shards: (id) => cache.shards(id),
    conflicts: (id) => cache.conflicts(id),
    conflicted: () => cache.conflicted(),
    counts: async () => ({ ...(await cache.counts()), archived: await cache.countArchived() }),
    deleteTasks: (ids) => cache.bulkDelete(ids),
    archive: (ids) => cache.bulkArchive(ids),
    restore: (ids) => restoreEach((id) => cache.restore(id), ids),
    archiveExpired: (options) => cache.archiveExpired(options),
    stats: (options) => cache.stats(options),
    analyse: (id) => cache.analyse(id),
    compare: (ids) => cache.compare(ids),
    matching(action, filter) {
      const act = {
        archive: cache.archiveMatching,
        delete: cache.deleteMatching,
        restore: cache.restoreMatching,
        purge: cache.deleteArchivedMatching,
      }[action];
      return act(filter);
    },
    purge: (options) => cache.purgeArchived(options),
    maintain: (policy, onProgress) => cache.maintain(policy, { onProgress }),
    exportRows: (scope) => cache.exportRows(scope),
    importRows: (rows) => cache.importRows(rows),
    sync: () => cache.sync(),
    close: () => cache.close(),
  };
}

function serverTarget(client: CacheClient, where: string): Target {
  return {
    where,
    async list({ archived, ...request }) {
      const page = archived ? await client.listArchived(request) : await client.list(request);
      return { tasks: page.tasks, total: page.total, next_cursor: page.next_cursor };
    },
    get: async (id) => (await client.get(id)) ?? (await client.getArchived(id)),
    shards: (id) => client.shards(id),
    conflicts: (id) => client.conflicts(id),
    conflicted: () => client.conflicted(),
    counts: async () => ({ ...(await client.counts()), archived: await client.countArchived() }),
    deleteTasks: async (ids) => {
      const { deleted, missing } = await client.bulkDelete(ids);
      return { deleted, missing };
    },
    archive: async (ids) => {
      const { archived, missing } = await client.bulkArchive(ids);
      return { archived, missing };
    },
    restore: (ids) => restoreEach((id) => client.restore(id), ids),
    archiveExpired: (options) => client.archiveExpired(options),
    stats: (options) => client.stats(options),
    analyse: (id) => client.analyse(id),
    compare: (ids) => client.compare(ids),
    matching(action, filter) {
      const act = {
        archive: client.archiveMatching,
        delete: client.deleteMatching,
        restore: client.restoreMatching,
        purge: client.deleteArchivedMatching,
      }[action];
      return act(filter);
    },
    purge: (options) => client.purgeArchived(options),
    maintain: (policy) => client.maintain(policy),
    exportRows: (scope) => client.exportRows(scope),
    importRows: (rows) => client.importRows(rows),
    sync: () => client.sync(),
    close: async () => undefined,
  };
}

/** Opens what the options name: a server when `--server` is given, else the file or URL (the default file without one). */
export async function openTarget(options: TargetOptions): Promise<Target> {
  if (options.server) {
    return serverTarget(createCacheClient({ url: options.server, token: options.token }), options.server);
  }
  const where = options.db ?? DEFAULT_CACHE_PATH;
  const cache = await openCache(where, {
    syncUrl: options.syncUrl,
    authToken: options.syncToken ?? process.env.UNIQC_DB_AUTH_TOKEN,
    // A command does its own rounds: the opening one, and `sync` when asked.
    syncIntervalMs: 0,
  });
  return fileTarget(cache, where);
}
