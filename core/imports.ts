/**
 * Bringing rows from another cache file into this one, as they are stored: what follows the
 * Python package's file into a synced replica.
 *
 * An import never undoes anything newer here. A row is written only where it is newer than the
 * copy this cache holds (by `update_time`, and for the archive also by `archived_at`), and not
 * where the other table holds a copy that would win over it anyway; a task that then sits in both
 * tables is settled: on a replica by the merge rule (history/settle.ts), elsewhere as reconcile.ts
 * says. So importing the same rows twice changes nothing, and a move made in the other file
 * arrives as a move.
 */
import * as v from "valibot";
import { reconcile } from "./reconcile.ts";
import { TASK_COLUMNS } from "./schema.ts";
import type { Table, TableShapes } from "./queries.ts";
import type { History } from "./history/history.ts";
import { recordedIn } from "./history/statements.ts";
import { UNVERSIONED_JSON } from "./history/version.ts";
import type { StoreContext } from "./store-context.ts";
import { COMPILED_TABLE } from "./uniqc-lineage.ts";
import { normalizeTimestamp } from "./timestamps.ts";
import { parseInput, TaskIdSchema } from "./validation.ts";
import type { Transfer } from "./task-cache.ts";

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
export interface ImportResult {
  /** Rows written here, in either table. */
  readonly written: number;
  /** Rows that are not task rows, by id where they have one, with the reason. */
  readonly rejected: readonly { task_id: unknown; reason: string }[];
}

/** The statements of an import into one file: its columns, and where it keeps compiled circuits. */
function importStatements(shapes: TableShapes, history: History | undefined) {
  const stored = [
    ...TASK_COLUMNS.filter((column) => column !== "compiled_circuit_json" || shapes.compiled === "column"),
  ];
  if (shapes.errorMessages) stored.push("error_message");
  const id = "j.value ->> '$.task_id'";
  const recorded = history ? recordedIn(stored) : [];
  const isRecorded = (column: string) => (recorded as readonly string[]).includes(column);
  /**
   * A column from the import. On a replica, a recorded field the import lacks is what this
   * replica holds of the task, wherever it is: an imported row says nothing of a result it lacks.
   */
  const fromJson = (columns: string[], other: Table) =>
    columns
      .map((column) =>
        isRecorded(column)
          ? `COALESCE(j.value ->> '$.${column}', (SELECT o.${column} FROM ${other} AS o WHERE o.task_id = ${id}))`
          : `j.value ->> '$.${column}'`,
      )
      .join(", ");
  /** On update: every column from the import, but a compiled circuit (on a replica, any recorded field) the other file lacks is kept. */
  const assignments = (table: Table, columns: string[]) =>
    columns
      .filter((column) => column !== "task_id")
      .map((column) =>
        column === "compiled_circuit_json" || isRecorded(column)
          ? `${column} = COALESCE(excluded.${column}, ${table}.${column})`
          : `${column} = excluded.${column}`,
      )
      .join(", ");
  /**
   * On a replica, an imported row is a version this replica makes over all it holds of the task,
   * its clock the row's own time (`_c`, see `importRows`): the file carries no versions.
   */
  const version = (table: Table, other: Table) =>
    history
      ? {
          columns: ", sync_version, sync_siblings",
          select: `, ${history.stamp(
            `COALESCE((SELECT sync_version FROM ${other} WHERE task_id = ${id}), (SELECT sync_version FROM sync_tombstones WHERE task_id = ${id}), '${UNVERSIONED_JSON}')`,
            recorded,
            { clock: "(j.value ->> '$._c')", when: (field) => `j.value ->> '$.${field}' IS NOT NULL` },
          )}, NULL`,
          assignments: `, sync_version = ${history.stamp(`${table}.sync_version`, recorded, {
            clock: "json_extract(excluded.sync_version, '$.c')",
            when: (field) => `excluded.${field} IS NOT NULL`,
          })}, sync_siblings = NULL`,
        }
      : { columns: "", select: "", assignments: "" };
  const archived = [...stored, "archived_at"];
  const [toActive, toArchive] = [version("tasks", "archived_tasks"), version("archived_tasks", "tasks")];
  return {
    active: `INSERT INTO tasks (${stored.join(", ")}${toActive.columns})
      SELECT ${fromJson(stored, "archived_tasks")}${toActive.select} FROM json_each(?) AS j
       WHERE NOT EXISTS (SELECT 1 FROM archived_tasks AS a WHERE a.task_id = ${id} AND a.archived_at >= j.value ->> '$.update_time')
      ON CONFLICT (task_id) DO UPDATE SET ${assignments("tasks", stored)}${toActive.assignments}
       WHERE excluded.update_time > tasks.update_time`,
    archived: `INSERT INTO archived_tasks (${archived.join(", ")}${toArchive.columns})
      SELECT ${fromJson(archived, "tasks")}${toArchive.select} FROM json_each(?) AS j
       WHERE NOT EXISTS (SELECT 1 FROM tasks AS t WHERE t.task_id = ${id} AND t.update_time > j.value ->> '$.archived_at')
      ON CONFLICT (task_id) DO UPDATE SET ${assignments("archived_tasks", archived)}${toArchive.assignments}
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

export function importOperations(ctx: StoreContext): Pick<Transfer, "importRows"> {
  const { history } = ctx;
  const statements = importStatements(ctx.shapes, history);
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
      // A replica's versions take the row's own time as their clock.
      const text = (rows: StoredTask[]) =>
        JSON.stringify(
          history ? rows.map((row) => ({ ...row, _c: Date.parse(row.archived_at ?? row.update_time) })) : rows,
        );
      const ids = [...active, ...archived].map((row) => row.task_id);
      const written = await ctx.write(ids, async (tx) => {
        let changes = 0;
        if (active.length > 0) changes += (await tx.run(statements.active, [text(active)])).changes;
        if (archived.length > 0) changes += (await tx.run(statements.archived, [text(archived)])).changes;
        if (statements.compiled && changes > 0)
          await tx.run(statements.compiled, [JSON.stringify([...active, ...archived])]);
        if (changes > 0) {
          await (history ? history.settle(tx, ids) : reconcile(tx, shared, ids));
        }
        return changes;
      });
      return { written, rejected };
    },
  };
}
