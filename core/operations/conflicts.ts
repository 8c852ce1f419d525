/**
 * What machines disagreed on, read back: on a synced replica, the versions of a task that lost
 * to the one it shows stay beside it (history/rule.ts) until a version made after seeing them
 * replaces them. Everywhere else a task has none.
 */
import * as v from "valibot";
import type { StoreContext } from "../store/context.ts";
import { frontierOf } from "../history/rule.ts";
import { WITH_SIBLINGS } from "../history/settle.ts";
import { VERSIONED_TABLES, versionsOf, type VersionedRow } from "../history/statements.ts";
import type { TaskVersion } from "../history/version.ts";
import { formatTimestamp } from "../shared/timestamps.ts";
import { TaskSchema, rowToTask } from "../store/task-rows.ts";
import { TaskIdSchema, parseInput } from "../shared/validation.ts";
import { Stamp, Text } from "../shared/shapes.ts";

/** One version that lost, as the machine that made it wrote it. */
export const ConflictingVersionSchema = v.object({
  replica_id: v.pipe(
    v.nullable(Text),
    v.description("The replica that made it; one ending in `py` took it from that machine's cache file"),
  ),
  clock: v.pipe(Stamp, v.description("That machine's time, above every version it had seen")),
  place: v.pipe(
    v.picklist(["active", "archived", "deleted"]),
    v.description("A save or restore, an archive move, or a delete"),
  ),
  task: v.pipe(
    v.nullable(v.omit(TaskSchema, ["has_conflicts"])),
    v.description("The task as that version had it; null for a delete"),
  ),
});
export type ConflictingVersion = v.InferOutput<typeof ConflictingVersionSchema>;

/** A task's versions that lost, as `GET /api/tasks/{id}/conflicts` answers them. */
export const TaskConflictsSchema = v.pipe(
  v.object({ task_id: Text, conflicts: v.array(ConflictingVersionSchema) }),
  v.description(
    "On a synced replica, the versions of a task that lost to the one it shows (best-ranked first), kept until a save made after seeing them; none elsewhere",
  ),
);
export type TaskConflicts = v.InferOutput<typeof TaskConflictsSchema>;

/** What machines disagreed on, on a synced replica. */
export interface Disagreements {
  /**
   * The versions of a task that lost to the one it shows (best-ranked first), kept until a
   * version made after seeing them replaces them; none anywhere but on a synced replica.
   * Undefined when no table holds the task and nothing lost to its delete.
   */
  conflicts(taskId: string): Promise<TaskConflicts | undefined>;
  /** The ids of every task with such versions, in id order, read from an index. */
  conflicted(): Promise<string[]>;
}

const PLACES = { tasks: "active", archived_tasks: "archived", deleted: "deleted" } as const;

function conflictOf(taskId: string, version: TaskVersion): ConflictingVersion {
  const { has_conflicts: _, ...task } = rowToTask({ ...version.columns, task_id: taskId });
  return {
    replica_id: version.version.w ?? null,
    clock: formatTimestamp(new Date(version.version.c)),
    place: PLACES[version.place],
    task: version.place === "deleted" ? null : task,
  };
}

export function conflictOperations(ctx: StoreContext): Disagreements {
  const { driver, history } = ctx;
  return {
    async conflicts(taskId: string): Promise<TaskConflicts | undefined> {
      const id = parseInput(TaskIdSchema, taskId, "task_id");
      if (!history) {
        const [held] = await driver.all(
          `SELECT 1 FROM tasks WHERE task_id = ?${ctx.shapes.has("archived_tasks") ? " UNION ALL SELECT 1 FROM archived_tasks WHERE task_id = ?" : ""}`,
          ctx.shapes.has("archived_tasks") ? [id, id] : [id],
        );
        return held ? { task_id: id, conflicts: [] } : undefined;
      }
      const versions: TaskVersion[] = [];
      let live = false;
      for (const table of VERSIONED_TABLES) {
        for (const row of await driver.all<VersionedRow>(`SELECT * FROM ${table} WHERE task_id = ?`, [id])) {
          live ||= table !== "sync_tombstones";
          versions.push(...versionsOf(table, row));
        }
      }
      // A deleted task is gone unless versions lost to its delete, which stay readable.
      const lost = frontierOf(versions).slice(1);
      if (!live && lost.length === 0) return undefined;
      return { task_id: id, conflicts: lost.map((version) => conflictOf(id, version)) };
    },

    async conflicted(): Promise<string[]> {
      if (!history) return [];
      return (await driver.all<{ task_id: string }>(`${WITH_SIBLINGS} ORDER BY task_id`)).map((row) =>
        String(row.task_id),
      );
    },
  };
}
