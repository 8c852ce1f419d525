/**
 * What moves and deletes of every task a filter matches share: the filter checked, and the ids it
 * matches read once, before anything is written. A search reads the whole table; done as a read,
 * that pass holds no write lock, and each chunk then moves its own ids by key, the filter checked
 * again so that a task changed meanwhile stays where it is.
 */
import * as v from "valibot";
import type { SqlValue } from "../driver/driver.ts";
import { InvalidInputError } from "../shared/errors.ts";
import { ID_LIST } from "../shared/id-sets.ts";
import { countRows } from "../store/group-counts.ts";
import { conditionOf, resolveFilter, scanOf, type Table } from "../store/queries.ts";
import { shardMoves } from "./shards.ts";
import type { StoreContext } from "../store/context.ts";
import type { Batch } from "../store/batches.ts";
import { MatchSchema, parseInput, type MatchFilter } from "../shared/validation.ts";
import { Ids, Whole } from "../shared/shapes.ts";

/** What a move or delete by filter did. */
export const MatchedResultSchema = v.object({
  count: v.pipe(Whole, v.description("Tasks moved or deleted; with dry_run, tasks the filter matches now")),
});
export type MatchedResult = v.InferOutput<typeof MatchedResultSchema>;

/** What a restore by filter did, and the ids it left in the archive because a task is live under them. */
export const RestoredMatchingSchema = v.object({
  ...MatchedResultSchema.entries,
  conflicts: v.pipe(Ids, v.description("Archived tasks left where they are: a task is live under the same id")),
});
export type RestoredMatching = v.InferOutput<typeof RestoredMatchingSchema>;

export interface Matched {
  /** The ids the filter matched when they were read. */
  ids: string[];
  /** The filter as a condition on a row of the table, to check again as each chunk moves. */
  condition: { sql: string; args: SqlValue[] };
}

/**
 * The tasks of `table` that `input` matches, or with `dryRun` how many; a filter that names
 * nothing must say `all`. Refuses a file that may only be read, unless only counting.
 */
export async function matched(
  ctx: StoreContext,
  table: Table,
  input: MatchFilter,
): Promise<Matched | { counted: number }> {
  const { all, dryRun, ...given } = parseInput(MatchSchema, input);
  const filter = resolveFilter(given, ctx.clock);
  if (!all && Object.values(filter).every((value) => value === undefined)) {
    throw new InvalidInputError([
      { path: "all", message: "must be true to take every task: the filter names nothing, so it matches them all" },
    ]);
  }
  if (dryRun) return { counted: await countRows(ctx, table, filter) };
  ctx.assertWritable();
  const condition = conditionOf(filter, ctx.shapes.errorMessages);
  if (!ctx.shapes.has(table)) return { ids: [], condition };
  const rows = await ctx.driver.all<{ task_id: string }>(
    `SELECT task_id FROM ${scanOf(table, filter)} WHERE ${condition.sql}`,
    condition.args,
  );
  return { ids: rows.map((row) => String(row.task_id)), condition };
}

/** Deletes every task of `table` that `filter` matches, with its shards, burying each on a replica. */
export async function deleteMatched(
  ctx: StoreContext,
  table: Table,
  filter: MatchFilter,
  batch: Batch,
): Promise<MatchedResult> {
  const matching = await matched(ctx, table, filter);
  if ("counted" in matching) return { count: matching.counted };
  const { ids, condition } = matching;
  const shards = shardMoves(ctx.shapes);
  const drop = table === "tasks" ? shards.dropActive : shards.dropArchived;
  const deleted = await ctx.inIdChunks(
    ids,
    async (tx, json) => {
      const chosen = `SELECT task_id FROM ${table} WHERE task_id IN (${ID_LIST}) AND ${condition.sql}`;
      const args = [json, ...condition.args];
      await drop(tx, chosen, args);
      await ctx.history?.bury(tx, table, chosen, args);
      return tx.all(`DELETE FROM ${table} WHERE task_id IN (${chosen}) RETURNING task_id`, args);
    },
    batch,
  );
  return { count: deleted.length };
}
