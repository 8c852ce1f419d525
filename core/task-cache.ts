/**
 * What an open task cache offers, in one place: each group of operations is built by its own
 * module (tasks.ts, archive.ts, …) to the part of this interface it implements.
 */
import type { Comparison, TaskAnalysis } from "./operations/analysis.ts";
import type { ArchiveExpiredResult, BulkArchiveResult } from "./operations/archive.ts";
import type { CacheInfo } from "./cache.ts";
import type { CircuitFormat, CircuitView } from "./operations/circuits.ts";
import type { Disagreements } from "./operations/conflicts.ts";
import type { ExportScope } from "./operations/exports.ts";
import type { ImportResult, StoredTask } from "./operations/imports.ts";
import type { TaskPage, TaskPageText } from "./store/pages.ts";
import type { SyncReport, SyncState } from "./history/replication.ts";
import type { MaintenanceReport, RetentionPolicy } from "./operations/retention.ts";
import type { TaskShards } from "./operations/shards.ts";
import type { Batch } from "./store/context.ts";
import type { StatusCounts, Task } from "./store/task-rows.ts";
import type { BulkDeleteResult } from "./operations/tasks.ts";
import type { MatchedResult, RestoredMatching } from "./operations/matching.ts";
import type { ActivityStats, StatsOptions } from "./operations/stats.ts";
import type {
  ArchiveExpiredOptions,
  ListOptions,
  MatchFilter,
  PurgeOptions,
  TaskFilter,
  TaskInput,
} from "./shared/validation.ts";

/** The active tasks (the `tasks` table). */
export interface ActiveTasks {
  /**
   * Records a task, or updates it by `task_id`. `update_time` is stamped now; `submit_time` is
   * kept on update; optional fields left out keep their stored value. A task that is archived
   * is a conflict: restore it first, so no task is ever in both tables.
   */
  save(input: TaskInput): Promise<Task>;
  /** One active task, whole, or undefined. */
  get(taskId: string): Promise<Task | undefined>;
  /**
   * Active tasks, newest first by `submit_time`, as JSON text. With `includeArchived`, archived
   * tasks are listed among them, each marked with its `archived_at`. Pages by `offset`, or by
   * `after` (the last task of the previous page), which stays fast however deep the page.
   */
  listText(options?: ListOptions): Promise<TaskPageText>;
  /** The same listing as {@link listText}, with the tasks as objects. */
  list(options?: ListOptions): Promise<TaskPage>;
  /** How many active tasks match the filters. */
  count(filter?: TaskFilter): Promise<number>;
  /** Active tasks per status, in one query. Statuses other writers invented count in `total` only. */
  counts(): Promise<StatusCounts>;
  /** Active tasks per backend, most first. */
  backendCounts(): Promise<{ backend: string; n: number }[]>;
  /** Deletes one active task, and its shards. */
  delete(taskId: string): Promise<void>;
  /** Deletes many active tasks (and their shards) in one transaction; ids that were not active come back as missing. */
  bulkDelete(taskIds: readonly string[]): Promise<BulkDeleteResult>;
  /**
   * Deletes every active task `filter` matches (the listing's filters), and their shards, in
   * short transactions (`batch`, a thousand tasks each by default). A filter that names nothing
   * must say `all: true`. {@link count} with the same filter says first how many it will take.
   */
  deleteMatching(filter: MatchFilter, batch?: Batch): Promise<MatchedResult>;
  /** Deletes every active task in a terminal status, and their shards; returns how many. */
  clearCompleted(): Promise<number>;
}

