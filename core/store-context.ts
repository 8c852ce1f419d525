/**
 * What every group of operations shares for one open cache.
 */
import type { Driver, SqlValue } from "./driver.ts";
import { ReadOnlyError } from "./errors.ts";
import type { SchemaState } from "./migrator.ts";
import { summaryRows, tableShapes, whereOf, type Table, type TableShapes, type TaskFilter } from "./queries.ts";
import type { TaskSummary } from "./task-rows.ts";
import { PageCache } from "./page-cache.ts";
import type { Clock } from "./timestamps.ts";

export interface StoreContext {
  readonly driver: Driver;
  /** Pages kept while the file is unchanged; only where every call shares one connection (see page-cache.ts). */
  readonly pages: PageCache | undefined;
  readonly shapes: TableShapes;
  /**
   * Whether `task_counts` holds every table's counts: the v4 counters exist and the triggers
   * that keep them are durable here (not on a synced replica, where counts are counted).
   */
  readonly counters: boolean;
  readonly clock: Clock;
  /** Throws {@link ReadOnlyError} when the file may only be read. */
  assertWritable(): void;
}

export function createStoreContext(driver: Driver, state: SchemaState, options: { clock: Clock; keepPages: boolean }): StoreContext {
  const { readOnlyReason, version, supportedVersion } = state;
  return Object.freeze({
    driver,
    pages: options.keepPages && driver.capabilities.singleConnection ? new PageCache(() => driver.changeStamp()) : undefined,
    shapes: tableShapes(state.schema),
    counters: state.schema.has("task_counts") && !driver.capabilities.synced,
    clock: options.clock,
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
 * How many rows of `table` match `filter`: from the v4 counters where they hold (a few rows
 * whatever the table's size), by counting over a listing index otherwise (files we only read,
 * replicas), kept until the data changes.
 */
export async function countRows(ctx: StoreContext, table: Table, filter: TaskFilter): Promise<number> {
  if (!ctx.shapes.has(table)) return 0;
  if (ctx.counters) {
    const where = whereOf(filter, { sql: "tbl = ?", args: [table] });
    const [row] = await ctx.driver.all<{ n: number }>(`SELECT COALESCE(SUM(n), 0) AS n FROM task_counts ${where.sql}`, where.args);
    return Number(row?.n ?? 0);
  }
  const where = whereOf(filter);
  return keptRead(ctx, `count ${table} ${JSON.stringify(where.args)} ${where.sql}`, async () => {
    const [row] = await ctx.driver.all<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table} ${where.sql}`, where.args);
    return Number(row?.n ?? 0);
  });
}

/** Reads through the kept answers when this cache keeps them. */
export function keptRead<T>(ctx: StoreContext, key: string, load: () => Promise<T>, chars?: (value: T) => number): Promise<T> {
  return ctx.pages ? ctx.pages.read(key, load, chars) : load();
}

/** A page of a listing. */
export interface TaskPage {
  tasks: TaskSummary[];
  /** How many tasks match the filters, over all pages. */
  total: number;
}

/** A page of a listing as JSON text, for callers that send it on as it is (the server). */
export interface TaskPageText {
  /** A JSON array of {@link TaskSummary}, newest first. */
  tasks: string;
  /** How many tasks the array holds. */
  count: number;
  /** How many tasks match the filters, over all pages. */
  total: number;
  /** Where the page's last task stands, to page on from with `after`. */
  last: { submit_time: string; task_id: string } | undefined;
}

/** Reads one page: `listing` (see {@link summaryRows}) as JSON text, and the sum of `totals`. */
export function readPage(ctx: StoreContext, listing: string, args: SqlValue[], totals: () => Promise<number>[]): Promise<TaskPageText> {
  const load = async (): Promise<TaskPageText> => {
    const [rows, ...counts] = await Promise.all([
      ctx.driver.all<{ submit_time: string; task_id: string; summary: string }>(summaryRows(listing), args),
      ...totals(),
    ]);
    const last = rows.at(-1);
    // Frozen: a kept page is handed to every caller that asks for it.
    return Object.freeze({
      tasks: `[${rows.map((row) => row.summary).join(",")}]`,
      count: rows.length,
      total: counts.reduce((a, b) => a + b, 0),
      last: last && Object.freeze({ submit_time: String(last.submit_time), task_id: String(last.task_id) }),
    });
  };
  return keptRead(ctx, `${listing}\n${JSON.stringify(args)}`, load, (page) => page.tasks.length);
}

/** The page with its tasks as objects. */
export function parsePage(page: TaskPageText): TaskPage {
  return { tasks: JSON.parse(page.tasks) as TaskSummary[], total: page.total };
}
