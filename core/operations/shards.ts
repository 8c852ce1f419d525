/**
 * The shards of a task, on a file of the uniqc lineage (its v4 on): the cloud jobs behind one
 * submission. A shard lives in the table beside its task's, so it moves with the task, and is
 * written before the task's own row goes: the active table's foreign key would delete it with
 * its task. On a file without shard tables every move here does nothing.
 */
import * as v from "valibot";
import type { Executor, SqlValue } from "../driver/driver.ts";
import type { TableShapes } from "../store/queries.ts";
import type { StoreContext } from "../store/context.ts";
import { SHARD_COLUMNS } from "../file/uniqc-lineage.ts";
import { TaskIdSchema, parseInput } from "../shared/validation.ts";
import { Stamp, Text, Whole } from "../shared/shapes.ts";

/** A shard as the Python gateway lists it: every field but the result. */
export const TaskShardSchema = v.object({
  uniqc_task_id: Text,
  shard_index: Whole,
  platform_task_id: v.pipe(Text, v.description("The job's id on the cloud platform")),
  backend: Text,
  circuit_count: Whole,
  sub_index_offset: Whole,
  status: Text,
  error_message: v.nullable(Text),
  submit_time: Stamp,
  update_time: Stamp,
  archived_at: v.optional(v.pipe(Stamp, v.description("On the shards of archived tasks only"))),
});
export type TaskShard = v.InferOutput<typeof TaskShardSchema>;

/** A task's shards, as `GET /api/tasks/{id}/shards` answers them. */
export const TaskShardsSchema = v.pipe(
  v.object({ task_id: Text, shard_count: Whole, shards: v.array(TaskShardSchema) }),
  v.description("The cloud jobs behind one task, on files of the uniqc lineage; none elsewhere"),
);
export type TaskShards = v.InferOutput<typeof TaskShardsSchema>;

/** Every shard column but the result, as that package's gateway lists them. */
const LISTED = SHARD_COLUMNS.filter((column) => column !== "result_json");

/** A task's cloud jobs. */
export interface Shards {
  /** A task's shards in index order, from whichever table holds the task; undefined when neither does. */
  shards(taskId: string): Promise<TaskShards | undefined>;
}

export function shardOperations(ctx: StoreContext): Shards {
  const { driver, shapes } = ctx;
  return {
    async shards(taskId: string): Promise<TaskShards | undefined> {
      const id = parseInput(TaskIdSchema, taskId, "task_id");
      const archive = shapes.has("archived_tasks") ? "(SELECT 1 FROM archived_tasks WHERE task_id = ?)" : "NULL";
      const [where] = await driver.all<{ active: number | null; archived: number | null }>(
        `SELECT (SELECT 1 FROM tasks WHERE task_id = ?) AS active, ${archive} AS archived`,
        shapes.has("archived_tasks") ? [id, id] : [id],
      );
      if (!where?.active && !where?.archived) return undefined;
      const table = where.active ? "task_shards" : "archived_task_shards";
      if (!shapes.has(table)) return { task_id: id, shard_count: 0, shards: [] };
      const columns = where.active ? LISTED : [...LISTED, "archived_at"];
      const rows = await driver.all<TaskShard & Record<string, SqlValue>>(
        `SELECT ${columns.join(", ")} FROM ${table} WHERE uniqc_task_id = ? ORDER BY shard_index`,
        [id],
      );
      const shards = rows.map((row) => ({
        ...row,
        shard_index: Number(row.shard_index),
        circuit_count: Number(row.circuit_count),
        sub_index_offset: Number(row.sub_index_offset),
      }));
      return { task_id: id, shard_count: shards.length, shards };
    },
  };
}

/**
 * Set statements that move or drop the shards of the tasks `ids` selects (a subquery of task
 * ids, with its arguments), inside the caller's transaction.
 */
export interface ShardMoves {
  /** Copies the shards of tasks just copied into the archive, with their task's `archived_at`, and deletes the originals. */
  toArchive(tx: Executor, ids: string, args: readonly SqlValue[]): Promise<void>;
  /** Copies the archived shards of tasks just restored back beside them, and deletes the archived ones. */
  toActive(tx: Executor, ids: string, args: readonly SqlValue[]): Promise<void>;
  /** Deletes the shards of active tasks about to be deleted. */
  dropActive(tx: Executor, ids: string, args: readonly SqlValue[]): Promise<void>;
  /** Deletes the shards of archived tasks about to be deleted. */
  dropArchived(tx: Executor, ids: string, args: readonly SqlValue[]): Promise<void>;
}

const NO_MOVES: ShardMoves = {
  toArchive: async () => undefined,
  toActive: async () => undefined,
  dropActive: async () => undefined,
  dropArchived: async () => undefined,
};

/**
 * The shard moves for this file. Deletes are explicit even where the foreign key would cascade:
 * not every driver turns foreign keys on, and the archive has no foreign key at all.
 */
export function shardMoves(shapes: TableShapes): ShardMoves {
  const { shardCopy } = shapes;
  if (shardCopy === undefined) return NO_MOVES;
  const drop = (table: string) => (tx: Executor, ids: string, args: readonly SqlValue[]) =>
    tx.run(`DELETE FROM ${table} WHERE uniqc_task_id IN (${ids})`, [...args]).then(() => undefined);
  return {
    async toArchive(tx, ids, args) {
      await tx.run(
        `INSERT OR REPLACE INTO archived_task_shards (${shardCopy}, archived_at)
         SELECT ${shardCopy
           .split(", ")
           .map((column) => `s.${column}`)
           .join(", ")}, a.archived_at
           FROM task_shards AS s JOIN archived_tasks AS a ON a.task_id = s.uniqc_task_id
          WHERE s.uniqc_task_id IN (${ids})`,
        [...args],
      );
      await drop("task_shards")(tx, ids, args);
    },
    async toActive(tx, ids, args) {
      await tx.run(
        `INSERT OR REPLACE INTO task_shards (${shardCopy}) SELECT ${shardCopy} FROM archived_task_shards WHERE uniqc_task_id IN (${ids})`,
        [...args],
      );
      await drop("archived_task_shards")(tx, ids, args);
    },
    dropActive: drop("task_shards"),
    dropArchived: drop("archived_task_shards"),
  };
}
