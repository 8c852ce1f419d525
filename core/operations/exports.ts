/**
 * Stored rows out of the cache, page by page, in the form `importRows` takes back: the columns
 * as stored (JSON as its text), `archived_at` on archived rows. Memory stays flat whatever the
 * size of the file; pages follow the rowid, so each costs the same however deep.
 */
import type { Table } from "../store/queries.ts";
import type { StoreContext } from "../store/context.ts";
import type { StoredTask } from "./imports.ts";
import { COMPILED_TABLE } from "../file/uniqc-lineage.ts";

export type ExportScope = "active" | "archived" | "all";

const PAGE_ROWS = 1000;

/** Stored rows out, as another cache or the Python package keeps them. */
export interface Exports {
  /** Every stored row of the active tasks, the archive, or both (active first). */
  exportRows(scope?: ExportScope): AsyncGenerator<StoredTask>;
}

export function exportOperations(ctx: StoreContext): Exports {
  const { driver, shapes } = ctx;
  const columnsOf = (table: Table) => {
    const compiled =
      shapes.compiled === "table"
        ? `(SELECT c.compiled_circuit_json FROM ${COMPILED_TABLE} AS c WHERE c.task_id = ${table}.task_id)`
        : shapes.compiled === "column"
          ? "compiled_circuit_json"
          : "NULL";
    return [
      "task_id, backend, status, shots, submit_time, update_time, result_json, metadata_json",
      `${compiled} AS compiled_circuit_json`,
      `${shapes.errorMessages ? "error_message" : "NULL"} AS error_message`,
      ...(table === "archived_tasks" ? ["archived_at"] : []),
    ].join(", ");
  };
  return {
    async *exportRows(scope: ExportScope = "all"): AsyncGenerator<StoredTask> {
      const tables: Table[] =
        scope === "active" ? ["tasks"] : scope === "archived" ? ["archived_tasks"] : ["tasks", "archived_tasks"];
      for (const table of tables.filter((name) => shapes.has(name))) {
        const sql = `SELECT rowid AS _rowid, ${columnsOf(table)} FROM ${table} WHERE rowid > ? ORDER BY rowid LIMIT ${PAGE_ROWS}`;
        for (let last: number | bigint = 0; ; ) {
          const rows: (StoredTask & { _rowid: number | bigint })[] = await driver.all(sql, [last]);
          for (const { _rowid, ...row } of rows) yield row as StoredTask;
          if (rows.length < PAGE_ROWS) break;
          last = rows.at(-1)!._rowid;
        }
      }
    },
  };
}
