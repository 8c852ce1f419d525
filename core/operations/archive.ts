/**
 * Moving tasks between `tasks` and `archived_tasks`, and reading the archive.
 *
 * Every move is one transaction that copies the row by column name (its shards first, where the
 * file has them) and deletes the original, exactly as the Python store does, so a task is always
 * in exactly one of the two tables.
 */
import * as v from "valibot";
import type { Executor, SqlValue } from "../driver/driver.ts";
import { ConflictError, NotFoundError } from "../shared/errors.ts";
import { TERMINAL_SQL, resolveFilter } from "../store/queries.ts";
import { countRows } from "../store/group-counts.ts";
import { ID_LIST, idSet, missingFrom } from "../shared/id-sets.ts";
import { listPage, parsePage, type TaskPage, type TaskPageText } from "../store/pages.ts";
import type { StoreContext } from "../store/context.ts";
import { PACED_TRANSACTIONS, type Batch } from "../store/batches.ts";
import { rowToTask, type Task } from "../store/task-rows.ts";
import { countTriggers, type CounterNames } from "../file/schema.ts";
import { shardMoves } from "./shards.ts";
import { hoursBefore, nowTimestamp } from "../shared/timestamps.ts";
import {
  ArchiveExpiredSchema,
  FilterSchema,
  ListOptionsSchema,
  PurgeSchema,
  TaskIdSchema,
  TaskIdsSchema,
  parseInput,
  type ArchiveExpiredOptions,
  type ListOptions,
  type MatchFilter,
  type PurgeOptions,
  type TaskFilter,
} from "../shared/validation.ts";
import { deleteMatched, matched, type MatchedResult, type RestoredMatching } from "./matching.ts";
import { Ids } from "../shared/shapes.ts";

/** What a bulk archive did, per id. */
export const BulkArchiveResultSchema = v.object({ archived: Ids, missing: Ids });
export type BulkArchiveResult = v.InferOutput<typeof BulkArchiveResultSchema>;

/** What archive-expired did: the ids it moved, and the old ids it left because they still run. */
export const ArchiveExpiredResultSchema = v.object({
  archived: Ids,
  skipped: v.pipe(Ids, v.description("Tasks old enough but still pending or running")),
});
export type ArchiveExpiredResult = v.InferOutput<typeof ArchiveExpiredResultSchema>;

/**
 * From how many tasks a bulk archive sets the counter triggers aside. Dropping and making them
 * again changes the schema, which every connection to the file then reads again: for a handful
 * of tasks that costs far more than the triggers, and slows every other writer of the file.
 */
const MANY_TASKS = 1000;

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

