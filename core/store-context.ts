/**
 * What every group of operations shares for one open cache.
 */
import type { Driver } from "./driver.ts";
import { ReadOnlyError } from "./errors.ts";
import type { SchemaState } from "./migrator.ts";
import { tableShapes, whereOf, type Table, type TableShapes, type TaskFilter } from "./queries.ts";
import type { Clock } from "./timestamps.ts";

export interface StoreContext {
  readonly driver: Driver;
  readonly shapes: TableShapes;
  readonly clock: Clock;
  /** Throws {@link ReadOnlyError} when the file may only be read. */
  assertWritable(): void;
}

export function createStoreContext(driver: Driver, state: SchemaState, clock: Clock): StoreContext {
  const { readOnlyReason, version, supportedVersion } = state;
  return Object.freeze({
    driver,
    shapes: tableShapes(state.schema),
    clock,
    assertWritable() {
      if (readOnlyReason !== undefined) throw new ReadOnlyError(version, supportedVersion, readOnlyReason);
    },
  });
}

/** Ids without repeats, in the order given, as one JSON argument for `json_each`. */
export function idSet(ids: readonly string[]): { unique: string[]; json: string } {
  const unique = [...new Set(ids)];
  return { unique, json: JSON.stringify(unique) };
}

/** The ids of `unique` that are not in `done`, in input order. */
export function missingFrom(unique: readonly string[], done: readonly string[]): string[] {
  const found = new Set(done);
  return unique.filter((id) => !found.has(id));
}

/**
 * How many rows of `table` match `filter`: from the v4 counters when the file has them (a few
 * rows whatever the table's size), by counting otherwise (files we only read).
 */
export async function countRows(ctx: StoreContext, table: Table, filter: TaskFilter): Promise<number> {
  if (!ctx.shapes.has(table)) return 0;
  let where = whereOf(filter);
  let sql = `SELECT COUNT(*) AS n FROM ${table} ${where.sql}`;
  if (ctx.shapes.has("task_counts")) {
    where = whereOf(filter, { sql: "tbl = ?", args: [table] });
    sql = `SELECT COALESCE(SUM(n), 0) AS n FROM task_counts ${where.sql}`;
  }
  const [row] = await ctx.driver.all<{ n: number }>(sql, where.args);
  return Number(row?.n ?? 0);
}
