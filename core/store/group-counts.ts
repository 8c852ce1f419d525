/**
 * Counts of a table's rows per backend and status, from which every total is summed.
 */
import { countedByGroups, scanOf, whereOf, type Table, type TaskFilter } from "./queries.ts";
import { COUNT_SQL, type GroupCount } from "./kept-counts.ts";
import { keptRead, type StoreContext } from "./context.ts";

/**
 * The rows of `table` per backend and status, from which every total and count is summed: read
 * from the v4 counters where they hold (a few rows, whatever the table's size); elsewhere counted
 * in one pass over an index, and kept where every call shares one connection (see kept-counts.ts).
 */
export async function groupCounts(ctx: StoreContext, table: Table): Promise<readonly GroupCount[]> {
  if (!ctx.shapes.has(table)) return [];
  if (ctx.keptCounts) return ctx.keptCounts.groups(table);
  const rows = await (ctx.counters
    ? ctx.driver.all<GroupCount>(`SELECT backend, status, n FROM ${ctx.counters.table} WHERE tbl = ? AND n != 0`, [
        table,
      ])
    : ctx.driver.all<GroupCount>(COUNT_SQL(table)));
  return rows.map((row) => ({ backend: String(row.backend), status: String(row.status), n: Number(row.n) }));
}

/**
 * How many rows of `table` match `filter`: summed from the counts per backend and status where
 * the filter asks no more of a task than those, counted (and kept until the data changes) where it does.
 */
export async function countRows(ctx: StoreContext, table: Table, filter: TaskFilter): Promise<number> {
  if (!ctx.shapes.has(table)) return 0;
  if (!countedByGroups(filter)) {
    const where = whereOf(filter, undefined, ctx.shapes.errorMessages);
    const sql = `SELECT COUNT(*) AS n FROM ${scanOf(table, filter)} ${where.sql}`;
    return keptRead(ctx, `${sql}\n${JSON.stringify(where.args)}`, async () => {
      const [row] = await ctx.driver.all<{ n: number | bigint }>(sql, where.args);
      return Number(row?.n ?? 0);
    });
  }
  let total = 0;
  for (const group of await groupCounts(ctx, table)) {
    if (
      (filter.status === undefined || group.status === filter.status) &&
      (filter.backend === undefined || group.backend === filter.backend)
    )
      total += group.n;
  }
  return total;
}
