/**
 * Bringing rows from another cache file into this one, as they are stored: what follows the
 * Python package's file into a synced replica.
 *
 * On a file, an import never undoes anything newer here. A row is written only where it is newer
 * than the copy this cache holds (by `update_time`, and for the archive also by `archived_at`),
 * and not where the other table holds a copy that would win over it anyway; a task that then sits
 * in both tables is reconciled (reconcile.ts). On a replica, time orders nothing: a row whose
 * content this replica has not taken from the file before enters as a version of the file's own,
 * and the merge rule settles it (history/file-versions.ts). Either way, importing the same rows
 * twice changes nothing, and a move made in the other file arrives as a move.
 */
import * as v from "valibot";
import { reconcile } from "../history/reconcile.ts";
import { TASK_COLUMNS } from "../file/schema.ts";
import type { Table, TableShapes } from "../store/queries.ts";
import { enterFileRows } from "../history/file-versions.ts";
import { recordedIn } from "../history/statements.ts";
import type { StoreContext } from "../store/context.ts";
import { COMPILED_TABLE } from "../file/uniqc-lineage.ts";
import { normalizeTimestamp } from "../shared/timestamps.ts";
import { parseInput, TaskIdSchema } from "../shared/validation.ts";
import { Text, Whole } from "../shared/shapes.ts";

const TextOrNull = v.nullish(v.string(), null);

/** A timestamp kept as its text, so a row comes back byte for byte; checked, not rewritten. */
const StoredTimestamp = v.pipe(
  v.string("must be an ISO-8601 timestamp"),
  v.check(
    (text) => normalizeTimestamp(text) !== undefined,
    "must be an ISO-8601 timestamp such as 2026-05-03T08:05:27.123456+00:00",
  ),
);

/** A task row as a cache file stores it; `archived_at` on archived rows only. */
export const StoredTaskSchema = v.object({
  task_id: TaskIdSchema,
  backend: v.pipe(v.string(), v.minLength(1)),
  status: v.pipe(v.string(), v.minLength(1)),
  shots: v.pipe(v.number(), v.integer()),
  submit_time: StoredTimestamp,
  update_time: StoredTimestamp,
  result_json: TextOrNull,
  metadata_json: v.optional(v.string(), "{}"),
  compiled_circuit_json: TextOrNull,
  error_message: TextOrNull,
  archived_at: v.optional(StoredTimestamp),
});
export type StoredTask = v.InferInput<typeof StoredTaskSchema>;

/** What an import did. */
export const ImportResultSchema = v.object({
  written: v.pipe(Whole, v.description("Rows written here, in either table")),
  rejected: v.pipe(
    v.array(v.object({ task_id: v.unknown(), reason: Text })),
    v.description("Rows that are not task rows, by id where they have one, with the reason"),
  ),
});
export type ImportResult = v.InferOutput<typeof ImportResultSchema>;

/** The columns an import takes into each table of this file. */
function importColumns(shapes: TableShapes) {
  const active = TASK_COLUMNS.filter((column) => column !== "compiled_circuit_json" || shapes.compiled === "column");
  if (shapes.errorMessages) active.push("error_message");
  return { tasks: active, archived_tasks: [...active, "archived_at"] };
}

