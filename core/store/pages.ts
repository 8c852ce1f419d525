/**
 * A page of a listing: read once as JSON text (what the server sends on as it is), parsed for
 * callers that want objects.
 */
import * as v from "valibot";
import type { SqlValue } from "../driver/driver.ts";
import { countRows } from "./group-counts.ts";
import { NEWEST_FIRST, afterOf, scanOf, summaryRows, whereOf, type Table, type TaskFilter } from "./queries.ts";
import { keptRead, type StoreContext } from "./context.ts";
import { TaskSummarySchema, type TaskSummary } from "./task-rows.ts";
import { Whole } from "../shared/shapes.ts";

/** A page of a listing. */
export const TaskPageSchema = v.object({
  tasks: v.array(TaskSummarySchema),
  total: v.pipe(Whole, v.description("Tasks matching the filters, over all pages")),
});
export type TaskPage = v.InferOutput<typeof TaskPageSchema>;

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

/** Which page of a listing: `offset` tasks in, or after the task `after`. */
export interface Paging {
  limit: number;
  offset: number;
  after?: { submit_time: string; task_id: string } | undefined;
}

const EMPTY_PAGE: TaskPageText = Object.freeze({ tasks: "[]", count: 0, total: 0, last: undefined });

/**
 * One page of the tasks of `tables` that match `filter`, newest first, and how many match in all.
 *
 * Without a search, each table's listing index is walked from the newest end, so a page costs
 * its own rows; the total comes from the counts. A search matches text no index holds, and its
 * total needs one pass over the table whatever is done. Where a page's matches lie among the
 * newest tasks (a common word), they are found there and the pass only counts; elsewhere walking
 * the listing order would look up row after row, so one pass finds the page and the total at once.
 */
export function listPage(
  ctx: StoreContext,
  tables: readonly Table[],
  filter: TaskFilter,
  paging: Paging,
): Promise<TaskPageText> {
  const present = tables.filter((table) => ctx.shapes.has(table));
  if (present.length === 0) return Promise.resolve(EMPTY_PAGE);
  return filter.search === undefined
    ? indexedPage(ctx, present, filter, paging)
    : searchedPage(ctx, present, filter, paging);
}

/**
 * An id prefix names a range of the primary key. Where the range holds at most this many tasks,
 * they are read by key and sorted; walking the listing order would pass over every other task
 * first (SQLite's planner weighs the two, the replica's engine always walks).
 */
const FEW_BY_KEY = 1000;

async function indexedPage(ctx: StoreContext, tables: readonly Table[], filter: TaskFilter, paging: Paging) {
  const where = whereOf(filter, afterOf(paging.after));
  const source = tables
    .map((table) => `SELECT ${ctx.shapes.summary(table)} FROM ${table} ${where.sql}`)
    .join(" UNION ALL ");
  const total = async () =>
    (await Promise.all(tables.map((table) => countRows(ctx, table, filter)))).reduce((a, b) => a + b, 0);
  // An id prefix's total decides how its page is read, so it is counted first, once.
  const prefixTotal = filter.idPrefix === undefined ? undefined : await total();
  const byKey = prefixTotal !== undefined && prefixTotal <= FEW_BY_KEY;
  // A plain compound SELECT, so SQLite merges the index walks instead of sorting; by key, a
  // sort that no index can spare (the `+`) of the few rows the range holds.
  const listing = summaryRows(
    byKey
      ? `SELECT * FROM (${source}) ORDER BY +submit_time DESC, task_id DESC LIMIT ? OFFSET ?`
      : `${source} ${NEWEST_FIRST} LIMIT ? OFFSET ?`,
  );
  const args = [...tables.flatMap(() => where.args), paging.limit, paging.offset];
  return readPage(ctx, listing, args, async () => {
    const [rows, counted] = await Promise.all([ctx.driver.all<PageRow>(listing, args), prefixTotal ?? total()]);
    return { rows, total: counted };
  });
}

/** How many of the newest tasks a search looks among for its page before it reads the whole table. */
const SEARCH_WINDOW = 5000;