/** The archive (`archived_tasks`), and moves between it and the active tasks. */
export interface Archive {
  /** Moves one task from `tasks` to `archived_tasks`. */
  archive(taskId: string): Promise<void>;
  /** Moves one task back. A live task with the same id is a conflict, never overwritten. */
  restore(taskId: string): Promise<void>;
  /** Archives many tasks in one transaction; ids that were not active come back as missing. */
  bulkArchive(taskIds: readonly string[]): Promise<BulkArchiveResult>;
  /** Archives every active task `filter` matches, as {@link ActiveTasks.deleteMatching} deletes them. */
  archiveMatching(filter: MatchFilter, batch?: Batch): Promise<MatchedResult>;
  /**
   * Restores every archived task `filter` matches; those live under the same id stay archived
   * and come back as conflicts.
   */
  restoreMatching(filter: MatchFilter, batch?: Batch): Promise<RestoredMatching>;
  /** Deletes for good every archived task `filter` matches, with their shards. */
  deleteArchivedMatching(filter: MatchFilter, batch?: Batch): Promise<MatchedResult>;
  /**
   * Archives tasks submitted more than `hours` ago. With `terminalOnly` (the default), tasks
   * still pending or running stay and are reported. With `batch`, in short transactions.
   */
  archiveExpired(options?: ArchiveExpiredOptions, batch?: Batch): Promise<ArchiveExpiredResult>;
  /** How many tasks {@link archiveExpired} would move now with these options, for a confirmation. */
  countExpired(options?: ArchiveExpiredOptions): Promise<number>;
  /** Archived tasks, newest first by `submit_time`, as JSON text; the same filters and paging as the listing. */
  listArchivedText(options?: Omit<ListOptions, "includeArchived">): Promise<TaskPageText>;
  /** The same listing as {@link listArchivedText}, with the tasks as objects. */
  listArchived(options?: Omit<ListOptions, "includeArchived">): Promise<TaskPage>;
  /** One archived task, whole, or undefined. */
  getArchived(taskId: string): Promise<Task | undefined>;
  /** How many archived tasks match the filters (all of them without filters). */
  countArchived(filter?: TaskFilter): Promise<number>;
  /**
   * Deletes archived tasks (and their shards) archived more than `olderThanHours` ago, in
   * transactions of `batch.rows` when given; with `dryRun`, only counts them.
   */
  purgeArchived(options: PurgeOptions, batch?: Batch): Promise<{ count: number; cutoff: string }>;
  /** Deletes an archived task for good, with its archived shards. */
  deleteArchived(taskId: string): Promise<void>;
}

/** What a task holds beside its row: its cloud jobs and its circuits. */
export interface TaskDetails {
  /** A task's shards in index order, from whichever table holds the task; undefined when neither does. */
  shards(taskId: string): Promise<TaskShards | undefined>;
  /** The circuit of an active or archived task in `format` (`source`, `compiled`, `executed`). */
  getCircuit(taskId: string, format?: CircuitFormat): Promise<CircuitView>;
  /**
   * The task's measured outcomes beside the ideal distribution of its circuit (simulated where it
   * has at most 16 qubits of known gates, measured at its end), with their total variation
   * distance and Hellinger fidelity; where there is no ideal, the reason.
   */
  analyse(taskId: string): Promise<TaskAnalysis>;
  /** Two to six tasks' measured outcomes side by side, with the total variation distance of each pair. */
  compare(taskIds: readonly string[]): Promise<Comparison>;
}

/** How the work went. */
export interface Activity {
  /**
   * Tasks per day or week by status, and per backend their success rate, shots and turnaround
   * (median, p90 and spread), over tasks submitted in the range, archived ones too by default.
   * One pass over the range, kept until the data changes.
   */
  stats(options?: StatsOptions): Promise<ActivityStats>;
}

/** The retention policy, run once. */
export interface Retention {
  /** Archives finished tasks and purges old archived ones, in short transactions; `onProgress` hears each. */
  maintain(
    policy: RetentionPolicy,
    options?: { onProgress?: (rows: number) => void; rows?: number },
  ): Promise<MaintenanceReport>;
}

/** Stored rows in and out, as another cache or the Python package keeps them. */
export interface Transfer {
  /**
   * Brings stored task rows into this cache in one transaction: rows with `archived_at` into
   * the archive, the others into the active tasks, each only where it is newer. Rows that are
   * not task rows are left out and reported.
   */
  importRows(rows: readonly unknown[]): Promise<ImportResult>;
  /** Every stored row of the active tasks, the archive, or both (active first). */
  exportRows(scope?: ExportScope): AsyncGenerator<StoredTask>;
}

/** The open file itself: what it is, how it syncs, and closing it. */
export interface CacheFile {
  readonly info: CacheInfo;
  /**
   * On a synced replica: pulls, settles what the pull left by the merge rule, pushes, and says what moved.
   * Throws `NotSyncedError` elsewhere, `SyncError` when the server cannot be reached.
   */
  sync(): Promise<SyncReport>;
  /** How a synced replica stands with its server; undefined elsewhere. */
  syncState(): Promise<SyncState | undefined>;
  /** A value that moves whenever the data may have changed, whoever changed it (see `Driver.changeStamp`). */
  changeStamp(): Promise<string>;
  /** Closes the connection once work in flight has finished (on a replica, after a last push). */
  close(): Promise<void>;
}

/** An open task cache: every operation on one checked and migrated file. */
export interface TaskCache
  extends ActiveTasks,
    Archive,
    TaskDetails,
    Disagreements,
    Activity,
    Retention,
    Transfer,
    CacheFile {}
