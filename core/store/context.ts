/**
 * What every group of operations shares for one open cache: its driver and file shapes, its
 * kept answers, and how set statements are split into transactions.
 */
import type { Batch } from "./batches.ts";
import type { Driver, Transaction } from "../driver/driver.ts";
import { ReadOnlyError } from "../shared/errors.ts";
import type { SchemaState } from "../file/migrator.ts";
import { tableShapes, type TableShapes } from "./queries.ts";
import { KeptCounts } from "./kept-counts.ts";
import { PageCache } from "./page-cache.ts";
import { SEED_COUNTERS, type CounterNames } from "../file/schema.ts";
import { UNIQC_COUNTERS } from "../file/uniqc-lineage.ts";
import type { Clock } from "../shared/timestamps.ts";
import { createHistory, type History } from "../history/history.ts";
import { hasHistory } from "../history/schema.ts";

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
  /** Where there are no counters and every call shares one connection, the counts kept in memory. */
  readonly keptCounts: KeptCounts | undefined;
  readonly clock: Clock;
  /** On a writable synced replica, what keeps its task history (see history/); undefined elsewhere. */
  readonly history: History | undefined;
  /** Throws {@link ReadOnlyError} when the file may only be read. */
  assertWritable(): void;
  /**
   * Runs `fn` in a write transaction that touches no tasks but those of `ids`, so that kept
   * counts follow it without counting again.
   */
  write<T>(ids: readonly string[], fn: (tx: Transaction) => Promise<T>): Promise<T>;
  /**
   * Runs a set statement over as many rows as it takes, in transactions of at most
   * {@link SYNCED_CHUNK} rows on a synced replica, sending each to the server before the next
   * (see there), and in one transaction elsewhere. With `batch`, in transactions of at most
   * `batch.rows` everywhere, pausing `batch.pauseMs` between them. `step` is given the row limit
   * (undefined for none) and returns what it did; a step that did fewer rows than the limit was
   * the last.
   */
  inChunks<T>(step: (tx: Transaction, limit: number | undefined) => Promise<T[]>, batch?: Batch): Promise<T[]>;
  /**
   * Runs `step` on `ids` a chunk at a time, each in its own transaction of at most `batch.rows`
   * ids (and {@link SYNCED_CHUNK} on a synced replica), with the same pauses and pushes between
   * them as {@link inChunks}. `step` is given the chunk as one JSON argument for `ID_LIST`.
   */
  inIdChunks<T>(
    ids: readonly string[],
    step: (tx: Transaction, json: string) => Promise<T[]>,
    batch: Batch,
  ): Promise<T[]>;
}

/**
 * Rows one transaction may change on a synced replica. The engine builds a push in memory as one
 * array, and aborts the process when it passes about 128 MiB (some 90,000 task changes): a move
 * of 10,000 tasks is 20,000 changes, and each chunk is pushed before the next is made.
 */
export const SYNCED_CHUNK = 10_000;

/** The first chunk of a paced run ({@link Batch.lockMs}), and the smallest: a few milliseconds anywhere. */
const FIRST_PACED_CHUNK = 50;

export function createStoreContext(
  driver: Driver,
  state: SchemaState,
  options: { clock: Clock; keepPages: boolean },
): StoreContext {
  const { readOnlyReason, version, supportedVersion } = state;
  const chunkRows = (batch: Batch | undefined) =>
    Math.min(batch?.rows ?? SYNCED_CHUNK, driver.replica ? SYNCED_CHUNK : Number.POSITIVE_INFINITY);
  const shapes = tableShapes(state.schema, state.lineage);
  const counters = countersOf(state, driver.capabilities.synced);
  const keptCounts =
    counters || !driver.capabilities.singleConnection
      ? undefined
      : new KeptCounts(
          driver,
          (["tasks", "archived_tasks"] as const).filter((table) => shapes.has(table)),
        );
  const write = <T>(ids: readonly string[], fn: (tx: Transaction) => Promise<T>) =>
    driver.transaction((tx) => (keptCounts ? keptCounts.tally(tx, ids, () => fn(tx)) : fn(tx)));
  const timedChunk = async <T>(
    batch: Batch | undefined,
    step: (tx: Transaction) => Promise<T[]>,
    ids?: readonly string[],
  ) => {
    const started = performance.now();
    const chunk = await (ids === undefined ? driver.transaction(step) : write(ids, step));
    batch?.onTransaction?.(performance.now() - started, chunk.length);
    return chunk;
  };
  const betweenChunks = async (batch: Batch | undefined) => {
    // Offline, the changes stay in the log and go with a later round.
    if (driver.replica) await driver.replica.push().catch(() => undefined);
    // Long enough for a writer sleeping in SQLite's busy handler (at most 100 ms a nap) to
    // wake while the lock is free, so it waits for one transaction at most.
    if (batch) await new Promise((resolve) => setTimeout(resolve, batch.pauseMs));
  };
  return Object.freeze({
    driver,
    pages:
      options.keepPages && driver.capabilities.singleConnection ? new PageCache(() => driver.changeStamp()) : undefined,
    shapes,
    counters,
    keptCounts,
    clock: options.clock,
    history:
      driver.replica && readOnlyReason === undefined && hasHistory(state.schema)
        ? createHistory(() => driver.replica!.id, state.schema, options.clock)
        : undefined,
    assertWritable() {
      if (readOnlyReason !== undefined) throw new ReadOnlyError(version, supportedVersion, readOnlyReason);
    },
    write,
    async inChunks<T>(step: (tx: Transaction, limit: number | undefined) => Promise<T[]>, batch?: Batch): Promise<T[]> {
      if (!driver.replica && !batch) return driver.transaction((tx) => step(tx, undefined));
      const rows = chunkRows(batch);
      const done: T[] = [];
      for (;;) {
        const chunk = await timedChunk(batch, (tx) => step(tx, rows));
        done.push(...chunk);
        if (chunk.length < rows) return done;
        await betweenChunks(batch);
      }
    },
    async inIdChunks<T>(ids: readonly string[], step: (tx: Transaction, json: string) => Promise<T[]>, batch: Batch) {
      const most = chunkRows(batch);
      let rows = batch.lockMs === undefined ? most : Math.min(most, FIRST_PACED_CHUNK);
      const done: T[] = [];
      for (let start = 0; start < ids.length; ) {
        if (start > 0) await betweenChunks(batch);
        const chunk = ids.slice(start, start + rows);
        start += chunk.length;
        const started = performance.now();
        done.push(...(await timedChunk(batch, (tx) => step(tx, JSON.stringify(chunk)), chunk)));
        if (batch.lockMs !== undefined) {
          const pace = (performance.now() - started) / chunk.length;
          rows = Math.max(FIRST_PACED_CHUNK, Math.min(most, Math.floor(batch.lockMs / Math.max(pace, 0.001))));
        }
      }
      return done;
    },
  });
}

function countersOf(state: SchemaState, synced: boolean): CounterNames | undefined {
  const counters = state.lineage === "uniqc" ? UNIQC_COUNTERS : SEED_COUNTERS;
  return state.schema.has(counters.table) && !synced ? counters : undefined;
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