function searchedPage(ctx: StoreContext, tables: readonly Table[], filter: TaskFilter, paging: Paging) {
  const pass = passPage(ctx, tables, filter, paging);
  // Across two tables, a window of each would not say where the other's matches stop.
  const [table] = tables;
  if (tables.length > 1 || !table) return readPage(ctx, pass.listing, pass.args, pass.read);
  const window = windowPage(ctx, table, filter, paging);
  return readPage(ctx, pass.listing, pass.args, async () => {
    const rows = await ctx.driver.all<PageRow>(window.listing, window.args);
    // A full page from the window holds the first matches; a page short of full may have more
    // beyond the window.
    if (rows.length < paging.limit) return pass.read();
    return { rows, total: await countRows(ctx, table, filter) };
  });
}

/** The page among the newest {@link SEARCH_WINDOW} tasks that pass the filter's other conditions. */
function windowPage(ctx: StoreContext, table: Table, filter: TaskFilter, paging: Paging) {
  const { search, ...indexed } = filter;
  const candidates = whereOf(indexed, afterOf(paging.after));
  const matches = whereOf({ search }, undefined, ctx.shapes.errorMessages);
  const columns = `${ctx.shapes.summary(table)}${ctx.shapes.errorMessages ? ", error_message" : ""}`;
  const listing = summaryRows(
    `SELECT * FROM (SELECT ${columns} FROM ${table} ${candidates.sql} ${NEWEST_FIRST} LIMIT ${SEARCH_WINDOW})
      ${matches.sql} ${NEWEST_FIRST} LIMIT ? OFFSET ?`,
  );
  return { listing, args: [...candidates.args, ...matches.args, paging.limit, paging.offset] };
}

/** The page and the total in one pass over each table. */
function passPage(ctx: StoreContext, tables: readonly Table[], filter: TaskFilter, paging: Paging) {
  const { shapes } = ctx;
  const where = whereOf(filter, undefined, shapes.errorMessages);
  const after = afterOf(paging.after);
  const hits = tables
    .map((table) => `SELECT submit_time, task_id, '${table}' AS tbl FROM ${scanOf(table, filter)} ${where.sql}`)
    .join(" UNION ALL ");
  const chosen = tables
    .map(
      (table) =>
        `SELECT ${shapes.summary(table)} FROM ${table}
          WHERE task_id IN (SELECT task_id FROM chosen WHERE tbl = '${table}')`,
    )
    .join(" UNION ALL ");
  const listing = `WITH hits AS MATERIALIZED (${hits}),
    chosen AS (SELECT * FROM hits ${after ? `WHERE ${after.sql}` : ""} ${NEWEST_FIRST} LIMIT ? OFFSET ?)
    SELECT counted.total, page.* FROM (SELECT COUNT(*) AS total FROM hits) AS counted
      LEFT JOIN (${summaryRows(chosen)}) AS page`;
  const args = [...tables.flatMap(() => where.args), ...(after?.args ?? []), paging.limit, paging.offset];
  const read = async () => {
    const rows = await ctx.driver.all<PageRow>(`${listing} ${NEWEST_FIRST}`, args);
    // With no task on the page, the one row carries the total alone.
    return { rows: rows.filter((row) => row.summary !== null), total: Number(rows[0]?.total ?? 0) };
  };
  return { listing, args, read };
}

interface PageRow {
  submit_time: string;
  task_id: string;
  summary: string;
  total?: number | bigint;
}

/** A page as `read` finds it (its rows from {@link summaryRows}), kept until the data changes under the key of `listing` and `args`. */
function readPage(
  ctx: StoreContext,
  listing: string,
  args: SqlValue[],
  read: () => Promise<{ rows: PageRow[]; total: number }>,
): Promise<TaskPageText> {
  const load = async (): Promise<TaskPageText> => {
    const { rows, total } = await read();
    const last = rows.at(-1);
    // Frozen: a kept page is handed to every caller that asks for it.
    return Object.freeze({
      tasks: `[${rows.map((row) => row.summary).join(",")}]`,
      count: rows.length,
      total,
      last: last && Object.freeze({ submit_time: String(last.submit_time), task_id: String(last.task_id) }),
    });
  };
  return keptRead(ctx, `${listing}\n${JSON.stringify(args)}`, load, (page) => page.tasks.length);
}

/** The page with its tasks as objects. */
export function parsePage(page: TaskPageText): TaskPage {
  return { tasks: JSON.parse(page.tasks) as TaskSummary[], total: page.total };
}
