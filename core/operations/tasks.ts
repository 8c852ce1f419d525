/**
 * Operations on active tasks (the `tasks` table).
 */
import * as v from "valibot";
import type { Executor, SqlValue } from "../driver/driver.ts";
import { ConflictError, InvalidInputError, NotFoundError } from "../shared/errors.ts";
import { TERMINAL_SQL, resolveFilter } from "../store/queries.ts";
import { countRows, groupCounts } from "../store/group-counts.ts";
import { ID_LIST, idSet, missingFrom } from "../shared/id-sets.ts";
import { listPage, parsePage, type TaskPage, type TaskPageText } from "../store/pages.ts";
import type { StoreContext } from "../store/context.ts";
import { PACED_TRANSACTIONS, type Batch } from "../store/batches.ts";
import { deleteMatched, type MatchedResult } from "./matching.ts";
import { encodeJson, rowToTask, type StatusCounts, type Task } from "../store/task-rows.ts";
import { shardMoves } from "./shards.ts";
import { nowTimestamp } from "../shared/timestamps.ts";
import { COMPILED_TABLE } from "../file/uniqc-lineage.ts";
import { recordedIn, storedVersionSql } from "../history/statements.ts";
import {
  FilterSchema,
  ListOptionsSchema,
  TASK_STATUSES,
  TaskIdSchema,
  TaskIdsSchema,
  TaskInputSchema,
  parseInput,
  type ListOptions,
  type MatchFilter,
  type TaskFilter,
  type TaskInput,
} from "../shared/validation.ts";
import { Ids } from "../shared/shapes.ts";

/** What a bulk call did, per id. */
export const BulkDeleteResultSchema = v.object({ deleted: Ids, missing: Ids });
export type BulkDeleteResult = v.InferOutput<typeof BulkDeleteResultSchema>;

const conflict = (id: string) => new ConflictError(id, `Task ${id} is archived; restore it before updating it.`);

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

