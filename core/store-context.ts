/**
 * What every group of operations shares for one open cache.
 */
import type { Driver, Executor, SqlValue } from "./driver.ts";
import { ReadOnlyError } from "./errors.ts";
import type { SchemaState } from "./migrator.ts";
import { summaryRows, tableShapes, type Table, type TableShapes, type TaskFilter } from "./queries.ts";
import type { TaskSummary } from "./task-rows.ts";
import { PageCache } from "./page-cache.ts";
import { SEED_COUNTERS, type CounterNames } from "./schema.ts";
import { UNIQC_COUNTERS } from "./uniqc-lineage.ts";
import type { Clock } from "./timestamps.ts";
import { createHistory, type History } from "./history/history.ts";
import { hasHistory } from "./history/schema.ts";

export interface StoreContext {
  readonly driver: Driver;
  /** Pages kept while the file is unchanged; only where every call shares one connection (see page-cache.ts). */
  readonly pages: PageCache | undefined;
  readonly shapes: TableShapes;
  /**
   * The trigger-kept counters of every table, where the file has them: the seed lineage's v4
   * (`task_counts`, not on a synced replica, where triggers do not travel), or this cache's own
   * on a file of the uniqc lineage. Elsewhere counts are counted.
   */
  readonly counters: CounterNames | undefined;
  readonly clock: Clock;
  /** On a writable synced replica, what keeps its task history (see history/); undefined elsewhere. */
  readonly history: History | undefined;
  /** Throws {@link ReadOnlyError} when the file may only be read. */
  assertWritable(): void;
  /**
   * Runs a set statement over as many rows as it takes, in transactions of at most
   * {@link SYNCED_CHUNK} rows on a synced replica, sending each to the server before the next
   * (see there), and in one transaction elsewhere. With `batch`, in transactions of at most
   * `batch.rows` everywhere, pausing `batch.pauseMs` between them. `step` is given the row limit
   * (undefined for none) and returns what it did; a step that did fewer rows than the limit was
   * the last.
   */
  inChunks<T>(step: (tx: Executor, limit: number | undefined) => Promise<T[]>, batch?: Batch): Promise<T[]>;
}

/** Short transactions, for work that must never keep another writer waiting long. */
export interface Batch {
  readonly rows: number;
  readonly pauseMs: number;
  /** Told how long each transaction held the write lock, and how many rows it did. */
  readonly onTransaction?: (ms: number, rows: number) => void;
}

/**
 * Rows one transaction may change on a synced replica. The engine builds a push in memory as one
 * array, and aborts the process when it passes about 128 MiB (some 90,000 task changes): a move
 * of 10,000 tasks is 20,000 changes, and each chunk is pushed before the next is made.
 */
export const SYNCED_CHUNK = 10_000;

export function createStoreContext(
  driver: Driver,
  state: SchemaState,
  options: { clock: Clock; keepPages: boolean },
): StoreContext {
  const { readOnlyReason, version, supportedVersion } = state;
  return Object.freeze({
    driver,
    pages:
      options.keepPages && driver.capabilities.singleConnection ? new PageCache(() => driver.changeStamp()) : undefined,
    shapes: tableShapes(state.schema, state.lineage),
    counters: countersOf(state, driver.capabilities.synced),
    clock: options.clock,
    history:
      driver.replica && readOnlyReason === undefined && hasHistory(state.schema)
        ? createHistory(driver.replica.id, state.schema, options.clock)
        : undefined,
    assertWritable() {
      if (readOnlyReason !== undefined) throw new ReadOnlyError(version, supportedVersion, readOnlyReason);
    },
    async inChunks<T>(step: (tx: Executor, limit: number | undefined) => Promise<T[]>, batch?: Batch): Promise<T[]> {
      const { replica } = driver;
      if (!replica && !batch) return driver.transaction((tx) => step(tx, undefined));
      const rows = Math.min(batch?.rows ?? SYNCED_CHUNK, replica ? SYNCED_CHUNK : Infinity);
      const done: T[] = [];
      for (;;) {
        const started = performance.now();
        const chunk = await driver.transaction((tx) => step(tx, rows));
        batch?.onTransaction?.(performance.now() - started, chunk.length);
        done.push(...chunk);
        if (chunk.length < rows) return done;
        // Offline, the changes stay in the log and go with a later round.
        if (replica) await replica.push().catch(() => undefined);
        // Long enough for a writer sleeping in SQLite's busy handler (at most 100 ms a nap) to
        // wake while the lock is free, so it waits for one transaction at most.
        if (batch) await new Promise((resolve) => setTimeout(resolve, batch.pauseMs));
      }
    },
  });
}

function countersOf(state: SchemaState, synced: boolean): CounterNames | undefined {
  const counters = state.lineage === "uniqc" ? UNIQC_COUNTERS : SEED_COUNTERS;
  return state.schema.has(counters.table) && !synced ? counters : undefined;
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

/** How many rows of a table have one backend and status. */
export interface GroupCount {
  readonly backend: string;
  readonly status: string;
  readonly n: number;
}

/**
 * The rows of `table` per backend and status, from which every total and count is summed: read
 * from the v4 counters where they hold (a few rows, whatever the table's size); elsewhere (files
 * we only read, replicas) counted in one pass over an index, and kept until the data changes, so
 * every listing and count in between shares that one pass.
 */
export function groupCounts(ctx: StoreContext, table: Table): Promise<readonly GroupCount[]> {
  if (!ctx.shapes.has(table)) return Promise.resolve([]);
  const load = async () => {
    const rows = await (ctx.counters
      ? ctx.driver.all<GroupCount>(`SELECT backend, status, n FROM ${ctx.counters.table} WHERE tbl = ? AND n != 0`, [
          table,
        ])
      : ctx.driver.all<GroupCount>(`SELECT backend, status, COUNT(*) AS n FROM ${table} GROUP BY backend, status`));
    return Object.freeze(
      rows.map((row) => Object.freeze({ backend: String(row.backend), status: String(row.status), n: Number(row.n) })),
    );
  };
  return ctx.counters ? load() : keptRead(ctx, `groups of ${table}`, load, (groups) => 64 * groups.length);
}

/** How many rows of `table` match `filter`. */
export async function countRows(ctx: StoreContext, table: Table, filter: TaskFilter): Promise<number> {
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

/** Reads through the kept answers when this cache keeps them. */
export function keptRead<T>(
  ctx: StoreContext,
  key: string,
  load: () => Promise<T>,
  chars?: (value: T) => number,
): Promise<T> {
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
