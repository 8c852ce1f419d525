/**
 * Bringing rows from another cache file into this one, as they are stored: what follows the
 * Python package's file into a synced replica.
 *
 * An import never undoes anything newer here. A row is written only where it is newer than the
 * copy this cache holds (by `update_time`, and for the archive also by `archived_at`), and not
 * where the other table holds a copy that would win over it anyway; a task that then sits in both
 * tables is settled by the replicas' rule (see reconcile.ts). So importing the same rows twice
 * changes nothing, and a move made in the other file arrives as a move.
 */
import * as v from "valibot";
import type { Executor } from "./driver.ts";
import { reconcile } from "./reconcile.ts";
import { TASK_COLUMNS } from "./schema.ts";
import type { StoreContext } from "./store-context.ts";
import { TaskIdSchema, TimestampSchema } from "./validation.ts";

const TextOrNull = v.nullish(v.string(), null);

/** A task row as a cache file stores it; `archived_at` on archived rows only. */
export const StoredTaskSchema = v.object({
  task_id: TaskIdSchema,
  backend: v.pipe(v.string(), v.minLength(1)),
  status: v.pipe(v.string(), v.minLength(1)),
  shots: v.pipe(v.number(), v.integer()),
  submit_time: TimestampSchema,
  update_time: TimestampSchema,
  result_json: TextOrNull,
  metadata_json: v.optional(v.string(), "{}"),
  compiled_circuit_json: TextOrNull,
  archived_at: v.optional(TimestampSchema),
});
export type StoredTask = v.InferInput<typeof StoredTaskSchema>;

/** What an import did. */
export interface ImportResult {
  /** Rows written here, in either table. */
  readonly written: number;
  /** Rows that are not task rows, by id where they have one, with the reason. */
  readonly rejected: readonly { task_id: unknown; reason: string }[];
}

const fields = (extra: string[] = []) => [...TASK_COLUMNS, ...extra];
const fromJson = (columns: string[]) => columns.map((column) => `j.value ->> '$.${column}'`).join(", ");
/** On update: every column from the import, but a compiled circuit the other file lacks is kept. */
const assignments = (table: string, columns: string[]) =>
  columns
    .filter((column) => column !== "task_id")
    .map((column) =>
      column === "compiled_circuit_json" ? `${column} = COALESCE(excluded.${column}, ${table}.${column})` : `${column} = excluded.${column}`,
    )
    .join(", ");

const ACTIVE = fields();
const ARCHIVED = fields(["archived_at"]);

const IMPORT_ACTIVE = `INSERT INTO tasks (${ACTIVE.join(", ")})
  SELECT ${fromJson(ACTIVE)} FROM json_each(?) AS j
   WHERE NOT EXISTS (SELECT 1 FROM archived_tasks AS a WHERE a.task_id = j.value ->> '$.task_id' AND a.archived_at >= j.value ->> '$.update_time')
  ON CONFLICT (task_id) DO UPDATE SET ${assignments("tasks", ACTIVE)}
   WHERE excluded.update_time > tasks.update_time`;

const IMPORT_ARCHIVED = `INSERT INTO archived_tasks (${ARCHIVED.join(", ")})
  SELECT ${fromJson(ARCHIVED)} FROM json_each(?) AS j
   WHERE NOT EXISTS (SELECT 1 FROM tasks AS t WHERE t.task_id = j.value ->> '$.task_id' AND t.update_time > j.value ->> '$.archived_at')
  ON CONFLICT (task_id) DO UPDATE SET ${assignments("archived_tasks", ARCHIVED)}
   WHERE excluded.archived_at > archived_tasks.archived_at OR excluded.update_time > archived_tasks.update_time`;

export function importOperations(ctx: StoreContext) {
  return {
    /**
     * Brings stored task rows into this cache in one transaction: rows with `archived_at` into
     * the archive, the others into the active tasks, each only where it is newer. Rows that are
     * not task rows are left out and reported.
     */
    async importRows(rows: readonly unknown[]): Promise<ImportResult> {
      ctx.assertWritable();
      const active: StoredTask[] = [];
      const archived: StoredTask[] = [];
      const rejected: { task_id: unknown; reason: string }[] = [];
      for (const row of rows) {
        const parsed = v.safeParse(StoredTaskSchema, row);
        if (!parsed.success) {
          const issue = parsed.issues[0];
          rejected.push({ task_id: (row as { task_id?: unknown })?.task_id, reason: `${v.getDotPath(issue) ?? "row"}: ${issue.message}` });
        } else (parsed.output.archived_at === undefined ? active : archived).push(parsed.output);
      }
      if (active.length + archived.length === 0) return { written: 0, rejected };
      const written = await ctx.driver.transaction(async (tx: Executor) => {
        let changes = 0;
        if (active.length > 0) changes += (await tx.run(IMPORT_ACTIVE, [JSON.stringify(active)])).changes;
        if (archived.length > 0) changes += (await tx.run(IMPORT_ARCHIVED, [JSON.stringify(archived)])).changes;
        if (changes > 0) await reconcile(tx, TASK_COLUMNS);
        return changes;
      });
      return { written, rejected };
    },
  };
}
