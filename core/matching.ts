/**
 * What moves and deletes of every task a filter matches share: the filter checked, and the ids it
 * matches read once, before anything is written. A search reads the whole table; done as a read,
 * that pass holds no write lock, and each chunk then moves its own ids by key, the filter checked
 * again so that a task changed meanwhile stays where it is.
 */
import type { SqlValue } from "./driver.ts";
import { InvalidInputError } from "./errors.ts";
import { conditionOf, resolveFilter, scanOf, type Table } from "./queries.ts";
import type { StoreContext } from "./store-context.ts";
import { MatchSchema, parseInput, type MatchFilter } from "./validation.ts";

/** What a move or delete by filter did. */
export interface MatchedResult {
  /** How many tasks it moved or deleted. */
  count: number;
}

/** What a restore by filter did, and the ids it left in the archive because a task is live under them. */
export interface RestoredMatching extends MatchedResult {
  conflicts: string[];
}

export interface Matched {
  /** The ids the filter matched when they were read. */
  ids: string[];
  /** The filter as a condition on a row of the table, to check again as each chunk moves. */
  condition: { sql: string; args: SqlValue[] };
}

/** The tasks of `table` that `input` matches; a filter that names nothing must say `all`. */
export async function matched(ctx: StoreContext, table: Table, input: MatchFilter): Promise<Matched> {
  const { all, ...given } = parseInput(MatchSchema, input);
  const filter = resolveFilter(given, ctx.clock);
  if (!all && Object.values(filter).every((value) => value === undefined)) {
    throw new InvalidInputError([
      { path: "all", message: "must be true to take every task: the filter names nothing, so it matches them all" },
    ]);
  }
  const condition = conditionOf(filter, ctx.shapes.errorMessages);
  if (!ctx.shapes.has(table)) return { ids: [], condition };
  const rows = await ctx.driver.all<{ task_id: string }>(
    `SELECT task_id FROM ${scanOf(table, filter)} WHERE ${condition.sql}`,
    condition.args,
  );
  return { ids: rows.map((row) => String(row.task_id)), condition };
}
