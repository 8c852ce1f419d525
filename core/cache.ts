/**
 * The task cache: one open file, checked and migrated, with every operation on it.
 */
import { analysisOperations } from "./operations/analysis.ts";
import { archiveOperations } from "./operations/archive.ts";
import { circuitOperations } from "./operations/circuits.ts";
import { conflictOperations } from "./operations/conflicts.ts";
import { createDriver, type Connection, type Driver } from "./driver/driver.ts";
import { exportOperations } from "./operations/exports.ts";
import { importOperations } from "./operations/imports.ts";
import { MigrationError, NotSyncedError } from "./shared/errors.ts";
import { mergeStatement } from "./history/statements.ts";
import { leaveMark, tellCopiesApart } from "./history/twins.ts";
import { inspect as inspectFile, migrate, type MigrationPlan, type SchemaState } from "./file/migrator.ts";
import type { Migration } from "./file/schema.ts";
import { addedObjectsOf } from "./history/schema.ts";
import { startReplication } from "./history/replication.ts";
import { retentionOperations } from "./operations/retention.ts";
import { shardOperations } from "./operations/shards.ts";
import { statsOperations } from "./operations/stats.ts";
import { createStoreContext } from "./store/context.ts";
import type { CacheInfo, TaskCache } from "./task-cache.ts";
import { taskOperations } from "./operations/tasks.ts";
import { systemClock, type Clock } from "./shared/timestamps.ts";

export interface CacheOptions {
  /** The time source for `update_time`, `archived_at` and archive-expired. */
  clock?: Clock;
  /**
   * Keep listing pages between identical reads while the file is unchanged (see page-cache.ts);
   * on by default where the driver has one connection. The benchmarks turn it off to time the
   * query itself.
   */
  keepPages?: boolean;
  /** The schema history; tests pass a broken one to check that a failed step rolls back. */
  migrations?: readonly Migration[];
  /**
   * On a synced replica, the time between sync rounds in milliseconds (5000 by default); 0 syncs
   * only when asked (`sync()`).
   */
  syncIntervalMs?: number;
}

/** Five seconds between sync rounds: a task submitted on one machine shows on the others soon after. */
export const DEFAULT_SYNC_INTERVAL_MS = 5000;

/**
 * Opens the cache on an adapter's connection: refuses foreign and non-SQLite files, migrates
 * ours, and opens newer or other programs' files read-only. Closes the connection if it fails.
 */
export async function createTaskCache(connection: Connection, options: CacheOptions = {}): Promise<TaskCache> {
  const driver = createDriver(connection);
  let state: SchemaState;
  try {
    // A replica takes the server's schema before changing its own: steps that another replica
    // already took arrive as they are, and are not taken twice. Offline, it migrates alone.
    await driver.replica?.pull(async () => undefined).catch(() => undefined);
    state = await migrate(driver, { migrations: options.migrations, added: addedObjectsOf(driver.capabilities) });
    if (state.stopped) throw new MigrationError(state.stopped.version, state.stopped.cause, state.applied);
    // From here on, the replica's changes merge by the rule wherever they are applied.
    if (driver.replica && state.readOnlyReason === undefined) await driver.replica.rewriteChanges(mergeStatement);
  } catch (error) {
    await driver.close().catch(() => undefined);
    throw error;
  }
  const ctx = createStoreContext(driver, state, {
    clock: options.clock ?? systemClock,
    keepPages: options.keepPages ?? true,
  });
  const tasks = taskOperations(ctx);
  const archive = archiveOperations(ctx);
  const info: CacheInfo = Object.freeze({
    lineage: state.lineage,
    schemaVersion: state.version,
    supportedVersion: state.supportedVersion,
    userVersion: state.userVersion,
    readOnlyReason: state.readOnlyReason,
    readOnly: state.readOnlyReason !== undefined,
    applied: state.applied,
    capabilities: driver.capabilities,
  });
  const { history, keptCounts } = ctx;
  const replication =
    driver.replica &&
    startReplication(driver.replica, {
      clock: ctx.clock,
      intervalMs: options.syncIntervalMs ?? DEFAULT_SYNC_INTERVAL_MS,
      // A copy of this replica's file is told apart by its marks (history/twins.ts).
      settle:
        history &&
        (async (tx) => {
          await tellCopiesApart(tx, driver.replica!);
          return history.settle(tx);
        }),
      beforePush: history && (() => driver.transaction((tx) => leaveMark(tx, driver.replica!))),
      // Counted again within the round, so no request after it waits for the count; one that
      // fails here is counted again by the next read, which reports what went wrong.
      pulled: keptCounts && (() => keptCounts.recount().catch(() => undefined)),
    });
  // The first round settles what the replica opened with and pushes the schema; offline, the
  // replica still opens, and its state says why it could not sync.
  await replication?.sync().catch(() => undefined);
  return {
    ...tasks,
    ...archive,
    ...shardOperations(ctx),
    ...conflictOperations(ctx),
    ...retentionOperations(archive, ctx.clock),
    ...statsOperations(ctx),
    ...circuitOperations({ get: tasks.get, getArchived: archive.getArchived }),
    ...analysisOperations({ get: tasks.get, getArchived: archive.getArchived }),
    ...importOperations(ctx),
    ...exportOperations(ctx),
    info,
    sync: () => (replication ? replication.sync() : Promise.reject(new NotSyncedError())),
    syncState: async () => replication?.state(),
    changeStamp: () => driver.changeStamp(),
    close: async () => {
      await replication?.stop();
      await driver.close();
    },
  };
}

/** What opening the file behind `driver` would do, found without writing anything: for `doctor` and `migrate status`. */
export const inspect = (driver: Driver): Promise<MigrationPlan> =>
  inspectFile(driver, { added: addedObjectsOf(driver.capabilities) });
