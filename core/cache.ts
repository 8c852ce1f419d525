/**
 * The task cache: one open file, checked and migrated, with every operation on it.
 */
import { archiveOperations } from "./archive.ts";
import { circuitOperations } from "./circuits.ts";
import { createDriver, type Capabilities, type Connection } from "./driver.ts";
import { migrate, type SchemaState } from "./migrator.ts";
import { MIGRATIONS, type Migration } from "./schema.ts";
import { createStoreContext } from "./store-context.ts";
import { taskOperations } from "./tasks.ts";
import { systemClock, type Clock } from "./timestamps.ts";

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
}

/** What the cache knows about its file. */
export interface CacheInfo {
  /** The file's schema version. */
  readonly schemaVersion: number;
  /** The newest version this build knows. */
  readonly supportedVersion: number;
  /** Why writes are refused, when they are. */
  readonly readOnlyReason: string | undefined;
  readonly readOnly: boolean;
  /** Versions this open applied. */
  readonly applied: readonly number[];
  readonly capabilities: Capabilities;
}

export type TaskCache = ReturnType<typeof taskOperations> &
  ReturnType<typeof archiveOperations> &
  ReturnType<typeof circuitOperations> & {
    readonly info: CacheInfo;
    /** Closes the connection once work in flight has finished. */
    close(): Promise<void>;
  };

/**
 * Opens the cache on an adapter's connection: refuses foreign and non-SQLite files, migrates
 * ours, and opens newer or other programs' files read-only. Closes the connection if it fails.
 */
export async function createTaskCache(connection: Connection, options: CacheOptions = {}): Promise<TaskCache> {
  const driver = createDriver(connection);
  let state: SchemaState;
  try {
    state = await migrate(driver, options.migrations ?? MIGRATIONS);
  } catch (error) {
    await driver.close().catch(() => undefined);
    throw error;
  }
  const ctx = createStoreContext(driver, state, { clock: options.clock ?? systemClock, keepPages: options.keepPages ?? true });
  const tasks = taskOperations(ctx);
  const archive = archiveOperations(ctx);
  const info: CacheInfo = Object.freeze({
    schemaVersion: state.version,
    supportedVersion: state.supportedVersion,
    readOnlyReason: state.readOnlyReason,
    readOnly: state.readOnlyReason !== undefined,
    applied: state.applied,
    capabilities: driver.capabilities,
  });
  return {
    ...tasks,
    ...archive,
    ...circuitOperations({ get: tasks.get, getArchived: archive.getArchived }),
    info,
    close: () => driver.close(),
  };
}