export function archiveOperations(ctx: StoreContext): Archive {
  const { driver, shapes, history } = ctx;
  const copy = shapes.copy;
  // On a replica, the copy a move makes is a new version of the task (see history/).
  const copied = (source: string) => (history ? history.copyFrom(copy, source) : copy);
  const versionArgs = () => (history ? [history.clockMs()] : []);
  const shards = shardMoves(shapes);

  const exists = async (db: Executor, table: "tasks" | "archived_tasks", id: string) =>
    (await db.all(`SELECT 1 FROM ${table} WHERE task_id = ?`, [id])).length > 0;

  /**
   * Copies the active rows chosen by `where` into the archive, then deletes exactly those, and
   * returns their ids. With `many`, the counter triggers that would fire for every row are set
   * aside for the transaction where there are counters (see {@link withoutRowCounters}).
   */
  async function moveToArchive(
    tx: Executor,
    where: string,
    params: SqlValue[],
    many = false,
    limit?: number,
  ): Promise<string[]> {
    const [top] = await tx.all<{ last: number | bigint }>("SELECT COALESCE(MAX(rowid), 0) AS last FROM archived_tasks");
    // The copies get rowids above the archive's last one: that names exactly the rows this move made.
    const last = top!.last;
    const move = async () => {
      // In listing order, so the archive's order indexes grow at their ends rather than all over,
      // and a chunk's pages are near the last chunk's.
      await tx.run(
        `INSERT INTO archived_tasks (${copy}, archived_at)
         SELECT ${copied("tasks")}, ? FROM tasks
          WHERE ${where} AND NOT EXISTS (SELECT 1 FROM archived_tasks AS a WHERE a.task_id = tasks.task_id)
          ORDER BY submit_time, task_id${limit === undefined ? "" : ` LIMIT ${limit}`}`,
        [...versionArgs(), nowTimestamp(ctx.clock), ...params],
      );
      // The shards follow before their tasks are deleted, whose cascade would take them.
      await shards.toArchive(tx, "SELECT task_id FROM archived_tasks WHERE rowid > ?", [last]);
      // From the copies just made, by key: a chunk costs its own rows, not a pass over every
      // row that `where` still matches.
      return tx.all<{ task_id: string }>(
        `DELETE FROM tasks
          WHERE task_id IN (SELECT task_id FROM archived_tasks WHERE rowid > ?) AND ${where}
         RETURNING task_id`,
        [last, ...params],
      );
    };
    // Dropping and making the triggers again is schema work that every connection then pays for:
    // worth it for a whole move, not for a chunk of a thousand rows.
    const rows =
      many && ctx.counters && limit === undefined
        ? await withoutRowCounters(tx, ctx.counters, last, move)
        : await move();
    return rows.map((row) => String(row.task_id));
  }

  /**
   * Runs a move of many rows with the two counter triggers it would fire dropped, and moves the
   * counters with one grouped statement per table instead: per row, those triggers cost more
   * than the move itself. They are created again before the transaction ends. DDL is
   * transactional in SQLite and other writers wait for our lock, so no other connection, the
   * Python store included, ever sees the file without them.
   */
  async function withoutRowCounters<T>(
    tx: Executor,
    counters: CounterNames,
    last: number | bigint,
    move: () => Promise<T>,
  ): Promise<T> {
    const suspended = [countTriggers("archived_tasks", counters).insert, countTriggers("tasks", counters).delete];
    for (const trigger of suspended) await tx.run(`DROP TRIGGER IF EXISTS ${trigger.name}`);
    const result = await move();
    for (const [table, sign] of [
      ["archived_tasks", ""],
      ["tasks", "-"],
    ] as const) {
      await tx.run(
        `INSERT INTO ${counters.table} (tbl, backend, status, n)
         SELECT '${table}', backend, status, ${sign}COUNT(*) FROM archived_tasks WHERE rowid > ? GROUP BY backend, status
         ON CONFLICT (tbl, backend, status) DO UPDATE SET n = n + excluded.n`,
        [last],
      );
    }
    for (const trigger of suspended) await tx.run(trigger.sql);
    return result;
  }

  function listArchivedText(options: Omit<ListOptions, "includeArchived"> = {}): Promise<TaskPageText> {
    const { limit, offset, after, includeArchived: _, ...filter } = parseInput(ListOptionsSchema, options);
    return listPage(ctx, ["archived_tasks"], resolveFilter(filter, ctx.clock), { limit, offset, after });
  }

  return {
    async archive(taskId: string): Promise<void> {
      ctx.assertWritable();
      const id = parseInput(TaskIdSchema, taskId, "task_id");
      await ctx.write([id], async (tx) => {
        const [moved] = await moveToArchive(tx, "task_id = ?", [id]);
        if (moved) return;
        if (await exists(tx, "tasks", id)) throw new ConflictError(id, `Task ${id} is already in the archive as well.`);
        throw new NotFoundError(id, "tasks");
      });
    },

    async restore(taskId: string): Promise<void> {
      ctx.assertWritable();
      const id = parseInput(TaskIdSchema, taskId, "task_id");
      await ctx.write([id], async (tx) => {
        if (!(await exists(tx, "archived_tasks", id))) throw new NotFoundError(id, "archive");
        if (await exists(tx, "tasks", id)) {
          throw new ConflictError(
            id,
            `Task ${id} is already active; delete or archive it before restoring the archived copy.`,
          );
        }
        await tx.run(
          `INSERT INTO tasks (${copy}) SELECT ${copied("archived_tasks")} FROM archived_tasks WHERE task_id = ?`,
          [...versionArgs(), id],
        );
        // After their task, which the active shards' foreign key needs.
        await shards.toActive(tx, "?", [id]);
        await tx.run("DELETE FROM archived_tasks WHERE task_id = ?", [id]);
      });
    },

    async bulkArchive(taskIds: readonly string[]): Promise<BulkArchiveResult> {
      ctx.assertWritable();
      const { unique, json } = idSet(parseInput(TaskIdsSchema, taskIds, "task_ids"));
      const archived = await ctx.write(unique, (tx) =>
        moveToArchive(tx, `task_id IN (${ID_LIST})`, [json], unique.length >= MANY_TASKS),
      );
      return { archived, missing: missingFrom(unique, archived) };
    },

    async archiveMatching(filter: MatchFilter = {}, batch: Batch = PACED_TRANSACTIONS): Promise<MatchedResult> {
      const matching = await matched(ctx, "tasks", filter);
      if ("counted" in matching) return { count: matching.counted };
      const { ids, condition } = matching;
      const moved = await ctx.inIdChunks(
        ids,
        (tx, json) => moveToArchive(tx, `task_id IN (${ID_LIST}) AND ${condition.sql}`, [json, ...condition.args]),
        batch,
      );
      return { count: moved.length };
    },

    async restoreMatching(filter: MatchFilter = {}, batch: Batch = PACED_TRANSACTIONS): Promise<RestoredMatching> {
      const matching = await matched(ctx, "archived_tasks", filter);
      if ("counted" in matching) return { count: matching.counted, conflicts: [] };
      const { ids, condition } = matching;
      const conflicts: string[] = [];
      const restored = await ctx.inIdChunks(
        ids,
        async (tx, json) => {
          const chosen = `task_id IN (${ID_LIST}) AND ${condition.sql}`;
          const args = [json, ...condition.args];
          const live = await tx.all<{ task_id: string }>(
            `SELECT task_id FROM tasks WHERE task_id IN (SELECT task_id FROM archived_tasks WHERE ${chosen})`,
            args,
          );
          conflicts.push(...live.map((row) => String(row.task_id)));
          const rows = await tx.all<{ task_id: string }>(
            `INSERT INTO tasks (${copy})
             SELECT ${copied("archived_tasks")} FROM archived_tasks
              WHERE ${chosen} AND NOT EXISTS (SELECT 1 FROM tasks AS t WHERE t.task_id = archived_tasks.task_id)
             RETURNING task_id`,
            [...versionArgs(), ...args],
          );
          const done = JSON.stringify(rows.map((row) => String(row.task_id)));
          // After their tasks, which the active shards' foreign key needs.
          await shards.toActive(tx, ID_LIST, [done]);
          await tx.run(`DELETE FROM archived_tasks WHERE task_id IN (${ID_LIST})`, [done]);
          return rows;
        },
        batch,
      );
      return { count: restored.length, conflicts };
    },

    deleteArchivedMatching(filter: MatchFilter = {}, batch: Batch = PACED_TRANSACTIONS): Promise<MatchedResult> {
      return deleteMatched(ctx, "archived_tasks", filter, batch);
    },

    /**
     * Archives tasks submitted more than `hours` ago, in one transaction of two set statements
     * (on a synced replica, in chunks; see `StoreContext.inChunks`). With `terminalOnly` (the
     * default), tasks still pending or running stay and are reported.
     */
    async archiveExpired(options: ArchiveExpiredOptions = {}, batch?: Batch): Promise<ArchiveExpiredResult> {
      ctx.assertWritable();
      const { hours, terminalOnly } = parseInput(ArchiveExpiredSchema, options);
      const cutoff = hoursBefore(ctx.clock, hours);
      const terminal = TERMINAL_SQL;
      const archived = await ctx.inChunks(
        (tx, limit) =>
          moveToArchive(tx, `submit_time < ?${terminalOnly ? ` AND ${terminal}` : ""}`, [cutoff], true, limit),
        batch,
      );
      const skipped = terminalOnly
        ? await driver.all<{ task_id: string }>(`SELECT task_id FROM tasks WHERE submit_time < ? AND NOT ${terminal}`, [
            cutoff,
          ])
        : [];
      return { archived, skipped: skipped.map((row) => String(row.task_id)) };
    },

    async countExpired(options: ArchiveExpiredOptions = {}): Promise<number> {
      const { hours, terminalOnly } = parseInput(ArchiveExpiredSchema, options);
      const cutoff = hoursBefore(ctx.clock, hours);
      const [row] = await driver.all<{ n: number }>(
        `SELECT COUNT(*) AS n FROM tasks WHERE submit_time < ?${terminalOnly ? ` AND ${TERMINAL_SQL}` : ""}`,
        [cutoff],
      );
      return Number(row?.n ?? 0);
    },

    listArchivedText,

    async listArchived(options: Omit<ListOptions, "includeArchived"> = {}): Promise<TaskPage> {
      return parsePage(await listArchivedText(options));
    },

    async getArchived(taskId: string): Promise<Task | undefined> {
      const id = parseInput(TaskIdSchema, taskId, "task_id");
      if (!shapes.has("archived_tasks")) return undefined;
      const [row] = await driver.all(`SELECT ${shapes.full("archived_tasks")} FROM archived_tasks WHERE task_id = ?`, [
        id,
      ]);
      return row && rowToTask(row);
    },

    countArchived(filter: TaskFilter = {}): Promise<number> {
      return countRows(ctx, "archived_tasks", resolveFilter(parseInput(FilterSchema, filter), ctx.clock));
    },

    /**
     * Deletes archived tasks (and their shards) archived more than `olderThanHours` ago, in
     * transactions of `batch.rows` when given; with `dryRun`, only counts them. Returns how many.
     */
    async purgeArchived(options: PurgeOptions, batch?: Batch): Promise<{ count: number; cutoff: string }> {
      const { olderThanHours, dryRun } = parseInput(PurgeSchema, options);
      const cutoff = hoursBefore(ctx.clock, olderThanHours);
      if (!shapes.has("archived_tasks")) return { count: 0, cutoff };
      if (dryRun) {
        const [row] = await driver.all<{ n: number }>(
          "SELECT COUNT(*) AS n FROM archived_tasks WHERE archived_at < ?",
          [cutoff],
        );
        return { count: Number(row?.n ?? 0), cutoff };
      }
      ctx.assertWritable();
      const purged = await ctx.inChunks(async (tx, limit) => {
        const chosen = `SELECT task_id FROM archived_tasks WHERE archived_at < ?${limit === undefined ? "" : ` LIMIT ${limit}`}`;
        await shards.dropArchived(tx, chosen, [cutoff]);
        await history?.bury(tx, "archived_tasks", chosen, [cutoff]);
        return tx.all<{ task_id: string }>(
          `DELETE FROM archived_tasks WHERE task_id IN (${chosen}) RETURNING task_id`,
          [cutoff],
        );
      }, batch);
      return { count: purged.length, cutoff };
    },

    async deleteArchived(taskId: string): Promise<void> {
      ctx.assertWritable();
      const id = parseInput(TaskIdSchema, taskId, "task_id");
      const { changes } = await ctx.write([id], async (tx) => {
        await shards.dropArchived(tx, "?", [id]);
        await history?.bury(tx, "archived_tasks", "?", [id]);
        return tx.run("DELETE FROM archived_tasks WHERE task_id = ?", [id]);
      });
      if (changes === 0) throw new NotFoundError(id, "archive");
    },
  };
}
