/**
 * A page of a listing: read once as JSON text (what the server sends on as it is), parsed for
 * callers that want objects.
 */
import type { SqlValue } from "./driver.ts";
import { summaryRows } from "./queries.ts";
import { keptRead, type StoreContext } from "./store-context.ts";
import type { TaskSummary } from "./task-rows.ts";

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
export function readPage(
  ctx: StoreContext,
  listing: string,
  args: SqlValue[],
  totals: () => Promise<number>[],
): Promise<TaskPageText> {
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
