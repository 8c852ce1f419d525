/**
 * What the operations of a synced replica need to keep its task history: each write stamps a new
 * version in the statement that makes it, and each delete leaves a tombstone.
 */
import type { Executor, SqlValue } from "../driver/driver.ts";
import type { LiveSchema } from "../file/introspection.ts";
import type { Clock } from "../shared/timestamps.ts";
import { settleTasks, type SettleResult } from "./settle.ts";
import { VERSIONED_TABLES, stampSql, type VersionedTable } from "./statements.ts";
import type { RecordedField } from "./version.ts";

export interface History {
  /** This replica's id, the origin of the versions it makes from now on. */
  readonly replica: string;
  /**
   * The writer of the versions this replica takes from its machine's own cache file: that file
   * sees none of the replica's versions, so its rows are versions of a writer of their own.
   */
  readonly importer: string;
  /** Now, in milliseconds: the argument every stamp takes. */
  clockMs(): number;
  /** A new version of a row whose version is `old` (see `stampSql`); takes one argument, now, unless given a clock. */
  stamp(old: string, written?: readonly RecordedField[], options?: Parameters<typeof stampSql>[3]): string;
  /** The select list of a move: the shared columns `copy` of `source`, with a new version; takes one argument, now. */
  copyFrom(copy: string, source: string): string;
  /** Leaves a tombstone for each row of `table` whose id `chosen` selects, before they are deleted. */
  bury(tx: Executor, table: "tasks" | "archived_tasks", chosen: string, args: readonly SqlValue[]): Promise<void>;
  /** Settles unsettled tasks, or those of `among` (see settle.ts). */
  settle(tx: Executor, among?: readonly string[]): Promise<SettleResult>;
}

/** Replica ids are eight characters; the importer's ten, so it never names a replica. */
export const importerOf = (replica: string) => `${replica}py`;

export function createHistory(replicaId: () => string, schema: LiveSchema, clock: Clock): History {
  const columns = Object.fromEntries(
    VERSIONED_TABLES.map((table) => [table, [...(schema.get(table) ?? [])]]),
  ) as Record<VersionedTable, string[]>;
  const stamp = (old: string, written: readonly RecordedField[] = [], options?: Parameters<typeof stampSql>[3]) =>
    stampSql(old, replicaId(), written, options);
  return Object.freeze({
    // Read at each use: a replica that finds a copy of itself takes a new id (twins.ts).
    get replica() {
      return replicaId();
    },
    get importer() {
      return importerOf(replicaId());
    },
    clockMs: () => clock().getTime(),
    stamp,
    copyFrom: (copy: string, source: string) =>
      copy
        .split(", ")
        .map((column) =>
          column === "sync_version" ? stamp(`${source}.sync_version`) : column === "sync_siblings" ? "NULL" : column,
        )
        .join(", "),
    async bury(tx: Executor, table: "tasks" | "archived_tasks", chosen: string, args: readonly SqlValue[]) {
      await tx.run(
        `INSERT INTO sync_tombstones (task_id, sync_version, sync_siblings)
         SELECT task_id, ${stamp(`${table}.sync_version`)}, NULL FROM ${table} WHERE task_id IN (${chosen})
         ON CONFLICT (task_id) DO UPDATE SET sync_version = excluded.sync_version, sync_siblings = NULL`,
        [clock().getTime(), ...args],
      );
    },
    settle: (tx: Executor, among?: readonly string[]) => settleTasks(tx, columns, among),
  });
}
