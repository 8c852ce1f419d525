/**
 * What an open task cache offers, composed: each group of operations is declared and built by its
 * own module under operations/, and the open file's own part is declared here.
 */
import type { Capabilities } from "./driver/driver.ts";
import type { Lineage } from "./file/migrator.ts";
import type { SyncReport, SyncState } from "./history/replication.ts";
import type { Analysis } from "./operations/analysis.ts";
import type { Archive } from "./operations/archive.ts";
import type { Circuits } from "./operations/circuits.ts";
import type { Disagreements } from "./operations/conflicts.ts";
import type { Exports } from "./operations/exports.ts";
import type { Imports } from "./operations/imports.ts";
import type { Retention } from "./operations/retention.ts";
import type { Shards } from "./operations/shards.ts";
import type { Activity } from "./operations/stats.ts";
import type { ActiveTasks } from "./operations/tasks.ts";

export type { ActiveTasks, Activity, Analysis, Archive, Circuits, Disagreements, Exports, Imports, Retention, Shards };

/** What a task holds beside its row: its cloud jobs and its circuits. */
export interface TaskDetails extends Shards, Circuits, Analysis {}

/** Stored rows in and out, as another cache or the Python package keeps them. */
export interface Transfer extends Imports, Exports {}

/** What the cache knows about its file. */
export interface CacheInfo {
  /** Which history the file follows after v2: the seed's (this cache's own), or the uniqc package's. */
  readonly lineage: Lineage;
  /** The file's schema version, in its lineage's numbers. */
  readonly schemaVersion: number;
  /** The newest version of that lineage this build knows. */
  readonly supportedVersion: number;
  /** The file's `user_version` header (at most 2 on the seed lineage; see migrator.ts). */
  readonly userVersion: number;
  /** Why writes are refused, when they are. */
  readonly readOnlyReason: string | undefined;
  readonly readOnly: boolean;
  /** Versions this open applied. */
  readonly applied: readonly number[];
  readonly capabilities: Capabilities;
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

/**
 * How each operation touches the file: it reads tasks, writes them, or is the open file's own.
 * The compiler holds this to the interface, so a new operation must say which it is; the server
 * announces every write from this list, and the apps are checked against it.
 */
export const OPERATION_KINDS = {
  save: "write",
  get: "read",
  listText: "read",
  list: "read",
  count: "read",
  counts: "read",
  backendCounts: "read",
  delete: "write",
  bulkDelete: "write",
  deleteMatching: "write",
  clearCompleted: "write",
  archive: "write",
  restore: "write",
  bulkArchive: "write",
  archiveMatching: "write",
  restoreMatching: "write",
  deleteArchivedMatching: "write",
  archiveExpired: "write",
  countExpired: "read",
  listArchivedText: "read",
  listArchived: "read",
  getArchived: "read",
  countArchived: "read",
  purgeArchived: "write",
  deleteArchived: "write",
  shards: "read",
  getCircuit: "read",
  analyse: "read",
  compare: "read",
  conflicts: "read",
  conflicted: "read",
  stats: "read",
  maintain: "write",
  importRows: "write",
  exportRows: "read",
  info: "file",
  sync: "file",
  syncState: "file",
  changeStamp: "file",
  close: "file",
} as const satisfies Record<keyof TaskCache, "read" | "write" | "file">;

/** The operations that change tasks. */
export type WriteOperation = {
  [K in keyof typeof OPERATION_KINDS]: (typeof OPERATION_KINDS)[K] extends "write" ? K : never;
}[keyof typeof OPERATION_KINDS];

export const WRITE_OPERATIONS = Object.keys(OPERATION_KINDS).filter(
  (name) => OPERATION_KINDS[name as keyof typeof OPERATION_KINDS] === "write",
) as WriteOperation[];