export function taskOperations(ctx: StoreContext): ActiveTasks {
  const { driver, shapes, history } = ctx;
  const shards = shardMoves(shapes);

  function listText(options: ListOptions = {}): Promise<TaskPageText> {
    const { limit, offset, includeArchived, after, ...filter } = parseInput(ListOptionsSchema, options);
    const tables = includeArchived ? (["tasks", "archived_tasks"] as const) : (["tasks"] as const);
    return listPage(ctx, tables, resolveFilter(filter, ctx.clock), { limit, offset, after });
  }

  return {
    async save(input: TaskInput): Promise<Task> {
      ctx.assertWritable();
      const task = parseInput(TaskInputSchema, input);
      if (task.error_message != null && !shapes.errorMessages) {
        throw new InvalidInputError([
          {
            path: "error_message",
            message:
              "cannot be kept in this file: it follows the seed lineage, whose tables have no error_message (the uniqc package adds it in its own v3)",
          },
        ]);
      }
      const now = nowTimestamp(ctx.clock);
      const compiled = task.compiled_circuit ? encodeJson(task.compiled_circuit, "compiled_circuit") : null;
      const values: Record<string, SqlValue> = {
        task_id: task.task_id,
        backend: task.backend,
        status: task.status,
        shots: task.shots ?? 0,
        submit_time: task.submit_time ?? now,
        update_time: now,
        result_json: task.result === undefined || task.result === null ? null : encodeJson(task.result, "result"),
        metadata_json: encodeJson(task.metadata ?? {}, "metadata"),
      };
      const given: Record<string, unknown> = {
        shots: task.shots,
        result_json: task.result,
        metadata_json: task.metadata,
      };
      if (shapes.errorMessages) {
        values.error_message = task.error_message ?? null;
        given.error_message = task.error_message;
      }
      if (shapes.compiled === "column") {
        values.compiled_circuit_json = compiled;
        given.compiled_circuit_json = task.compiled_circuit;
      }
      const updated = ["backend", "status", "update_time", ...Object.keys(given).filter((c) => given[c] !== undefined)];
      const columns = Object.keys(values);
      const assignments = updated.map((c) => `${c} = excluded.${c}`);
      const args: SqlValue[] = [...Object.values(values)];
      // On a replica, the save is a new version of what this replica has seen of the task,
      // deleted or not, and names the recorded fields it wrote (see history/).
      let versionSelect = "";
      if (history) {
        // A new row's every field is this version's own; an update's, only those it was given.
        versionSelect = `, ${history.stamp(storedVersionSql("sync_tombstones", "given.id"), recordedIn(columns))}, NULL`;
        columns.push("sync_version", "sync_siblings");
        assignments.push(
          `sync_version = ${history.stamp("tasks.sync_version", recordedIn(updated))}`,
          "sync_siblings = NULL",
        );
        args.push(history.clockMs());
      }
      const upsert = (db: Executor) =>
        db.all(
          `INSERT INTO tasks (${columns.join(", ")})
           SELECT ${Object.keys(values)
             .map(() => "?")
             .join(", ")}${versionSelect}${history ? " FROM (SELECT ? AS id) AS given" : ""}
            WHERE NOT EXISTS (SELECT 1 FROM archived_tasks WHERE task_id = ${history ? "given.id" : "?"})
           ON CONFLICT(task_id) DO UPDATE SET ${assignments.join(", ")}
           RETURNING ${shapes.full("tasks")}`,
          [...args, task.task_id, ...(history ? [history.clockMs()] : [])],
        );
      // Beside the tasks, the circuit is written first, so the row returned carries it; a
      // conflict rolls it back.
      const rows =
        shapes.compiled === "table" && task.compiled_circuit !== undefined
          ? await ctx.write([task.task_id], async (tx) => {
              await tx.run(
                compiled === null
                  ? `DELETE FROM ${COMPILED_TABLE} WHERE task_id = ?`
                  : `INSERT INTO ${COMPILED_TABLE} (task_id, compiled_circuit_json) VALUES (?, ?)
                     ON CONFLICT (task_id) DO UPDATE SET compiled_circuit_json = excluded.compiled_circuit_json`,
                compiled === null ? [task.task_id] : [task.task_id, compiled],
              );
              const rows = await upsert(tx);
              if (!rows[0]) throw conflict(task.task_id);
              return rows;
            })
          : history
            ? await ctx.write([task.task_id], async (tx) => {
                const rows = await upsert(tx);
                // The save had seen the delete, so the task lives again.
                if (rows[0]) await tx.run("DELETE FROM sync_tombstones WHERE task_id = ?", [task.task_id]);
                return rows;
              })
            : await upsert(driver);
      if (!rows[0]) throw conflict(task.task_id);
      return rowToTask(rows[0]);
    },

    async get(taskId: string): Promise<Task | undefined> {
      const id = parseInput(TaskIdSchema, taskId, "task_id");
      const [row] = await driver.all(`SELECT ${shapes.full("tasks")} FROM tasks WHERE task_id = ?`, [id]);
      return row && rowToTask(row);
    },

    listText,

    async list(options: ListOptions = {}): Promise<TaskPage> {
      return parsePage(await listText(options));
    },

    count(filter: TaskFilter = {}): Promise<number> {
      return countRows(ctx, "tasks", resolveFilter(parseInput(FilterSchema, filter), ctx.clock));
    },

    async counts(): Promise<StatusCounts> {
      const counts: StatusCounts = { pending: 0, running: 0, success: 0, failed: 0, cancelled: 0, total: 0 };
      for (const { status, n } of await groupCounts(ctx, "tasks")) {
        if ((TASK_STATUSES as readonly string[]).includes(status)) counts[status as keyof StatusCounts] += n;
        counts.total += n;
      }
      return counts;
    },

    async backendCounts(): Promise<{ backend: string; n: number }[]> {
      const totals = new Map<string, number>();
      for (const { backend, n } of await groupCounts(ctx, "tasks")) totals.set(backend, (totals.get(backend) ?? 0) + n);
      return [...totals]
        .map(([backend, n]) => ({ backend, n }))
        .sort((a, b) => b.n - a.n || (a.backend < b.backend ? -1 : 1));
    },

    async delete(taskId: string): Promise<void> {
      ctx.assertWritable();
      const id = parseInput(TaskIdSchema, taskId, "task_id");
      const { changes } = await ctx.write([id], async (tx) => {
        await shards.dropActive(tx, "?", [id]);
        await history?.bury(tx, "tasks", "?", [id]);
        return tx.run("DELETE FROM tasks WHERE task_id = ?", [id]);
      });
      if (changes === 0) throw new NotFoundError(id, "tasks");
    },

    async bulkDelete(taskIds: readonly string[]): Promise<BulkDeleteResult> {
      ctx.assertWritable();
      const { unique, json } = idSet(parseInput(TaskIdsSchema, taskIds, "task_ids"));
      const rows = await ctx.write(unique, async (tx) => {
        await shards.dropActive(tx, ID_LIST, [json]);
        await history?.bury(tx, "tasks", ID_LIST, [json]);
        return tx.all<{ task_id: string }>(`DELETE FROM tasks WHERE task_id IN (${ID_LIST}) RETURNING task_id`, [json]);
      });
      const deleted = rows.map((row) => String(row.task_id));
      return { deleted, missing: missingFrom(unique, deleted) };
    },

    deleteMatching(filter: MatchFilter = {}, batch: Batch = PACED_TRANSACTIONS): Promise<MatchedResult> {
      return deleteMatched(ctx, "tasks", filter, batch);
    },

    async clearCompleted(): Promise<number> {
      ctx.assertWritable();
      const deleted = await ctx.inChunks(async (tx, limit) => {
        const chosen = `SELECT task_id FROM tasks WHERE ${TERMINAL_SQL}${limit === undefined ? "" : ` LIMIT ${limit}`}`;
        await shards.dropActive(tx, chosen, []);
        await history?.bury(tx, "tasks", chosen, []);
        return tx.all<{ task_id: string }>(
          limit === undefined
            ? `DELETE FROM tasks WHERE ${TERMINAL_SQL} RETURNING task_id`
            : `DELETE FROM tasks WHERE task_id IN (${chosen}) RETURNING task_id`,
        );
      });
      return deleted.length;
    },
  };
}