/** The statements of an import into a file that is not a replica. */
function importStatements(shapes: TableShapes) {
  const { tasks: stored, archived_tasks: archived } = importColumns(shapes);
  const id = "j.value ->> '$.task_id'";
  const fromJson = (columns: string[]) => columns.map((column) => `j.value ->> '$.${column}'`).join(", ");
  /** On update: every column from the import, but a compiled circuit the other file lacks is kept. */
  const assignments = (table: Table, columns: string[]) =>
    columns
      .filter((column) => column !== "task_id")
      .map((column) =>
        column === "compiled_circuit_json"
          ? `${column} = COALESCE(excluded.${column}, ${table}.${column})`
          : `${column} = excluded.${column}`,
      )
      .join(", ");
  return {
    active: `INSERT INTO tasks (${stored.join(", ")})
      SELECT ${fromJson(stored)} FROM json_each(?) AS j
       WHERE NOT EXISTS (SELECT 1 FROM archived_tasks AS a WHERE a.task_id = ${id} AND a.archived_at >= j.value ->> '$.update_time')
      ON CONFLICT (task_id) DO UPDATE SET ${assignments("tasks", stored)}
       WHERE excluded.update_time > tasks.update_time`,
    archived: `INSERT INTO archived_tasks (${archived.join(", ")})
      SELECT ${fromJson(archived)} FROM json_each(?) AS j
       WHERE NOT EXISTS (SELECT 1 FROM tasks AS t WHERE t.task_id = ${id} AND t.update_time > j.value ->> '$.archived_at')
      ON CONFLICT (task_id) DO UPDATE SET ${assignments("archived_tasks", archived)}
       WHERE excluded.archived_at > archived_tasks.archived_at OR excluded.update_time > archived_tasks.update_time`,
    // Beside the tasks (the uniqc lineage), for the rows whose task now holds this row's times.
    compiled:
      shapes.compiled === "table"
        ? `INSERT INTO ${COMPILED_TABLE} (task_id, compiled_circuit_json)
           SELECT j.value ->> '$.task_id', j.value ->> '$.compiled_circuit_json' FROM json_each(?) AS j
            WHERE j.value ->> '$.compiled_circuit_json' IS NOT NULL
              AND (EXISTS (SELECT 1 FROM tasks AS t WHERE t.task_id = j.value ->> '$.task_id' AND t.update_time = j.value ->> '$.update_time')
                OR EXISTS (SELECT 1 FROM archived_tasks AS a WHERE a.task_id = j.value ->> '$.task_id' AND a.update_time = j.value ->> '$.update_time'))
           ON CONFLICT (task_id) DO UPDATE SET compiled_circuit_json = excluded.compiled_circuit_json`
        : undefined,
  };
}

/** Stored rows in, as another cache or the Python package keeps them. */
export interface Imports {
  /**
   * Brings stored task rows into this cache in one transaction: rows with `archived_at` into
   * the archive, the others into the active tasks, each only where it is newer. Rows that are
   * not task rows are left out and reported.
   */
  importRows(rows: readonly unknown[]): Promise<ImportResult>;
}

export function importOperations(ctx: StoreContext): Imports {
  const { history } = ctx;
  const statements = importStatements(ctx.shapes);
  const columns = importColumns(ctx.shapes);
  const shared = ctx.shapes.copy.split(", ");
  return {
    async importRows(rows: readonly unknown[]): Promise<ImportResult> {
      ctx.assertWritable();
      parseInput(v.array(v.unknown(), "must be an array of stored rows"), rows, "rows");
      const active: StoredTask[] = [];
      const archived: StoredTask[] = [];
      const rejected: { task_id: unknown; reason: string }[] = [];
      for (const row of rows) {
        const parsed = v.safeParse(StoredTaskSchema, row);
        if (!parsed.success) {
          const issue = parsed.issues[0];
          rejected.push({
            task_id: (row as { task_id?: unknown })?.task_id,
            reason: `${v.getDotPath(issue) ?? "row"}: ${issue.message}`,
          });
        } else if (parsed.output.error_message != null && !ctx.shapes.errorMessages) {
          rejected.push({
            task_id: parsed.output.task_id,
            reason: "error_message: this file follows the seed lineage, which has no error_message",
          });
        } else (parsed.output.archived_at === undefined ? active : archived).push(parsed.output);
      }
      if (active.length + archived.length === 0) return { written: 0, rejected };
      const ids = [...active, ...archived].map((row) => row.task_id);
      const written = await ctx.write(ids, async (tx) => {
        if (history) {
          const entered = await enterFileRows(
            tx,
            history,
            [...active, ...archived],
            columns,
            recordedIn(columns.tasks),
          );
          if (entered.length > 0) await history.settle(tx, entered);
          return entered.length;
        }
        let changes = 0;
        if (active.length > 0) changes += (await tx.run(statements.active, [JSON.stringify(active)])).changes;
        if (archived.length > 0) changes += (await tx.run(statements.archived, [JSON.stringify(archived)])).changes;
        if (statements.compiled && changes > 0)
          await tx.run(statements.compiled, [JSON.stringify([...active, ...archived])]);
        if (changes > 0) await reconcile(tx, shared, ids);
        return changes;
      });
      return { written, rejected };
    },
  };
}
